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
    db.outbox.where('[entity+row_id]').anyOf(keys).toArray(),
  ]);
  const byId = new Map<string, RowState>();
  ids.forEach((id, i) => byId.set(id, { view: views[i], shadow: shadows[i], pending: [] }));
  for (const entry of pending.sort((a, b) => a.seq - b.seq)) byId.get(entry.row_id)?.pending.push(entry);
  return byId;
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
