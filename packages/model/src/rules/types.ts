// The catalogue format. Rules are plain data, not functions, so they can be
// listed, validated and shown in the UI, and so every quantity is bounded by
// the same formula (see quantity.ts).
import type { Category } from '../fields/item.ts';
import type { PersonKind, PersonPreferences } from '../fields/person.ts';
import type { Tag, TripSettings } from '../fields/trip.ts';

/**
 * What one evaluation of a rule yields:
 * - `trip`: one shared item (person_id null, day null), e.g. first-aid kit;
 * - `person`: one item per matching person, e.g. socks;
 * - `day`: one shared item per matching day, e.g. trail snacks for a hike;
 * - `person-day`: one item per matching person per matching day, e.g. a
 *   formal outfit for each formal day.
 */
export type RuleScope = 'trip' | 'person' | 'day' | 'person-day';

export type SettingFlag = keyof TripSettings;
export type PreferenceFlag = keyof PersonPreferences;

/** All listed conditions must hold; an absent condition always holds. */
export interface Applicability {
  /** Person kinds the rule is for. For `trip`/`day` scope: the rule applies when
   *  at least one such person travels, and `perPerson` counts them. */
  readonly kinds?: readonly PersonKind[];
  /** At least one day carries one of these tags (for day scopes: that day does). */
  readonly anyTag?: readonly Tag[];
  /** Trip settings that must be switched on. */
  readonly settings?: readonly SettingFlag[];
  /** Person preferences that must be switched on (person scopes; for shared
   *  scopes, filters the people that count, like `kinds`). */
  readonly preferences?: readonly PreferenceFlag[];
}

/**
 * quantity = ceil(base + perDay × relevant days + perPerson × matching people),
 * raised to `min`, lowered to `max` (or `laundryMax` when the trip has
 * laundry), then `spare` added. Relevant days are the days carrying one of
 * `anyTag` (all trip days when it is absent); a day-scoped item counts 1.
 */
export interface QuantityFormula {
  readonly base?: number;
  readonly perDay?: number;
  readonly perPerson?: number;
  readonly min?: number;
  readonly max?: number;
  readonly laundryMax?: number;
  readonly spare?: number;
}

export interface Rule {
  /** Stable forever: items and overrides refer to it. Never rename. */
  readonly id: string;
  readonly name: string;
  readonly category: Category;
  readonly scope: RuleScope;
  readonly applies?: Applicability;
  readonly quantity: QuantityFormula;
  readonly notes?: string;
}

export type Catalogue = readonly Rule[];

/** One item a rule wants on the list; (rule_id, person_id, day) is its identity. */
export interface GeneratedItem {
  readonly rule_id: string;
  readonly person_id: string | null;
  readonly day: string | null;
  readonly name: string;
  readonly category: Category;
  readonly quantity: number;
  readonly notes: string;
}
