// What the app sees of a row: the server's row with the pending outbox edits
// laid on top, in queue order. Used wherever the server row changes under
// pending edits (pull, push results, discard) so "server state + outbox" is
// computed in one place.
import type { EntityName } from '@packsync/model';
import type { PacksyncDb } from './db.ts';
import type { OutboxEntry, Row } from './types.ts';

export function overlay(server: Row | null, entries: readonly OutboxEntry[]): Row | undefined {
  let row: Row | undefined = server && !server.deleted_at ? { ...server } : undefined;
  for (const entry of entries) {
    if (entry.op === 'delete') row = undefined;
    else row = { ...(row ?? ({ id: entry.row_id, version: server?.version ?? 0 } as Row)), ...entry.fields };
  }
  return row;
}

/** Pending entries of one row, oldest first. Call inside a transaction over the outbox. */
export function pendingOf(db: PacksyncDb, entity: EntityName, id: string): Promise<OutboxEntry[]> {
  return db.outbox.where('[entity+row_id]').equals([entity, id]).sortBy('seq');
}

/**
 * Sets the server's row of `id` and recomputes the app's view: with no
 * pending edits the view is the server row and the shadow goes; otherwise
 * the shadow keeps the server row and the view lays the edits on it.
 * `server` null means the server does not have (or no longer shows) the row.
 */
export async function setServerRow(db: PacksyncDb, entity: EntityName, id: string, tripId: string, server: Row | null): Promise<void> {
  const entries = await pendingOf(db, entity, id);
  if (entries.length === 0) {
    await db.shadows.delete([entity, id]);
    if (server && !server.deleted_at) await db.entity(entity).put(server);
    else await db.entity(entity).delete(id);
    return;
  }
  await db.shadows.put({ entity, id, trip_id: tripId, row: server });
  const view = overlay(server, entries);
  if (view) await db.entity(entity).put(view);
  else await db.entity(entity).delete(id);
}

/** Re-lays the pending edits of a row on its server row (after the outbox changed). */
export async function refreshView(db: PacksyncDb, entity: EntityName, id: string): Promise<void> {
  const shadow = await db.shadows.get([entity, id]);
  const server = shadow ? shadow.row : ((await db.entity(entity).get(id)) ?? null);
  const tripId = shadow?.trip_id ?? ((server && (entity === 'trips' ? server.id : server.trip_id)) as string);
  await setServerRow(db, entity, id, tripId, server);
}
