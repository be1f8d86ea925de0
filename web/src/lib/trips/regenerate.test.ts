import { planRegeneration, type Operation } from '@packsync/model';
import { describe, expect, it } from 'vitest';
import { applyPlan, regenerateTrip } from './regenerate.ts';

// The engine's writes are the collaborator here; they are recorded in order.
function recorder() {
  const calls: unknown[][] = [];
  return {
    calls,
    create: async (entity: string, fields: Record<string, unknown>) => (calls.push(['create', entity, fields]), 'new-id'),
    update: async (entity: string, id: string, patch: Record<string, unknown>) => void calls.push(['update', entity, id, patch]),
    delete: async (entity: string, id: string) => void calls.push(['delete', entity, id]),
  };
}

describe('applyPlan', () => {
  it('writes creates, updates and deletes in plan order and reports flags without writing', async () => {
    const engine = recorder();
    const ops: Operation[] = [
      { op: 'delete', entity: 'items', id: 'old' },
      { op: 'flag', id: 'kept', reason: 'rule_no_longer_applies' },
      { op: 'update', entity: 'items', id: 'socks', fields: { quantity: 4 } },
    ];
    const summary = await applyPlan(engine, ops);
    expect(engine.calls).toEqual([
      ['delete', 'items', 'old'],
      ['update', 'items', 'socks', { quantity: 4 }],
    ]);
    expect(summary).toEqual({ created: 0, updated: 1, deleted: 1, flagged: [{ id: 'kept', reason: 'rule_no_longer_applies' }] });
  });

  it('creates what the model plans for a new trip, never with `packed` set', async () => {
    const tripId = crypto.randomUUID();
    const ops = planRegeneration({
      trip: { id: tripId, start_date: '2026-12-24', end_date: '2026-12-25', days: [], settings: {} },
      people: [{ id: crypto.randomUUID(), kind: 'adult', preferences: {} }],
      overrides: [],
      existingItems: [],
      newId: () => crypto.randomUUID(),
    });
    const engine = recorder();
    const summary = await applyPlan(engine, ops);
    expect(summary.created).toBe(ops.length);
    expect(summary.created).toBeGreaterThan(3);
    for (const [, entity, fields] of engine.calls) {
      expect(entity).toBe('items');
      expect(fields).toMatchObject({ trip_id: tripId, packed: false });
    }
  });
});

describe('regenerateTrip', () => {
  it('reads the tombstones too, so a generated item the user deleted is not created again', async () => {
    const tripId = crypto.randomUUID();
    const trip = { id: tripId, start_date: '2026-12-24', end_date: '2026-12-25', days: [], settings: {} };
    const people = [{ id: crypto.randomUUID(), trip_id: tripId, kind: 'adult', preferences: {} }];
    const writes = recorder();
    // A device's engine: list() shows live rows, and tombstones only when asked.
    let tombstones: Record<string, unknown>[] = [];
    const engine = {
      ...writes,
      get: async () => trip,
      list: async (entity: string, where?: { includeDeleted?: boolean }) =>
        entity === 'people' ? people : entity === 'items' && where?.includeDeleted ? tombstones : [],
    } as unknown as Parameters<typeof regenerateTrip>[0];

    const first = await regenerateTrip(engine, tripId);
    expect(first.created).toBeGreaterThan(3);
    // The user deleted every generated item: each is a tombstone now.
    tombstones = writes.calls.map(([, , fields]) => ({ ...(fields as object), id: crypto.randomUUID(), deleted_at: '2026-12-01T00:00:00Z' }));
    writes.calls.length = 0;
    expect(await regenerateTrip(engine, tripId)).toEqual({ created: 0, updated: 0, deleted: 0, flagged: [] });
    expect(writes.calls).toEqual([]);
    // "Restore deleted suggestions" creates them again.
    expect((await regenerateTrip(engine, tripId, { restoreDeleted: true })).created).toBe(first.created);
  });
});
