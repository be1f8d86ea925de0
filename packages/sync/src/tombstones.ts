// Tombstones: the last local state of rows deleted on this device or pulled
// as deleted, kept so regeneration can tell "the user deleted this generated
// item" from "never had it" (planRegeneration skips keys with a tombstone).
// They are local memory only: never shown by get()/list() unless asked for,
// never pushed, never counted. They go with their trip (revoke, trip deleted,
// resync) and give way when the row comes back under the same id.
import type { EntityName } from '@packsync/model';
import { idRange } from './apply.ts';
import type { PacksyncDb } from './db.ts';
import type { Row } from './types.ts';

export interface Tombstone {
  entity: EntityName;
  id: string;
  trip_id: string;
  /** The row as the device last showed it, with `deleted_at` set. */
  row: Row;
}

/** Remembers deleted rows (trips are not remembered: their content goes with them). Call inside a transaction. */
export async function keepTombstones(db: PacksyncDb, entity: EntityName, rows: readonly Row[], deletedAt: string): Promise<void> {
  if (entity === 'trips' || rows.length === 0) return;
  await db.tombstones.bulkPut(rows.map((row) => ({
    entity, id: row.id, trip_id: row.trip_id as string,
    row: { ...row, deleted_at: (row.deleted_at as string | null | undefined) ?? deletedAt },
  })));
}

/**
 * The rows are back (restored or created again with the same id). A page of
 * rows is looked up by one key scan of its id range first: nearly always none
 * of them has a tombstone, and a delete per row would cost a request each.
 */
export async function dropTombstones(db: PacksyncDb, entity: EntityName, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  if (ids.length <= 16) {
    await db.tombstones.bulkDelete(ids.map((id) => [entity, id] as [string, string]));
    return;
  }
  const [lo, hi] = idRange(ids);
  const wanted = new Set(ids);
  const keys = await db.tombstones.where('[entity+id]').between([entity, lo], [entity, hi], true, true).primaryKeys();
  const gone = keys.filter((key) => wanted.has(key[1]));
  if (gone.length) await db.tombstones.bulkDelete(gone);
}

/** The trip left the device, was deleted, or is fetched again: its tombstones go. `undefined`: every trip. */
export async function dropTripTombstones(db: PacksyncDb, tripId: string | undefined): Promise<void> {
  if (tripId === undefined) await db.tombstones.clear();
  else await db.tombstones.where('trip_id').equals(tripId).delete();
}

/** Tombstoned rows of an entity (optionally one trip's) whose id is not live again. */
export async function listTombstones(db: PacksyncDb, entity: EntityName, tripId: string | undefined,
  live: readonly Row[]): Promise<Row[]> {
  if (entity === 'trips') return [];
  const all = tripId === undefined ? await db.tombstones.toArray() : await db.tombstones.where('trip_id').equals(tripId).toArray();
  const liveIds = new Set(live.map((r) => r.id));
  return all.filter((t) => t.entity === entity && !liveIds.has(t.id)).map((t) => t.row);
}
