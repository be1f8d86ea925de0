import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { itemFields, itemPatch, SNAPSHOT_FIELDS } from '../fields/item.ts';
import { applyOperations, counterIds, type StoredItem } from './apply-operations.test-helper.ts';
import { applyEdits, editsArb, overridesArb, peopleArb, tripArb } from './arbitraries.test-helper.ts';
import { builtInCatalogue } from './catalogue/index.ts';
import { evaluate } from './evaluate.ts';
import { capOf } from './quantity.ts';
import { generatedKey, planRegeneration, type Operation } from './regenerate.ts';

const stateArb = fc.record({ trip: tripArb, people: peopleArb, overrides: overridesArb });
type State = typeof stateArb extends fc.Arbitrary<infer S> ? S : never;

function plan(state: State, items: readonly StoredItem[], prefix: string): Operation[] {
  return planRegeneration({ ...state, existingItems: items, newId: counterIds(prefix) });
}

/** A list generated for one state, edited by a person, then the trip changes. */
const scenarioArb = fc.record({ before: stateArb, edits: editsArb, after: stateArb }).map(({ before, edits, after }) => {
  const generated = applyOperations([], plan(before, [], 'first'));
  return { items: applyEdits(generated, edits), state: after };
});

const RUNS = { numRuns: 300 };

describe('regeneration properties', () => {
  it('is idempotent: planning again after applying the plan yields only the same flags', () => {
    fc.assert(
      fc.property(scenarioArb, ({ items, state }) => {
        const ops = plan(state, items, 'second');
        const applied = applyOperations(items, ops);
        const again = plan(state, applied, 'third');
        expect(again).toEqual(ops.filter((o) => o.op === 'flag'));
      }),
      RUNS,
    );
  });

  it('never changes a user-edited field, packed, or a manual item; never deletes what the user touched or re-creates what they deleted', () => {
    fc.assert(
      fc.property(scenarioArb, ({ items, state }) => {
        const byId = new Map(items.map((i) => [i.id, i]));
        const liveKeys = new Set(items.filter((i) => !i.deleted_at).map(generatedKey));
        const deletedKeys = new Set(items.filter((i) => i.deleted_at).map(generatedKey));
        for (const op of plan(state, items, 'second')) {
          if (op.op === 'create') {
            // A generated item the user deleted stays deleted.
            const key = generatedKey(op.fields);
            expect(deletedKeys.has(key) && !liveKeys.has(key)).toBe(false);
            continue;
          }
          const item = byId.get(op.id)!;
          expect(item.deleted_at).toBeNull();
          expect(item.rule_id).not.toBeNull();
          if (op.op === 'update') {
            expect(Object.keys(op.fields).every((k) => (SNAPSHOT_FIELDS as readonly string[]).includes(k) || k === 'generated')).toBe(true);
            for (const field of SNAPSHOT_FIELDS) {
              if (field in op.fields) expect(item[field]).toEqual(item.generated?.[field]);
            }
          }
          if (op.op === 'delete') {
            expect(item.packed).toBe(false);
            for (const field of SNAPSHOT_FIELDS) expect(item[field]).toEqual(item.generated?.[field]);
          }
        }
      }),
      RUNS,
    );
  });

  it('converges: every wanted item not deleted by the user is on the list with the current snapshot', () => {
    fc.assert(
      fc.property(scenarioArb, ({ items, state }) => {
        const applied = applyOperations(items, plan(state, items, 'second'));
        const deleted = new Set(items.filter((i) => i.deleted_at && i.rule_id).map(generatedKey));
        const live = applied.filter((i) => !i.deleted_at && i.rule_id !== null);
        for (const want of evaluate(state.trip, state.people, state.overrides)) {
          const matches = live.filter((i) => generatedKey(i) === generatedKey(want));
          if (deleted.has(generatedKey(want)) && matches.length === 0) continue;
          expect(matches.length).toBeGreaterThan(0);
          const { name, quantity, category, notes } = want;
          expect(matches.some((m) => JSON.stringify(m.generated) === JSON.stringify({ name, quantity, category, notes }))).toBe(true);
        }
      }),
      RUNS,
    );
  });

  it('emits valid fields and does not depend on the order items are listed in', () => {
    fc.assert(
      fc.property(scenarioArb, fc.integer(), ({ items, state }, seed) => {
        const ops = plan(state, items, 'second');
        for (const op of ops) {
          if (op.op === 'create') expect(itemFields.safeParse(op.fields).success).toBe(true);
          if (op.op === 'update') expect(itemPatch.safeParse(op.fields).success).toBe(true);
        }
        const shuffled = [...items].sort((a, b) => ((hash(a.id) ^ seed) >>> 0) - ((hash(b.id) ^ seed) >>> 0));
        expect(plan(state, shuffled, 'second')).toEqual(ops);
      }),
      RUNS,
    );
  });
});

describe('quantity properties', () => {
  const rulesById = new Map(builtInCatalogue.map((r) => [r.id, r]));

  it('every generated quantity is at least 1 and within its cap plus spares', () => {
    fc.assert(
      fc.property(tripArb, peopleArb, (trip, people) => {
        for (const item of evaluate(trip, people)) {
          const formula = rulesById.get(item.rule_id)!.quantity;
          const cap = capOf(formula, trip.settings.laundry === true);
          expect(item.quantity).toBeGreaterThanOrEqual(1);
          expect(item.quantity).toBeLessThanOrEqual(999);
          if (cap !== undefined) expect(item.quantity).toBeLessThanOrEqual(cap + (formula.spare ?? 0));
          if (item.rule_id === 'clothing.socks') expect(item.quantity).toBeLessThanOrEqual(trip.settings.laundry ? 5 : 8);
        }
      }),
      RUNS,
    );
  });
});

function hash(s: string): number {
  let h = 0;
  for (const ch of s) h = (Math.imul(h, 31) + ch.charCodeAt(0)) | 0;
  return h;
}
