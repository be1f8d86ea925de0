// Bulk application of server rows to the mirror: one read per table for a
// whole batch (views, shadows, pending outbox entries), then bulk writes. The
// per-row rule is the one in overlay.ts (server row + pending edits on top);
// this only makes it cost a handful of IndexedDB requests per page instead of
// several per row.
import type { Table } from 'dexie';
import type { EntityName } from '@packsync/model';
import type { PacksyncDb, Shadow } from './db.ts';
import { overlay } from './overlay.ts';
import type { OutboxEntry, Row } from './types.ts';

export interface ServerRowUpdate {
  id: string;
  tripId: string;
  /** The server's row now; null or a tombstone: the server does not show it. */
  server: Row | null;
}

export interface RowState {
  view: Row | undefined;
  shadow: Shadow | undefined;
  pending: OutboxEntry[];
}

/**
 * Current state of many rows of one entity, in three bulk reads. `viewIds`:
 * the rows whose app view the caller needs (all by default); a snapshot page
 * of live rows needs none, and reading a thousand views is a thousand
 * IndexedDB requests, as many as writing them.
 */
export async function readRows(db: PacksyncDb, entity: EntityName, ids: string[], viewIds: string[] = ids): Promise<Map<string, RowState>> {
  const keys = ids.map((id) => [entity, id] as [string, string]);
  const [views, shadows, pending] = await Promise.all([
    viewIds.length ? db.entity(entity).bulkGet(viewIds) : [],
    inRange(db.shadows, '[entity+id]', entity, ids, keys, (s) => s.id),
    inRange(db.outbox, '[entity+row_id]', entity, ids, keys, (e) => e.row_id),
  ]);
  const byId = new Map<string, RowState>();
  for (const id of ids) byId.set(id, { view: undefined, shadow: undefined, pending: [] });
  viewIds.forEach((id, i) => (byId.get(id)!.view = views[i]));
  for (const shadow of shadows) byId.get(shadow.id)!.shadow = shadow;
  for (const entry of pending.sort((a, b) => a.seq - b.seq)) byId.get(entry.row_id)?.pending.push(entry);
  return byId;
}

/**
 * Records of these rows in a table indexed by `[entity+id]` (outbox entries,
 * shadows, tombstones). A few rows: one index lookup each (`anyOf`). A page
 * or a push batch: one scan of the entity's range of the index, filtered
 * here — `anyOf` with a thousand compound keys costs a cursor jump per key
 * (56 s for 1000 keys over a 10 000-entry outbox in fake-indexeddb), and
 * `bulkGet` a request per key, while the scan is bounded by the table's
 * size, which these tables keep small (rows with pending edits, deleted rows).
 */
export async function inRange<T>(table: Table<T>, index: string, entity: EntityName, ids: readonly string[],
  keys: [string, string][], idOf: (record: T) => string): Promise<T[]> {
  if (ids.length === 0) return [];
  if (ids.length <= 16) return table.where(index).anyOf(keys).toArray();
  const [lo, hi] = idRange(ids);
  const wanted = new Set(ids);
  const found = await table.where(index).between([entity, lo], [entity, hi], true, true).toArray();
  return found.filter((record) => wanted.has(idOf(record)));
}

/** The lowest and highest of some ids (not empty). */
export function idRange(ids: readonly string[]): [string, string] {
  let lo = ids[0]!;
  let hi = lo;
  for (const id of ids) if (id < lo) lo = id; else if (id > hi) hi = id;
  return [lo, hi];
}

/** Sets the server rows of many rows of one entity and rewrites their views, in bulk. */
export async function writeServerRows(db: PacksyncDb, entity: EntityName, updates: ServerRowUpdate[],
  states: Map<string, RowState>): Promise<void> {
  const puts: Row[] = [];
  const deletes: string[] = [];
  const shadowPuts: Shadow[] = [];
  const shadowDeletes: string[] = [];
  for (const { id, tripId, server } of updates) {
    const state = states.get(id);
    const pending = state?.pending ?? [];
    const live = server && !server.deleted_at ? server : null;
    if (pending.length === 0) {
      if (state?.shadow) shadowDeletes.push(id);
      if (live) puts.push(live);
      else if (state?.view) deletes.push(id);
      continue;
    }
    shadowPuts.push({ entity, id, trip_id: tripId, row: server });
    const view = overlay(server, pending);
    if (view) puts.push(view);
    else if (state?.view) deletes.push(id);
  }
  const table = db.entity(entity);
  if (puts.length) await table.bulkPut(puts);
  if (deletes.length) await table.bulkDelete(deletes);
  if (shadowPuts.length) await db.shadows.bulkPut(shadowPuts);
  await deleteShadows(db, entity, shadowDeletes);
}

/** Shorter runs of adjacent shadows are deleted key by key (a range costs Dexie a count and a delete). */
const MIN_RUN = 4;

/**
 * Deletes the shadows of some rows of one entity: runs of them with no other
 * shadow between (in key order) go as one range, the rest key by key. A
 * delete costs IndexedDB about what a put does, so a push batch of a thousand
 * creates paid a thousand of them; their ids are time-ordered (ids.ts), so
 * their shadows are one run. Call after this transaction's shadow puts.
 */
export async function deleteShadows(db: PacksyncDb, entity: EntityName, ids: readonly string[]): Promise<void> {
  if (ids.length < MIN_RUN) {
    if (ids.length) await db.shadows.bulkDelete(ids.map((id) => [entity, id] as [string, string]));
    return;
  }
  const [lo, hi] = idRange(ids);
  const wanted = new Set(ids);
  const stored = (await db.shadows.where('[entity+id]').between([entity, lo], [entity, hi], true, true).primaryKeys()) as [string, string][];
  const single: [string, string][] = [];
  const ranges: Promise<unknown>[] = [];
  let run: [string, string][] = [];
  const flush = () => {
    if (run.length >= MIN_RUN) ranges.push(db.shadows.where('[entity+id]').between(run[0]!, run[run.length - 1]!, true, true).delete());
    else single.push(...run);
    run = [];
  };
  for (const key of stored) {
    if (wanted.has(key[1])) run.push(key);
    else flush();
  }
  flush();
  await Promise.all([...ranges, single.length ? db.shadows.bulkDelete(single) : undefined]);
}
