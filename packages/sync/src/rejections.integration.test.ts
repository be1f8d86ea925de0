// Changes the server refuses for good: parked with their error, visible,
// never dropped silently and never retried forever, while the rest of the
// queue flows (what users of other engines hit: a queue that wedges behind
// one failing change; a connector that drops writes on a permission error).
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { closeDb, device, serverRows, share, signUp } from './testing/harness.ts';

afterAll(closeDb);

describe('rejected changes', () => {
  it('the queue does not wedge behind a permanently failing change: it is parked while 100 later ones sync', async () => {
    const alice = await signUp('alice');
    const d = await device(alice.client);
    d.net.set(false);
    const trip = await d.engine.create('trips', { name: 'Wedge' });
    // A person of no trip: the model accepts the uuid, the database's foreign key does not.
    const bad = await d.engine.create('items', { trip_id: trip, name: 'Orphan', person_id: randomUUID() });
    const good: string[] = [];
    for (let i = 0; i < 100; i++) good.push(await d.engine.create('items', { trip_id: trip, name: `ok ${i}` }));
    d.net.set(true);
    const summary = await d.engine.syncNow();
    expect(summary.error).toBeNull();

    expect((await serverRows('items', trip)).map((r) => r.id).sort()).toEqual([...good].sort());
    const outbox = await d.engine.outbox.list();
    expect(outbox).toHaveLength(1);
    expect(outbox[0]).toMatchObject({ row_id: bad, parked: 1, attempts: 1, last_error: { code: 'foreign_key_violation' } });
    expect(d.engine.status.get()).toMatchObject({ parked: 1, pending: 0, state: 'idle' });
    expect(await d.engine.get('items', bad)).toMatchObject({ name: 'Orphan' }); // still shown, with its error in the outbox
    expect((await d.engine.health()).checks.find((c) => c.name === 'parked')?.level).toBe('degraded');

    // Never retried by itself: more syncs do not send it again.
    await d.engine.syncNow();
    expect((await d.engine.outbox.list())[0]!.attempts).toBe(1);
    // Retrying on request sends it once more; it fails the same way.
    await d.engine.outbox.retry(outbox[0]!.seq);
    expect((await d.engine.outbox.list())[0]).toMatchObject({ parked: 1, attempts: 2 });
    // Discarding drops it and the row it made.
    await d.engine.outbox.discard(outbox[0]!.seq);
    expect(await d.engine.get('items', bad)).toBeUndefined();
    expect(d.engine.status.get().parked).toBe(0);
    await d.engine.stop();
  });

  it('a write refused for lack of permission is kept and shown, not dropped; discarding it restores the server row', async () => {
    const alice = await signUp('alice');
    const bob = await signUp('bob');
    const owner = await device(alice.client);
    const viewer = await device(bob.client);
    const trip = await owner.engine.create('trips', { name: 'Read only' });
    const item = await owner.engine.create('items', { trip_id: trip, name: 'Tent', quantity: 1 });
    await owner.engine.syncNow();
    await share(owner.engine, trip, { id: bob.id, engine: viewer.engine }, 'viewer');

    await viewer.engine.update('items', item, { quantity: 5 });
    await viewer.engine.syncNow();
    const [parked] = await viewer.engine.outbox.list();
    expect(parked).toMatchObject({ row_id: item, parked: 1, fields: { quantity: 5 }, last_error: { code: 'permission_denied' } });
    expect(viewer.engine.status.get().parked).toBe(1);
    expect((await serverRows('items', trip))[0]).toMatchObject({ quantity: 1 });

    await viewer.engine.outbox.discard(parked!.seq);
    expect(await viewer.engine.get('items', item)).toMatchObject({ quantity: 1 });
    expect(await viewer.engine.outbox.list()).toEqual([]);
    await owner.engine.stop();
    await viewer.engine.stop();
  });

  it('unpushed changes are visible: the outbox lists what is queued, with entity, row, fields and base version', async () => {
    const alice = await signUp('alice');
    const d = await device(alice.client);
    d.net.set(false);
    const trip = await d.engine.create('trips', { name: 'Visible' });
    await d.engine.update('trips', trip, { destination: 'Gent' });
    const list = await d.engine.outbox.list();
    expect(list).toHaveLength(1); // create + update compacted into one change
    expect(list[0]).toMatchObject({ entity: 'trips', op: 'upsert', row_id: trip, base_version: null, parked: 0,
      fields: { name: 'Visible', destination: 'Gent' } });
    expect(d.engine.status.get().pending).toBe(1);
    await d.engine.stop();
  });
});
