import type { PersonFields } from '../fields/person.ts';
import { builtInCatalogue } from './catalogue/index.ts';
import { OverrideIndex, type OverrideInput } from './overrides.ts';
import { computeQuantity } from './quantity.ts';
import { packingDayCount, planDays, type PlanDay, type TripShape } from './trip-days.ts';
import type { Catalogue, GeneratedItem, Rule } from './types.ts';
import { compareStrings } from '../order.ts';

/** The parts of a person evaluation reads; full rows fit. Tombstoned people are skipped. */
export type PersonInput = Pick<PersonFields, 'kind' | 'preferences'> & {
  readonly id: string;
  readonly deleted_at?: string | null;
};

/**
 * The items the catalogue wants for this trip, after overrides. Pure and
 * deterministic: catalogue order, then person id, then date; the order of
 * `people` and `overrides` does not matter. Quantity 0 means "no item".
 */
export function evaluate(
  trip: TripShape,
  people: readonly PersonInput[],
  overrides: readonly OverrideInput[] = [],
  catalogue: Catalogue = builtInCatalogue,
): GeneratedItem[] {
  const days = planDays(trip);
  const dayCount = packingDayCount(days);
  const laundry = trip.settings.laundry === true;
  const travellers = people.filter((p) => !p.deleted_at).sort((a, b) => compareStrings(a.id, b.id));
  const overrideIndex = new OverrideIndex(overrides);
  const out: GeneratedItem[] = [];

  for (const rule of catalogue) {
    const applies = rule.applies ?? {};
    if (!(applies.settings ?? []).every((flag) => trip.settings[flag] === true)) continue;

    const ruleDays = applies.anyTag ? days.filter((d) => applies.anyTag!.some((t) => d.tags.has(t))) : days;
    if (applies.anyTag && ruleDays.length === 0) continue;
    const relevantDays = applies.anyTag ? ruleDays.length : dayCount;

    const matching = travellers.filter((p) => personMatches(rule, p));
    const filtersPeople = applies.kinds !== undefined || applies.preferences !== undefined;
    const emit = (personId: string | null, day: PlanDay | null, inputs: { relevantDays: number; matchingPeople: number }) => {
      const override = overrideIndex.resolve(rule.id, personId);
      if (override.disabled) return;
      const quantity = override.quantity ?? computeQuantity(rule.quantity, { ...inputs, laundry });
      if (quantity <= 0) return;
      out.push({
        rule_id: rule.id,
        person_id: personId,
        day: day?.date ?? null,
        name: rule.name,
        category: rule.category,
        quantity,
        notes: rule.notes ?? '',
      });
    };

    switch (rule.scope) {
      case 'trip':
        if (filtersPeople && matching.length === 0) break;
        emit(null, null, { relevantDays, matchingPeople: matching.length });
        break;
      case 'day':
        if (filtersPeople && matching.length === 0) break;
        for (const day of ruleDays) emit(null, day, { relevantDays: 1, matchingPeople: matching.length });
        break;
      case 'person':
        for (const person of matching) emit(person.id, null, { relevantDays, matchingPeople: 1 });
        break;
      case 'person-day':
        for (const person of matching) {
          for (const day of ruleDays) emit(person.id, day, { relevantDays: 1, matchingPeople: 1 });
        }
        break;
    }
  }
  return out;
}

function personMatches(rule: Rule, person: PersonInput): boolean {
  const applies = rule.applies ?? {};
  if (applies.kinds && !applies.kinds.includes(person.kind)) return false;
  return (applies.preferences ?? []).every((flag) => person.preferences[flag] === true);
}

