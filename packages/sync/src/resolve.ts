// Answering a conflict the user decides: 'theirs' keeps what the device
// shows (the server's values), 'mine' or chosen fields go out as a new edit
// based on the server's version — through the tracker, like any edit.
import { entityFieldColumns, type EntityName } from '@packsync/model';
import type { PacksyncDb } from './db.ts';
import { asSyncError } from './errors.ts';
import type { ChangeTracker } from './tracker.ts';
import type { Conflict, Resolution } from './types.ts';

function pickFields(entity: EntityName, source: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(entityFieldColumns[entity].filter((c) => c in source).map((c) => [c, source[c]]));
}

export async function resolveConflict(db: PacksyncDb, tracker: ChangeTracker, conflict: Conflict, resolution: Resolution): Promise<void> {
  const row = await db.entity(conflict.entity).get(conflict.row_id);
  const deletedMine = conflict.mine.deleted_at === 'deleted';
  try {
    if (resolution === 'theirs') {
      // The server's values are what the device shows already.
    } else if (resolution === 'mine' && deletedMine) {
      if (row) await tracker.delete(conflict.entity, conflict.row_id);
    } else if (resolution === 'mine' && !row) {
      // Their delete won; keeping mine means creating it again.
      const fields = pickFields(conflict.entity, { ...(conflict.theirs ?? {}), ...conflict.mine });
      await tracker.create(conflict.entity, fields);
    } else {
      const fields = resolution === 'mine' ? conflict.mine : resolution;
      if (row) await tracker.update(conflict.entity, conflict.row_id, fields);
    }
  } catch (error) {
    throw asSyncError(error);
  }
  await db.conflicts.delete(conflict.id);
}