// fast-check generators for trips, people, overrides and the edits a person
// makes to a generated list. Shared by the property tests.
import fc from 'fast-check';
import { addDays } from '../dates.ts';
import { CATEGORIES } from '../fields/item.ts';
import { PERSON_KINDS } from '../fields/person.ts';
import { TAGS, type TripFields } from '../fields/trip.ts';
import type { StoredItem } from './apply-operations.test-helper.ts';
import { builtInCatalogue } from './catalogue/index.ts';
import type { PersonInput } from './evaluate.ts';
import type { OverrideInput } from './overrides.ts';

export const TRIP_ID = '11111111-1111-4111-8111-111111111111';
export const PERSON_IDS = [
  'a0000000-0000-4000-8000-000000000001',
  'b0000000-0000-4000-8000-000000000002',
  'c0000000-0000-4000-8000-000000000003',
  'd0000000-0000-4000-8000-000000000004',
] as const;

const flags = <K extends string>(keys: readonly K[]) =>
  fc.record(Object.fromEntries(keys.map((k) => [k, fc.boolean()])) as Record<K, fc.Arbitrary<boolean>>, {
    requiredKeys: [],
  });

export const tripArb: fc.Arbitrary<Pick<TripFields, 'start_date' | 'end_date' | 'days' | 'settings'> & { id: string }> = fc
  .record({
    startOffset: fc.integer({ min: 0, max: 365 }),
    hasDates: fc.boolean(),
    length: fc.integer({ min: 0, max: 20 }),
    tagged: fc.array(fc.record({ offset: fc.integer({ min: -2, max: 22 }), tags: fc.subarray([...TAGS]) }), { maxLength: 8 }),
    settings: flags(['laundry', 'international', 'flying', 'driving'] as const),
  })
  .map(({ startOffset, hasDates, length, tagged, settings }) => {
    const start = addDays('2026-01-01', startOffset);
    const byDate = new Map(tagged.map((t) => [addDays(start, t.offset), t.tags]));
    return {
      id: TRIP_ID,
      start_date: hasDates ? start : null,
      end_date: hasDates ? addDays(start, length) : null,
      days: [...byDate].map(([date, tags]) => ({ date, label: '', tags })),
      settings,
    };
  });

export const peopleArb: fc.Arbitrary<PersonInput[]> = fc
  .subarray([...PERSON_IDS])
  .chain((ids) =>
    fc.tuple(
      ...ids.map((id) =>
        fc.record({
          id: fc.constant(id),
          kind: fc.constantFrom(...PERSON_KINDS),
          preferences: flags(['contactLenses', 'glasses', 'shaves', 'makeup', 'medication', 'laptop', 'reads'] as const),
        }),
      ),
    ),
  );

const RULE_IDS = builtInCatalogue.map((r) => r.id);

export const overridesArb: fc.Arbitrary<OverrideInput[]> = fc.uniqueArray(
  fc.record({
    rule_id: fc.constantFrom(...RULE_IDS),
    person_id: fc.option(fc.constantFrom(...PERSON_IDS), { nil: null }),
    quantity: fc.option(fc.integer({ min: 0, max: 20 }), { nil: null }),
    disabled: fc.boolean(),
  }),
  { selector: (o) => `${o.rule_id}|${o.person_id}`, maxLength: 12 },
);

/** The things a person (or another device) does to a list between regenerations. */
export type Edit =
  | { kind: 'pack' | 'unpack' | 'delete' | 'duplicate'; at: number }
  | { kind: 'name'; at: number; value: string }
  | { kind: 'quantity'; at: number; value: number }
  | { kind: 'notes'; at: number; value: string }
  | { kind: 'category'; at: number; value: (typeof CATEGORIES)[number] }
  | { kind: 'manual'; value: string };

const at = fc.nat(200);
export const editsArb: fc.Arbitrary<Edit[]> = fc.array(
  fc.oneof(
    fc.record({ kind: fc.constantFrom('pack', 'unpack', 'delete', 'duplicate') as fc.Arbitrary<'pack'>, at }),
    fc.record({ kind: fc.constant('name' as const), at, value: fc.constantFrom('Socks', 'Wool socks', 'Towel') }),
    fc.record({ kind: fc.constant('quantity' as const), at, value: fc.integer({ min: 0, max: 9 }) }),
    fc.record({ kind: fc.constant('notes' as const), at, value: fc.constantFrom('', 'blue one') }),
    fc.record({ kind: fc.constant('category' as const), at, value: fc.constantFrom(...CATEGORIES) }),
    fc.record({ kind: fc.constant('manual' as const), value: fc.constantFrom('Kite', 'Snorkel') }),
  ),
  { maxLength: 15 },
);

/** Applies edits to live items (indices wrap around); duplicates get fresh ids. */
export function applyEdits(items: readonly StoredItem[], edits: readonly Edit[]): StoredItem[] {
  const out = items.map((i) => ({ ...i }));
  let n = 0;
  for (const edit of edits) {
    if (edit.kind === 'manual') {
      out.push({
        id: `manual-${++n}`, trip_id: TRIP_ID, person_id: null, name: edit.value, category: 'misc', quantity: 1,
        packed: false, notes: '', day: null, rule_id: null, generated: null, deleted_at: null,
      });
      continue;
    }
    const live = out.filter((i) => i.deleted_at === null);
    const item = live[edit.at % Math.max(1, live.length)];
    if (!item) continue;
    switch (edit.kind) {
      case 'pack': item.packed = true; break;
      case 'unpack': item.packed = false; break;
      case 'delete': item.deleted_at = '2026-01-02T00:00:00Z'; break;
      case 'duplicate': out.push({ ...item, id: `dup-${++n}` }); break;
      case 'name': item.name = edit.value; break;
      case 'quantity': item.quantity = edit.value; break;
      case 'notes': item.notes = edit.value; break;
      case 'category': item.category = edit.value; break;
    }
  }
  return out;
}
