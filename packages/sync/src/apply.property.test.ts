// The bulk page apply (pull.ts applyPage over apply.ts) against the rule it
// implements, applied one row at a time (overlay.ts setServerRow, plus the
// version check and the tombstones): on random device states (views,
// pending edits with their shadows, tombstones) and random pages (upserts,
// deletes, tombstoned rows, versions above and below the device's; snapshot
// or log), both must leave every table the same and report the same trips
// as suspect. Seeded (fast-check); PACKSYNC_PROPERTY_SEED / _RUNS replay or
// widen it; the seed is printed.
import fc from 'fast-check';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import type { PulledChange } from '@packsync/protocol';
import { PacksyncDb } from './db.ts';
import { setServerRow } from './overlay.ts';
import { applyPage, type PullOutcome } from './pull.ts';
import { dropTombstones, keepTombstones } from './tombstones.ts';
import type { OutboxEntry, Row } from './types.ts';

const TRIP = '10000000-0000-4000-8000-000000000001';
const USER = '00000000-0000-4000-8000-000000000001';
const NOW = '2026-12-01T00:00:00.000Z';
const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}0000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`);
// 20 items: more than the 16 above which the bulk path scans id ranges.
const POOL = { people: ids('2', 4), items: ids('3', 20) } as const;
type Entity = keyof typeof POOL;

interface LocalRow { entity: Entity; id: string; view: number | null; pending: ('upsert' | 'delete')[]; tombstone: boolean }
interface PageRow { entity: Entity; id: string; op: 'upsert' | 'delete'; version: number; deleted: boolean }

const entityArb = fc.constantFrom<Entity>('people', 'items', 'items', 'items');
const localArb = fc.array(fc.record({
  entity: entityArb, k: fc.nat(19), view: fc.option(fc.integer({ min: 1, max: 6 })),
  pending: fc.array(fc.constantFrom<'upsert' | 'delete'>('upsert', 'delete'), { maxLength: 2 }), tombstone: fc.boolean(),
}), { maxLength: 40, size: 'max' });
const pageArb = fc.array(fc.record({
  entity: entityArb, k: fc.nat(19), op: fc.constantFrom<'upsert' | 'delete'>('upsert', 'upsert', 'delete'),
  version: fc.integer({ min: 1, max: 6 }), deleted: fc.boolean(),
}), { maxLength: 80, size: 'max' });

const pick = (entity: Entity, k: number) => POOL[entity][k % POOL[entity].length]!;
const row = (entity: Entity, id: string, version: number, extra: Record<string, unknown> = {}): Row => ({
  id, version, trip_id: TRIP, name: `${entity} ${id.slice(-2)} v${version}`, deleted_at: null, ...extra,
});

async function seed(db: PacksyncDb, local: LocalRow[]): Promise<void> {
  await db.entity('trips').put({ id: TRIP, version: 1, name: 'Trip', deleted_at: null });
  let change = 0;
  for (const l of local) {
    const server = l.view === null ? null : row(l.entity, l.id, l.view);
    if (l.pending.length === 0) {
      if (server) await db.entity(l.entity).put(server);
    } else {
      const entries: Omit<OutboxEntry, 'seq'>[] = l.pending.map((op) => ({
        change_id: `c${++change}`, entity: l.entity, op, row_id: l.id, trip_id: TRIP,
        fields: op === 'upsert' ? { name: `mine ${change}`, trip_id: TRIP } : {}, base_version: server?.version ?? null,
        attempts: 0, last_error: null, parked: 0, queued_at: change,
      }));
      for (const e of entries) await db.outbox.add(e as OutboxEntry);
      await setServerRow(db, l.entity, l.id, TRIP, server); // the view with the edits laid on
    }
    if (l.tombstone) await db.tombstones.put({ entity: l.entity, id: l.id, trip_id: TRIP, row: row(l.entity, l.id, 1, { deleted_at: NOW }) });
  }
}

/** The same page, one row at a time through setServerRow. */
async function applyRowByRow(db: PacksyncDb, page: PulledChange[], outcome: PullOutcome, trusted: boolean): Promise<void> {
  for (const change of page) {
    const entity = change.entity as Entity;
    const view = await db.entity(entity).get(change.id);
    const shadow = await db.shadows.get([entity, change.id]);
    const known = shadow ? shadow.row : view;
    if (!trusted && known && change.version !== null && known.version > 0 && change.version < known.version) {
      if (!outcome.suspect.includes(change.trip_id)) outcome.suspect.push(change.trip_id);
      continue;
    }
    const server = change.op === 'delete' ? null : (change.row as Row | null);
    await setServerRow(db, entity, change.id, change.trip_id, server);
    if (server && !server.deleted_at) await dropTombstones(db, entity, [change.id]);
    else if ((view || change.row) && !(await db.entity(entity).get(change.id))) {
      await keepTombstones(db, entity, [{ ...view, ...(server ?? change.row ?? {}) } as Row], NOW);
    }
  }
}

async function dump(db: PacksyncDb) {
  const out: Record<string, unknown> = {};
  for (const t of db.tables) out[t.name] = await t.toArray();
  return out;
}

function toPage(rows: { entity: Entity; k: number; op: 'upsert' | 'delete'; version: number; deleted: boolean }[]): PulledChange[] {
  const seen = new Set<string>();
  const page: PulledChange[] = [];
  for (const r of rows) {
    const id = pick(r.entity, r.k);
    if (seen.has(id)) continue; // the server sends each row once per page
    seen.add(id);
    page.push({
      entity: r.entity, id, trip_id: TRIP, op: r.op, version: r.version,
      row: r.op === 'delete' ? null : row(r.entity, id, r.version, r.deleted ? { deleted_at: NOW } : {}),
    });
  }
  return page;
}

const outcome = (): PullOutcome => ({ pulled: 0, pages: 0, revoked: [], suspect: [], touched: new Set(), fullResync: false, snapshot: false, error: null });
let dbs = 0;
const open = async () => {
  const db = new PacksyncDb(`apply-${dbs++}`, { indexedDB: new IDBFactory(), IDBKeyRange });
  await db.open();
  return db;
};

describe('bulk page apply', () => {
  it('leaves the device exactly as applying the page row by row does', async () => {
    const seed0 = Number(process.env.PACKSYNC_PROPERTY_SEED ?? Date.now() % 2 ** 31);
    const runs = Number(process.env.PACKSYNC_PROPERTY_RUNS ?? 60);
    console.log(`apply property: seed ${seed0}, ${runs} runs`);
    await fc.assert(fc.asyncProperty(localArb, pageArb, fc.boolean(), async (localRaw, pageRaw, trusted) => {
      const local: LocalRow[] = [];
      const taken = new Set<string>();
      for (const l of localRaw) {
        const id = pick(l.entity, l.k);
        if (taken.has(id)) continue;
        taken.add(id);
        local.push({ entity: l.entity, id, view: l.view, pending: l.pending, tombstone: l.tombstone && l.view === null && l.pending.length === 0 });
      }
      const page = toPage(pageRaw);
      const [bulk, single] = [await open(), await open()];
      try {
        await seed(bulk, local);
        await seed(single, local);
        const [a, b] = [outcome(), outcome()];
        // Each ends with the cursor's write, as a pulled page does.
        await bulk.transaction('rw', bulk.syncTables, async () => {
          await applyPage(bulk, USER, page, a, trusted, NOW);
          await bulk.setMeta('cursor', 'c');
        });
        await single.transaction('rw', single.syncTables, async () => {
          await applyRowByRow(single, page, b, trusted);
          await single.setMeta('cursor', 'c');
        });
        expect(await dump(bulk)).toEqual(await dump(single));
        expect(a.suspect).toEqual(b.suspect);
      } finally {
        bulk.close();
        single.close();
      }
    }), { seed: seed0, numRuns: runs });
  }, 120_000);
});
