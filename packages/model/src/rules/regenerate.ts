// Turns "what the rules want now" into the smallest list of item edits,
// without ever overwriting a person's work. See README.md, "Regeneration".
import { SNAPSHOT_FIELDS, type GeneratedSnapshot, type ItemFields, type ItemPatch } from '../fields/item.ts';
import { builtInCatalogue } from './catalogue/index.ts';
import { evaluate, type PersonInput } from './evaluate.ts';
import type { OverrideInput } from './overrides.ts';
import type { TripShape } from './trip-days.ts';
import type { Catalogue, GeneratedItem } from './types.ts';
import { compareStrings } from '../order.ts';

/** The parts of an item regeneration reads; full rows (tombstones included) fit. */
export type ExistingItem = Pick<
  ItemFields,
  'person_id' | 'name' | 'category' | 'quantity' | 'packed' | 'notes' | 'day' | 'rule_id' | 'generated'
> & {
  readonly id: string;
  readonly deleted_at?: string | null;
};

export type FlagReason =
  /** The rule no longer wants this item, but the user edited or packed it. */
  | 'rule_no_longer_applies'
  /** Two generated items share one identity (two offline devices both
   *  created it); this one was kept because the user edited or packed it. */
  | 'duplicate_generated_item';

/** ChangeTracker operations; `flag` only asks the UI to show the item. */
export type Operation =
  | { readonly op: 'create'; readonly entity: 'items'; readonly id: string; readonly fields: ItemFields }
  | { readonly op: 'update'; readonly entity: 'items'; readonly id: string; readonly fields: ItemPatch }
  | { readonly op: 'delete'; readonly entity: 'items'; readonly id: string }
  | { readonly op: 'flag'; readonly id: string; readonly reason: FlagReason };

export interface RegenerationInput {
  readonly trip: TripShape & { readonly id: string };
  readonly people: readonly PersonInput[];
  readonly overrides: readonly OverrideInput[];
  /** Every item of the trip, tombstoned ones included: a tombstoned generated
   *  item means "the user deleted this", and it is not created again. */
  readonly existingItems: readonly ExistingItem[];
  /** Id for a new item; receives the item so a caller may derive the id. */
  readonly newId: (item: GeneratedItem) => string;
  readonly catalogue?: Catalogue;
  /** Create items again even where a tombstone exists ("restore suggestions"). */
  readonly restoreDeleted?: boolean;
}

/** The identity regeneration matches on. */
export function generatedKey(item: { rule_id: string | null; person_id: string | null; day: string | null }): string {
  return `${item.rule_id ?? ''}|${item.person_id ?? ''}|${item.day ?? ''}`;
}

/**
 * Plans the edits that bring the trip's generated items in line with the
 * rules: creates for new keys, field updates only where the user has not
 * edited the field, deletes of untouched items the rules no longer want, and
 * flags for edited or packed ones. Manual items (rule_id null) are never
 * touched; `packed` is never written. Planning again after applying the plan
 * yields only the same flags.
 */
export function planRegeneration(input: RegenerationInput): Operation[] {
  const wanted = evaluate(input.trip, input.people, input.overrides, input.catalogue ?? builtInCatalogue);

  const liveByKey = new Map<string, ExistingItem[]>();
  const deletedKeys = new Set<string>();
  for (const item of input.existingItems) {
    if (item.rule_id === null) continue;
    const key = generatedKey(item);
    if (item.deleted_at) {
      deletedKeys.add(key);
      continue;
    }
    const group = liveByKey.get(key) ?? [];
    group.push(item);
    liveByKey.set(key, group);
  }

  const ops: Operation[] = [];
  for (const want of wanted) {
    const key = generatedKey(want);
    const group = liveByKey.get(key);
    liveByKey.delete(key);
    if (!group) {
      if (input.restoreDeleted || !deletedKeys.has(key)) ops.push(createOp(input.trip.id, want, input.newId(want)));
      continue;
    }
    const [keep, ...duplicates] = group.sort(byKeepPreference);
    const patch = patchFor(keep!, snapshotOf(want));
    if (patch) ops.push({ op: 'update', entity: 'items', id: keep!.id, fields: patch });
    for (const dup of duplicates) ops.push(retire(dup, 'duplicate_generated_item'));
  }

  // Whatever is left, the rules no longer want. Sorted so the plan does not
  // depend on the order the caller listed items in.
  const leftovers = [...liveByKey.values()].flat().sort((a, b) => compareStrings(generatedKey(a) + a.id, generatedKey(b) + b.id));
  for (const item of leftovers) ops.push(retire(item, 'rule_no_longer_applies'));
  return ops;
}

function snapshotOf(item: GeneratedItem): GeneratedSnapshot {
  return { name: item.name, quantity: item.quantity, category: item.category, notes: item.notes };
}

function createOp(tripId: string, want: GeneratedItem, id: string): Operation {
  return {
    op: 'create',
    entity: 'items',
    id,
    fields: {
      trip_id: tripId,
      person_id: want.person_id,
      name: want.name,
      category: want.category,
      quantity: want.quantity,
      packed: false,
      notes: want.notes,
      day: want.day,
      rule_id: want.rule_id,
      generated: snapshotOf(want),
    },
  };
}

/** A field is user-edited iff it differs from the last snapshot; no snapshot means all are. */
function isEdited(item: ExistingItem, field: (typeof SNAPSHOT_FIELDS)[number]): boolean {
  return item.generated === null || item[field] !== item.generated[field];
}

function isTouched(item: ExistingItem): boolean {
  return item.packed || SNAPSHOT_FIELDS.some((f) => isEdited(item, f));
}

function patchFor(item: ExistingItem, next: GeneratedSnapshot): ItemPatch | null {
  const patch: Record<string, unknown> = {};
  for (const field of SNAPSHOT_FIELDS) {
    if (!isEdited(item, field) && item[field] !== next[field]) patch[field] = next[field];
  }
  if (!item.generated || SNAPSHOT_FIELDS.some((f) => item.generated![f] !== next[f])) patch.generated = next;
  return Object.keys(patch).length > 0 ? (patch as ItemPatch) : null;
}

function retire(item: ExistingItem, reason: FlagReason): Operation {
  return isTouched(item) ? { op: 'flag', id: item.id, reason } : { op: 'delete', entity: 'items', id: item.id };
}

// Among duplicates keep a packed one, then the smallest id, so every device
// picks the same survivor. Only `packed` and `id` decide because regeneration
// never changes them: "edited" can flip when a refreshed snapshot catches up
// with an edit, and the survivor would then change from one plan to the next.
function byKeepPreference(a: ExistingItem, b: ExistingItem): number {
  return Number(b.packed) - Number(a.packed) || compareStrings(a.id, b.id);
}
