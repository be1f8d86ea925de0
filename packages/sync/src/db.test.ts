// Schema upgrades: every old version is opened, written the way that version
// wrote, and upgraded by the current code without losing a thing.
import { Dexie } from 'dexie';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { CURRENT_VERSION, PacksyncDb, PARKED, SCHEMA_VERSIONS, WAITING } from './db.ts';

const trip = '10000000-0000-4000-8000-000000000001';
const item = '30000000-0000-4000-8000-000000000001';

describe('PacksyncDb', () => {
  it('commits strict (edits are on disk when they resolve) except what relaxed() opens', async () => {
    const db = new PacksyncDb('durability', { indexedDB: new IDBFactory(), IDBKeyRange });
    await db.open();
    const durability = () => (Dexie.currentTransaction as unknown as { idbtrans: IDBTransaction }).idbtrans.durability;
    expect(await db.transaction('rw', db.meta, async () => durability())).toBe('strict');
    expect(await db.relaxed([db.meta, db.outbox], async () => durability())).toBe('relaxed');
    expect(await db.transaction('rw', db.meta, db.outbox, async () => durability())).toBe('strict');
    // Asked for in one tick, in both orders: each keeps its own.
    expect(await Promise.all([
      db.transaction('rw', db.meta, async () => durability()), db.relaxed([db.outbox], async () => durability()),
      db.transaction('rw', db.shadows, async () => durability()),
    ])).toEqual(['strict', 'relaxed', 'strict']);
    db.close();
  });

  it('lists every version in order and opens at the newest', async () => {
    expect(SCHEMA_VERSIONS.map((v) => v.version)).toEqual([1, 2, 3, 4]);
    const db = new PacksyncDb('fresh', { indexedDB: new IDBFactory(), IDBKeyRange });
    await db.open();
    expect(db.verno).toBe(CURRENT_VERSION);
    expect(db.tables.map((t) => t.name).sort()).toEqual(
      ['conflicts', 'items', 'meta', 'outbox', 'people', 'rule_overrides', 'shadows', 'tombstones', 'trip_members', 'trips']);
    db.close();
  });

  it('upgrades 1 → current: server rows move from `_server` into shadows, parked becomes 0/1, data kept', async () => {
    const indexedDB = new IDBFactory();
    const v1 = new PacksyncDb('old', { indexedDB, IDBKeyRange }, 1);
    await v1.open();
    const server = { id: item, version: 3, trip_id: trip, name: 'Socks', quantity: 1 };
    await v1.table('items').put({ ...server, quantity: 4, _server: server });
    await v1.table('items').put({ id: '30000000-0000-4000-8000-000000000002', version: 1, trip_id: trip, name: 'Hat' });
    await v1.table('outbox').add({ change_id: 'c1', entity: 'items', row_id: item, op: 'upsert', fields: { quantity: 4 }, parked: false });
    await v1.table('outbox').add({ change_id: 'c2', entity: 'items', row_id: item, op: 'upsert', fields: {}, parked: true });
    await v1.table('meta').put({ key: 'cursor', value: 'v1:5:0' });
    v1.close();

    const v2 = new PacksyncDb('old', { indexedDB, IDBKeyRange });
    await v2.open();
    expect(v2.verno).toBe(CURRENT_VERSION);
    expect(await v2.entity('items').get(item)).toEqual({ ...server, quantity: 4 });
    expect(await v2.shadows.get(['items', item])).toEqual({ entity: 'items', id: item, trip_id: trip, row: server });
    expect(await v2.shadows.count()).toBe(1);
    expect((await v2.outbox.orderBy('seq').toArray()).map((e) => e.parked)).toEqual([0, 1]);
    expect(await v2.outbox.where('[parked+seq]').between(...PARKED).count()).toBe(1);
    expect(await v2.outbox.where('[parked+seq]').between(...WAITING).count()).toBe(1);
    expect(await v2.getMeta('cursor')).toBe('v1:5:0');
    v2.close();
  });

  it('upgrades 2 → 3 keeping the queue and its parked entries countable', async () => {
    const indexedDB = new IDBFactory();
    const v2 = new PacksyncDb('two', { indexedDB, IDBKeyRange }, 2);
    await v2.open();
    await v2.table('outbox').bulkAdd([{ change_id: 'a', parked: 0 }, { change_id: 'b', parked: 1 }, { change_id: 'c', parked: 0 }]);
    v2.close();
    const v3 = new PacksyncDb('two', { indexedDB, IDBKeyRange });
    await v3.open();
    expect((await v3.outbox.where('[parked+seq]').between(...WAITING).toArray()).map((e) => e.change_id)).toEqual(['a', 'c']);
    expect(await v3.outbox.where('[parked+seq]').between(...PARKED).count()).toBe(1);
    v3.close();
  });

  it('upgrades 3 → 4: a tombstones store appears, data kept', async () => {
    const indexedDB = new IDBFactory();
    const v3 = new PacksyncDb('old', { indexedDB, IDBKeyRange }, 3);
    await v3.open();
    const row = { id: item, version: 2, trip_id: trip, name: 'Socks', quantity: 1 };
    await v3.table('items').put(row);
    await v3.table('shadows').put({ entity: 'items', id: item, trip_id: trip, row });
    await v3.table('outbox').add({ change_id: 'c1', entity: 'items', row_id: item, trip_id: trip, op: 'delete', fields: {}, parked: 0 });
    await v3.table('meta').put({ key: 'cursor', value: 'v1:5:0' });
    v3.close();

    const v4 = new PacksyncDb('old', { indexedDB, IDBKeyRange });
    await v4.open();
    expect(v4.verno).toBe(4);
    expect(await v4.entity('items').get(item)).toEqual(row);
    expect(await v4.shadows.count()).toBe(1);
    expect((await v4.outbox.toArray()).map((e) => e.change_id)).toEqual(['c1']);
    expect(await v4.getMeta('cursor')).toBe('v1:5:0');
    expect(await v4.tombstones.count()).toBe(0);
    await v4.tombstones.put({ entity: 'items', id: item, trip_id: trip, row: { ...row, deleted_at: '2026-12-01T00:00:00Z' } });
    expect(await v4.tombstones.where('trip_id').equals(trip).count()).toBe(1);
    v4.close();
  });
});
