// Bulk application of server rows to the mirror: one read per table for a
// whole batch (views, shadows, pending outbox entries), then bulk writes. The
// per-row rule is the one in overlay.ts (server row + pending edits on top);
// this only makes it cost a handful of IndexedDB requests per page instead of
// several per row.
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

/** Current state of many rows of one entity, in three bulk reads. */
export async function readRows(db: PacksyncDb, entity: EntityName, ids: string[]): Promise<Map<string, RowState>> {
  const keys = ids.map((id) => [entity, id] as [string, string]);
  const [views, shadows, pending] = await Promise.all([
    db.entity(entity).bulkGet(ids),
    db.shadows.bulkGet(keys),
    pendingOf(db, entity, ids, keys),
  ]);
  const byId = new Map<string, RowState>();
  ids.forEach((id, i) => byId.set(id, { view: views[i], shadow: shadows[i], pending: [] }));
  for (const entry of pending.sort((a, b) => a.seq - b.seq)) byId.get(entry.row_id)?.pending.push(entry);
  return byId;
}

/**
 * Outbox entries of these rows. A few rows: one index lookup each (`anyOf`).
 * A page or a push batch: one scan of the entity's range of the index,
 * filtered here — `anyOf` with a thousand compound keys costs a cursor jump
 * per key (56 s for 1000 keys over a 10 000-entry outbox in fake-indexeddb),
 * while the scan is bounded by the outbox's size.
 */
async function pendingOf(db: PacksyncDb, entity: EntityName, ids: string[], keys: [string, string][]): Promise<OutboxEntry[]> {
  if (ids.length <= 16) return db.outbox.where('[entity+row_id]').anyOf(keys).toArray();
  const sorted = [...ids].sort();
  const wanted = new Set(ids);
  const inRange = await db.outbox.where('[entity+row_id]')
    .between([entity, sorted[0]!], [entity, sorted[sorted.length - 1]!], true, true).toArray();
  return inRange.filter((entry) => wanted.has(entry.row_id));
}

/** Sets the server rows of many rows of one entity and rewrites their views, in bulk. */
export async function writeServerRows(db: PacksyncDb, entity: EntityName, updates: ServerRowUpdate[],
  states: Map<string, RowState>): Promise<void> {
  const puts: Row[] = [];
  const deletes: string[] = [];
  const shadowPuts: Shadow[] = [];
  const shadowDeletes: [string, string][] = [];
  for (const { id, tripId, server } of updates) {
    const state = states.get(id);
    const pending = state?.pending ?? [];
    const live = server && !server.deleted_at ? server : null;
    if (pending.length === 0) {
      if (state?.shadow) shadowDeletes.push([entity, id]);
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
  if (shadowDeletes.length) await db.shadows.bulkDelete(shadowDeletes);
}
