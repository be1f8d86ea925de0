// ChangeTracker on fake-indexeddb, no server: validation before any write,
// row + outbox in one transaction, compaction rules.
import { randomUUID } from 'node:crypto';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { beforeEach, describe, expect, it } from 'vitest';
import { PacksyncDb } from './db.ts';
import { DEFAULT_PUSH_LIMITS, takeBatch } from './batch.ts';
import { nextBatch } from './push.ts';
import { FakeClock } from './testing/fake-clock.ts';
import { ChangeTracker } from './tracker.ts';

let db: PacksyncDb;
let tracker: ChangeTracker;
const invalid: string[] = [];

beforeEach(async () => {
  db = new PacksyncDb('tracker-test', { indexedDB: new IDBFactory(), IDBKeyRange });
  await db.open();
  invalid.length = 0;
  tracker = new ChangeTracker({
    db, clock: new FakeClock(), userId: randomUUID(), uuid: () => randomUUID(),
    onInvalidLocalRow: (_e, trip) => invalid.push(trip), onQueued: () => {},
  });
});

describe('ChangeTracker', () => {
  it('bad input gets a clear error and writes nothing', async () => {
    await expect(tracker.create('trips', { name: '  ' })).rejects.toMatchObject({ code: 'invalid_input', message: /name: must not be blank/ });
    await expect(tracker.create('trips', { name: 'ok', version: 3 })).rejects.toMatchObject({ code: 'invalid_input' });
    const trip = await tracker.create('trips', { name: 'Trip' });
    await expect(tracker.update('trips', trip, { start_date: '2026-05-10', end_date: '2026-05-01' })).rejects.toMatchObject({ message: /end_date/ });
    await expect(tracker.create('items', { trip_id: randomUUID(), name: 'x' })).rejects.toMatchObject({ message: /not a trip on this device/ });
    await expect(tracker.update('items', randomUUID(), { packed: true })).rejects.toMatchObject({ code: 'not_found' });
    expect(await db.outbox.count()).toBe(1);
    expect(await db.entity('trips').get(trip)).toMatchObject({ name: 'Trip', start_date: null });
  });

  it('writes the row and its outbox entry together, with the create defaults the server would fill', async () => {
    const trip = await tracker.create('trips', { name: 'Trip' });
    const item = await tracker.create('items', { trip_id: trip, name: 'Socks' });
    expect(await db.entity('items').get(item)).toMatchObject({ category: 'misc', quantity: 1, packed: false, version: 0 });
    const members = await db.entity('trip_members').where('trip_id').equals(trip).toArray();
    expect(members).toMatchObject([{ role: 'owner', status: 'active', local_only: true }]);
    expect((await db.outbox.toArray()).map((e) => [e.entity, e.op, e.base_version])).toEqual([['trips', 'upsert', null], ['items', 'upsert', null]]);
  });

  it('compacts several edits of a row into one change with merged fields and the first base version', async () => {
    const trip = await tracker.create('trips', { name: 'Trip' });
    await tracker.update('trips', trip, { destination: 'Rome' });
    await tracker.update('trips', trip, { name: 'Roma', destination: 'Rome, IT' });
    const [entry, ...rest] = await db.outbox.toArray();
    expect(rest).toEqual([]);
    expect(entry).toMatchObject({ base_version: null, fields: { name: 'Roma', destination: 'Rome, IT', days: [] } });
  });

  it('create then delete leaves nothing, for the trip and what was queued in it', async () => {
    const trip = await tracker.create('trips', { name: 'Trip' });
    await tracker.create('items', { trip_id: trip, name: 'Socks' });
    await tracker.delete('trips', trip);
    expect(await db.outbox.count()).toBe(0);
    expect(await db.entity('items').count()).toBe(0);
    expect(await db.entity('trip_members').count()).toBe(0);
    expect(await db.shadows.count()).toBe(0);
  });

  it('never merges into a change a push has seen; later edits queue behind it with the same base', async () => {
    const trip = await tracker.create('trips', { name: 'Trip' });
    const [sent] = await db.outbox.toArray();
    await db.outbox.update(sent!.seq, { attempts: 1 });
    await tracker.update('trips', trip, { destination: 'Oslo' });
    await tracker.delete('trips', trip);
    const entries = await db.outbox.toArray();
    expect(entries.map((e) => [e.op, e.attempts, e.fields])).toEqual([
      ['upsert', 1, sent!.fields],
      ['delete', 0, {}], // the queued update became the delete (edits of a row, compacted)
    ]);
  });

  it('a create under the id of a row whose delete is still queued takes the delete\'s place', async () => {
    const trip = await tracker.create('trips', { name: 'Trip' });
    const item = await tracker.create('items', { trip_id: trip, name: 'Socks' });
    await db.outbox.toCollection().modify({ attempts: 1 }); // both sent
    await db.outbox.clear(); // ...and applied: the server has them
    await db.shadows.put({ entity: 'items', id: item, trip_id: trip, row: { id: item, version: 4, trip_id: trip, name: 'Socks' } });
    await tracker.delete('items', item);
    await tracker.create('items', { id: item, trip_id: trip, name: 'Socks again' });
    const entries = await db.outbox.toArray();
    expect(entries.map((e) => [e.op, e.base_version, e.fields.name])).toEqual([['upsert', 4, 'Socks again']]);
    expect((await db.shadows.get(['items', item]))?.row).toMatchObject({ version: 4 });
  });

  it('a change a push took is never merged into, even before any answer (the handed-through mark is durable)', async () => {
    const trip = await tracker.create('trips', { name: 'Trip' });
    await takeBatch(db, DEFAULT_PUSH_LIMITS); // handed to a push whose answer never comes (the tab closed)
    const reopened = new ChangeTracker({ db, clock: new FakeClock(), userId: randomUUID(), uuid: () => randomUUID(), onInvalidLocalRow: () => {}, onQueued: () => {} });
    await reopened.update('trips', trip, { name: 'Renamed' });
    expect((await db.outbox.toArray()).map((e) => [e.op, e.fields.name])).toEqual([['upsert', 'Trip'], ['upsert', 'Renamed']]);
    await reopened.delete('trips', trip); // the server may have the create: the delete must go out
    expect((await db.outbox.toArray()).map((e) => e.op)).toEqual(['upsert', 'delete']);
  });

  it('never reorders across rows, and a batch stops before a second change of one row', async () => {
    const trip = await tracker.create('trips', { name: 'Trip' });
    const a = await tracker.create('items', { trip_id: trip, name: 'A' });
    await db.outbox.toCollection().modify({ attempts: 1 }); // both sent once
    const b = await tracker.create('items', { trip_id: trip, name: 'B' });
    await tracker.update('items', a, { packed: true });
    const order = (await db.outbox.orderBy('seq').toArray()).map((e) => e.row_id);
    expect(order).toEqual([trip, a, b, a]);
    const batch = await nextBatch(db, { maxChanges: 1000, maxBytes: 1 << 20 });
    expect(batch.entries.map((e) => e.row_id)).toEqual([trip, a, b]);
  });

  it('a stored row that fails validation does not block an edit: the edit is queued and the trip refetched', async () => {
    const trip = await tracker.create('trips', { name: 'Trip' });
    const stored = (await db.entity('trips').get(trip))!;
    await db.entity('trips').put({ ...stored, name: '' });
    await tracker.update('trips', trip, { destination: 'Bergen' });
    expect(invalid).toEqual([trip]);
    expect((await db.entity('trips').get(trip))!.destination).toBe('Bergen');
  });
});

describe('nextBatch', () => {
  it('keeps within the byte limit and waits behind a parked change of the same row', async () => {
    const trip = await tracker.create('trips', { name: 'Trip' });
    const items: string[] = [];
    for (let i = 0; i < 5; i++) items.push(await tracker.create('items', { trip_id: trip, name: `item ${i}`, notes: 'x'.repeat(300) }));
    const small = await nextBatch(db, { maxChanges: 1000, maxBytes: 1500 });
    expect(small.entries.length).toBeGreaterThan(0);
    expect(JSON.stringify({ client_id: randomUUID(), changes: small.changes }).length).toBeLessThanOrEqual(1500);
    expect(small.entries.length).toBeLessThan(6);

    const first = (await db.outbox.where('[entity+row_id]').equals(['items', items[0]!]).first())!;
    await db.outbox.update(first.seq, { parked: 1, attempts: 1 });
    await tracker.update('items', items[0]!, { packed: true });
    const batch = await nextBatch(db, { maxChanges: 1000, maxBytes: 1 << 20 });
    expect(batch.entries.some((e) => e.row_id === items[0])).toBe(false);
    expect(batch.entries).toHaveLength(5); // the trip and the other four items
    const counted = await nextBatch(db, { maxChanges: 2, maxBytes: 1 << 20 });
    expect(counted.entries).toHaveLength(2);
  });
});
