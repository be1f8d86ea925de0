import { describe, expect, it } from 'vitest';
import { applyOperations, counterIds, type StoredItem } from './apply-operations.test-helper.ts';
import type { PersonInput } from './evaluate.ts';
import type { OverrideInput } from './overrides.ts';
import { planRegeneration, type Operation } from './regenerate.ts';
import type { TripShape } from './trip-days.ts';
import type { Rule } from './types.ts';

const TRIP_ID = '11111111-1111-4111-8111-111111111111';
const ANA = 'a0000000-0000-4000-8000-000000000001';
const BEN = 'b0000000-0000-4000-8000-000000000002';

// A small catalogue keeps the expectations readable.
const rules: Rule[] = [
  { id: 'socks', name: 'Socks', category: 'clothing', scope: 'person', quantity: { perDay: 1, max: 7, spare: 1 } },
  { id: 'swimsuit', name: 'Swimsuit', category: 'clothing', scope: 'person', applies: { anyTag: ['beach'] }, quantity: { base: 1 } },
  { id: 'kit', name: 'First-aid kit', category: 'health', scope: 'trip', quantity: { base: 1 }, notes: 'Plasters!' },
];

const threeDays: TripShape & { id: string } = {
  id: TRIP_ID,
  start_date: '2026-07-01',
  end_date: '2026-07-03',
  days: [{ date: '2026-07-02', label: '', tags: ['beach'] }],
  settings: {},
};
const ana: PersonInput = { id: ANA, kind: 'adult', preferences: {} };

function plan(items: StoredItem[], opts: { trip?: typeof threeDays; people?: PersonInput[]; overrides?: OverrideInput[]; restoreDeleted?: boolean } = {}) {
  return planRegeneration({
    trip: opts.trip ?? threeDays,
    people: opts.people ?? [ana],
    overrides: opts.overrides ?? [],
    existingItems: items,
    newId: counterIds(),
    catalogue: rules,
    restoreDeleted: opts.restoreDeleted ?? false,
  });
}

/** The list as first generated: socks ×4 (3 days + spare), swimsuit, kit. */
function fresh(): StoredItem[] {
  return applyOperations([], plan([]));
}
const byRule = (items: StoredItem[], rule: string) => items.find((i) => i.rule_id === rule && i.deleted_at === null)!;
const edit = (items: StoredItem[], rule: string, fields: Partial<StoredItem>) =>
  items.map((i) => (i.rule_id === rule ? { ...i, ...fields } : i));

describe('planRegeneration', () => {
  it('creates every wanted item with its snapshot, unpacked', () => {
    const ops = plan([]);
    expect(ops.map((o) => o.op)).toEqual(['create', 'create', 'create']);
    expect(ops[0]).toEqual({
      op: 'create',
      entity: 'items',
      id: 'new-0001',
      fields: {
        trip_id: TRIP_ID,
        person_id: ANA,
        name: 'Socks',
        category: 'clothing',
        quantity: 4,
        packed: false,
        notes: '',
        day: null,
        rule_id: 'socks',
        generated: { name: 'Socks', quantity: 4, category: 'clothing', notes: '' },
      },
    });
  });

  it('plans nothing once the list is up to date', () => {
    expect(plan(fresh())).toEqual([]);
  });

  it('updates an untouched field and refreshes the snapshot', () => {
    const items = fresh();
    const longer = { ...threeDays, end_date: '2026-07-05' };
    expect(plan(items, { trip: longer })).toEqual([
      {
        op: 'update',
        entity: 'items',
        id: byRule(items, 'socks').id,
        fields: { quantity: 6, generated: { name: 'Socks', quantity: 6, category: 'clothing', notes: '' } },
      },
    ]);
  });

  it('keeps a field the user edited, but still refreshes the snapshot', () => {
    const items = edit(fresh(), 'socks', { quantity: 2, name: 'Wool socks' });
    const longer = { ...threeDays, end_date: '2026-07-05' };
    const ops = plan(items, { trip: longer });
    expect(ops).toEqual([
      {
        op: 'update',
        entity: 'items',
        id: byRule(items, 'socks').id,
        fields: { generated: { name: 'Socks', quantity: 6, category: 'clothing', notes: '' } },
      },
    ]);
    // And the edit survives every later regeneration.
    const after = applyOperations(items, ops);
    expect(plan(after, { trip: longer })).toEqual([]);
    expect(byRule(after, 'socks')).toMatchObject({ quantity: 2, name: 'Wool socks' });
  });

  it('never writes packed, even while updating a packed item', () => {
    const items = edit(fresh(), 'socks', { packed: true });
    const ops = plan(items, { trip: { ...threeDays, end_date: '2026-07-05' } });
    expect(ops).toHaveLength(1);
    expect(ops[0]!.op === 'update' && 'packed' in ops[0]!.fields).toBe(false);
  });

  it('deletes an untouched item whose rule no longer applies, flags an edited or packed one', () => {
    const noBeach = { ...threeDays, days: [] };
    const items = fresh();
    expect(plan(items, { trip: noBeach })).toEqual([{ op: 'delete', entity: 'items', id: byRule(items, 'swimsuit').id }]);

    const packed = edit(items, 'swimsuit', { packed: true });
    const edited = edit(items, 'swimsuit', { notes: 'the blue one' });
    for (const state of [packed, edited]) {
      expect(plan(state, { trip: noBeach })).toEqual([{ op: 'flag', id: byRule(state, 'swimsuit').id, reason: 'rule_no_longer_applies' }]);
    }
  });

  it('retires items of a removed person and of unknown rules', () => {
    const items = fresh();
    const stray: StoredItem = { ...byRule(items, 'kit'), id: 'stray', rule_id: 'retired.rule' };
    const ops = plan([...items, stray], { people: [] });
    expect(ops.map((o) => [o.op, o.id])).toEqual([
      ['delete', 'stray'],
      ['delete', byRule(items, 'socks').id],
      ['delete', byRule(items, 'swimsuit').id],
    ]);
  });

  it('never touches manual items', () => {
    const manual: StoredItem = { ...byRule(fresh(), 'kit'), id: 'manual', rule_id: null, generated: null, name: 'Kite' };
    expect(plan([...fresh(), manual], { people: [] }).some((o) => o.id === 'manual')).toBe(false);
  });

  it('does not re-create an item the user deleted, unless asked to restore', () => {
    const items = fresh().map((i) => (i.rule_id === 'kit' ? { ...i, deleted_at: '2026-01-02T00:00:00Z' } : i));
    expect(plan(items)).toEqual([]);
    expect(plan(items, { restoreDeleted: true }).map((o) => o.op === 'create' && o.fields.rule_id)).toEqual(['kit']);
  });

  it('an item with a rule but no snapshot is treated as fully edited', () => {
    const items = edit(fresh(), 'kit', { generated: null, notes: '' });
    expect(plan(items)).toEqual([
      { op: 'update', entity: 'items', id: byRule(items, 'kit').id, fields: { generated: { name: 'First-aid kit', quantity: 1, category: 'health', notes: 'Plasters!' } } },
    ]);
  });

  it('resolves duplicates from two offline devices the same way everywhere', () => {
    const items = fresh();
    const kit = byRule(items, 'kit');
    const twin: StoredItem = { ...kit, id: '0-twin' };
    // The smaller id survives; the untouched twin goes.
    expect(plan([...items, twin])).toEqual([{ op: 'delete', entity: 'items', id: kit.id }]);
    expect(plan([twin, ...items])).toEqual([{ op: 'delete', entity: 'items', id: kit.id }]);
    // A packed twin survives over an unpacked one; an edited loser is flagged, not deleted.
    const packedTwin = { ...kit, id: 'z-twin', packed: true };
    expect(plan([...items, packedTwin])).toEqual([{ op: 'delete', entity: 'items', id: kit.id }]);
    const editedLoser = { ...kit, id: 'z-twin', notes: 'mine' };
    expect(plan([...items, editedLoser])).toEqual([{ op: 'flag', id: 'z-twin', reason: 'duplicate_generated_item' }]);
  });

  it('follows overrides: person-specific quantity, disable', () => {
    const items = fresh();
    const ops: Operation[] = plan(items, {
      people: [ana, { id: BEN, kind: 'adult', preferences: {} }],
      overrides: [
        { rule_id: 'socks', person_id: BEN, quantity: 10, disabled: false },
        { rule_id: 'kit', person_id: null, quantity: null, disabled: true },
      ],
    });
    expect(ops.map((o) => (o.op === 'create' ? `create ${o.fields.rule_id} ${o.fields.person_id} ${o.fields.quantity}` : `${o.op} ${o.id}`))).toEqual([
      `create socks ${BEN} 10`,
      `create swimsuit ${BEN} 1`,
      `delete ${byRule(items, 'kit').id}`,
    ]);
  });
});
