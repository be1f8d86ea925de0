// Tombstones against the real stack: a generated item the user deleted stays
// deleted through regeneration, on the device that deleted it, on another
// device once it pulled the delete, after a resync, and on a device that
// joins later (snapshots carry them); tombstones go with their trip.
import { generatedKey, planRegeneration, type ExistingItem, type PersonInput, type OverrideInput } from '@packsync/model';
import { afterAll, describe, expect, it } from 'vitest';
import type { SyncEngine } from './engine.ts';
import { closeDb, device, signIn, signUp } from './testing/harness.ts';

afterAll(closeDb);

/** What the web app's regenerateTrip does: plan from live rows plus tombstones, apply through the engine. */
async function regenerate(engine: SyncEngine, tripId: string): Promise<{ created: string[] }> {
  const trip = await engine.get('trips', tripId);
  const people = await engine.list('people', { trip_id: tripId });
  const overrides = await engine.list('rule_overrides', { trip_id: tripId });
  const items = await engine.list('items', { trip_id: tripId, includeDeleted: true });
  const ops = planRegeneration({
    trip: trip as never, people: people as unknown as PersonInput[], overrides: overrides as unknown as OverrideInput[],
    existingItems: items as unknown as ExistingItem[], newId: () => crypto.randomUUID(),
  });
  const created: string[] = [];
  for (const op of ops) {
    if (op.op === 'create') {
      await engine.create('items', { ...op.fields });
      created.push(generatedKey(op.fields));
    } else if (op.op === 'update') await engine.update('items', op.id, { ...op.fields });
    else if (op.op === 'delete') await engine.delete('items', op.id);
  }
  return { created };
}

async function liveKeys(engine: SyncEngine, tripId: string): Promise<string[]> {
  return (await engine.list('items', { trip_id: tripId })).map((i) => generatedKey(i as never));
}

describe('tombstones', () => {
  it('a deleted generated item is not re-created by regeneration: here, on another device, after a resync, on a new device', async () => {
    const alice = await signUp('alice');
    const laptop = await device(alice.client);
    const phone = await device(await signIn(alice));

    const trip = await laptop.engine.create('trips', { name: 'Porto', start_date: '2026-12-24', end_date: '2026-12-26' });
    await laptop.engine.create('people', { trip_id: trip, name: 'Anna', kind: 'adult' });
    const first = await regenerate(laptop.engine, trip);
    expect(first.created.length).toBeGreaterThan(3);
    expect((await laptop.engine.syncNow()).error).toBeNull();
    expect((await phone.engine.syncNow()).error).toBeNull();

    const generated = (await laptop.engine.list('items', { trip_id: trip })).filter((i) => i.rule_id !== null);
    const gone = generated[0]!;
    const goneKey = generatedKey(gone as never);
    await laptop.engine.delete('items', gone.id);

    // Hidden everywhere but in list(…, includeDeleted), and never queued as a change of its own.
    expect(await laptop.engine.get('items', gone.id)).toBeUndefined();
    expect((await laptop.engine.list('items', { trip_id: trip })).map((i) => i.id)).not.toContain(gone.id);
    const withDeleted = await laptop.engine.list('items', { trip_id: trip, includeDeleted: true });
    expect(withDeleted.find((i) => i.id === gone.id)).toMatchObject({
      trip_id: trip, rule_id: gone.rule_id, person_id: gone.person_id, day: gone.day, name: gone.name,
      category: gone.category, deleted_at: expect.any(String),
    });
    expect((await laptop.engine.outbox.list()).map((e) => [e.op, e.row_id])).toEqual([['delete', gone.id]]);

    expect((await regenerate(laptop.engine, trip)).created).toEqual([]);
    expect(await liveKeys(laptop.engine, trip)).not.toContain(goneKey);
    expect((await laptop.engine.syncNow()).error).toBeNull();
    expect(laptop.engine.status.get()).toMatchObject({ pending: 0 });

    // The phone learns of the delete from the log and remembers it from its own mirror row.
    expect((await phone.engine.syncNow()).error).toBeNull();
    expect(await phone.engine.get('items', gone.id)).toBeUndefined();
    expect((await phone.engine.list('items', { trip_id: trip, includeDeleted: true })).find((i) => i.id === gone.id))
      .toMatchObject({ rule_id: gone.rule_id, person_id: gone.person_id, day: gone.day, deleted_at: expect.any(String) });
    expect((await regenerate(phone.engine, trip)).created).toEqual([]);
    expect(await liveKeys(phone.engine, trip)).not.toContain(goneKey);
    expect(await phone.engine.outbox.list()).toEqual([]);

    // A full resync starts the trip over from the server's snapshot, which
    // carries deleted generated items: the tombstone survives it.
    await phone.engine.db!.setMeta('cursor', 'v1:99999999999:0');
    expect((await phone.engine.syncNow()).error).toBeNull();
    expect(phone.engine.metrics().counters.full_resyncs).toBe(1);
    expect((await phone.engine.list('items', { trip_id: trip, includeDeleted: true })).filter((i) => i.deleted_at).map((i) => i.id))
      .toEqual([gone.id]);
    expect((await regenerate(phone.engine, trip)).created).toEqual([]);

    // A device signed in after the delete never saw the row alive: its first
    // snapshot brings the tombstone, so its regeneration keeps the delete too.
    const tablet = await device(await signIn(alice));
    expect((await tablet.engine.syncNow()).error).toBeNull();
    expect(await tablet.engine.get('items', gone.id)).toBeUndefined();
    expect((await tablet.engine.list('items', { trip_id: trip, includeDeleted: true })).find((i) => i.id === gone.id))
      .toMatchObject({ rule_id: gone.rule_id, person_id: gone.person_id, day: gone.day, deleted_at: expect.any(String) });
    expect((await regenerate(tablet.engine, trip)).created).toEqual([]);
    expect(await tablet.engine.outbox.list()).toEqual([]);
    await tablet.engine.stop();

    // The trip's deletion takes its tombstones along, on both devices.
    await laptop.engine.delete('trips', trip);
    expect(await laptop.engine.list('items', { trip_id: trip, includeDeleted: true })).toEqual([]);
    expect((await laptop.engine.syncNow()).error).toBeNull();
    expect((await phone.engine.syncNow()).error).toBeNull();
    expect(await phone.engine.list('items', { trip_id: trip, includeDeleted: true })).toEqual([]);
    await laptop.engine.stop();
    await phone.engine.stop();
  });

  it('a row created again with the same id replaces its tombstone', async () => {
    const alice = await signUp('alice');
    const d = await device(alice.client);
    d.net.set(false);
    const trip = await d.engine.create('trips', { name: 'Offline' });
    const id = crypto.randomUUID();
    await d.engine.create('items', { id, trip_id: trip, name: 'Hat', rule_id: null });
    await d.engine.delete('items', id);
    expect((await d.engine.list('items', { trip_id: trip, includeDeleted: true })).map((i) => [i.id, Boolean(i.deleted_at)]))
      .toEqual([[id, true]]);
    await d.engine.create('items', { id, trip_id: trip, name: 'Hat again' });
    expect((await d.engine.list('items', { trip_id: trip, includeDeleted: true })).map((i) => [i.name, i.deleted_at]))
      .toEqual([['Hat again', null]]);
    expect(await d.engine.db!.tombstones.count()).toBe(0);
    await d.engine.stop();
  });
});
