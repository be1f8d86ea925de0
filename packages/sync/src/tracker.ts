// ChangeTracker: the only way the app writes. Validates with the model first
// (bad input → `invalid_input`, nothing written), then writes the row and its
// outbox entry in ONE IndexedDB transaction, so an edit is durable when the
// promise resolves. Compacts as it goes: edits of a row that has not been
// handed to a push yet merge into its queued change (first base version
// kept); a create deleted before it was sent leaves nothing. Entries that a
// push has seen are never changed again (their change_id may already be
// applied on the server), so later edits queue behind them.
import {
  entityFieldColumns,
  entityFieldSchemas,
  entityPatchSchemas,
  itemDefaults,
  personDefaults,
  ruleOverrideDefaults,
  tripDefaults,
  type EntityName,
} from '@packsync/model';
import type { z } from 'zod';
import type { Clock } from './collaborators.ts';
import { tripIdOf, type PacksyncDb } from './db.ts';
import { handedThrough, wasHanded } from './batch.ts';
import { invalidInput, notFound } from './errors.ts';
import { supersedeConflictFields } from './conflicts.ts';
import { pendingOf } from './overlay.ts';
import { dropTombstones, dropTripTombstones, keepTombstones } from './tombstones.ts';
import type { OutboxEntry, Row } from './types.ts';

/**
 * Column defaults of a create, so the device shows the row the server will
 * hold. The model's defaults, plus the one the model leaves to SQL
 * (`items.category default 'misc'` in the trip_content migration).
 */
const CREATE_DEFAULTS: Record<EntityName, Record<string, unknown>> = {
  trips: tripDefaults,
  trip_members: {},
  people: personDefaults,
  items: { category: 'misc', ...itemDefaults },
  rule_overrides: ruleOverrideDefaults,
};

export interface TrackerDeps {
  db: PacksyncDb;
  clock: Clock;
  userId: string;
  uuid(): string;
  /** A stored row failed validation: fetch its trip again from the server. */
  onInvalidLocalRow(entity: EntityName, tripId: string): void;
  /** Something was queued (so the scheduler can push soon); `delta`: change in queued entries. */
  onQueued(delta: number): void;
}

function issuesText(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || '(row)'}: ${i.message}`).join('; ');
}

function fieldsOf(entity: EntityName, row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const column of entityFieldColumns[entity]) if (column in row) out[column] = row[column];
  return out;
}

export class ChangeTracker {
  constructor(private readonly deps: TrackerDeps) {}

  private newEntry(entity: EntityName, op: OutboxEntry['op'], rowId: string, tripId: string,
    fields: Record<string, unknown>, baseVersion: number | null): Omit<OutboxEntry, 'seq'> {
    return {
      change_id: this.deps.uuid(), entity, op, row_id: rowId, trip_id: tripId, fields, base_version: baseVersion,
      attempts: 0, last_error: null, parked: 0, queued_at: this.deps.clock.now(),
    };
  }

  async create(entity: EntityName, input: Record<string, unknown>): Promise<string> {
    const { id: givenId, ...given } = input;
    if (givenId !== undefined && (typeof givenId !== 'string' || !/^[0-9a-f-]{36}$/i.test(givenId))) {
      throw invalidInput('id: must be a UUID (or leave it out and one is made)');
    }
    const patch = entityPatchSchemas[entity].safeParse(given);
    if (!patch.success) throw invalidInput(`${entity}: ${issuesText(patch.error)}`, patch.error);
    const full = entityFieldSchemas[entity].safeParse({ ...CREATE_DEFAULTS[entity], ...given });
    if (!full.success) throw invalidInput(`${entity}: ${issuesText(full.error)}`, full.error);
    const fields = full.data as Record<string, unknown>;
    const id = (givenId as string | undefined) ?? this.deps.uuid();
    const { db, clock, userId } = this.deps;
    const now = new Date(clock.now()).toISOString();
    const row: Row = { id, version: 0, created_at: now, updated_at: now, deleted_at: null, created_by: userId, ...fields };
    const tripId = tripIdOf(entity, row);
    let delta = 1;
    const table = db.entity(entity);
    const scope = [table, db.entity(entity === 'trips' ? 'trip_members' : 'trips'), db.shadows, db.outbox, db.tombstones, db.meta];
    await db.transaction('rw', scope, async () => {
      // A made-up id is new everywhere; a given one may be one this device
      // deleted, with the delete still queued: the create takes the delete's
      // place (a row has a second queued change only behind one a push has
      // seen — push relies on it).
      const [existing, trip, earlier, shadow, through] = await Promise.all([
        table.get(id),
        entity === 'trips' ? null : db.entity('trips').get(tripId),
        givenId === undefined ? [] : pendingOf(db, entity, id),
        givenId === undefined ? undefined : db.shadows.get([entity, id]),
        givenId === undefined ? 0 : handedThrough(db),
      ]);
      if (existing) throw invalidInput(`${entity} ${id} already exists on this device`);
      if (trip === undefined) throw invalidInput(`${entity}: trip_id ${tripId} is not a trip on this device`);
      const writes: Promise<unknown>[] = [table.put(row)];
      if (givenId !== undefined) writes.push(dropTombstones(db, entity, [id]));
      if (!shadow) writes.push(db.shadows.put({ entity, id, trip_id: tripId, row: null }));
      const last = earlier[earlier.length - 1];
      if (last && !wasHanded(last, through) && last.parked === 0) {
        writes.push(db.outbox.put({ ...last, op: 'upsert', fields }));
        delta = 0;
      } else {
        writes.push(db.outbox.add(this.newEntry(entity, 'upsert', id, tripId, fields, shadow?.row?.version ?? null) as OutboxEntry));
      }
      if (entity === 'trips') {
        // The server makes the creator the owner in the same transaction; show
        // it at once. The placeholder goes when the real membership is pulled.
        writes.push(db.entity('trip_members').put({
          id: this.deps.uuid(), version: 0, created_at: now, updated_at: now, deleted_at: null, created_by: userId,
          trip_id: id, user_id: userId, role: 'owner', status: 'active', local_only: true,
        }));
      }
      await Promise.all(writes);
    });
    this.deps.onQueued(delta);
    return id;
  }

  async update(entity: EntityName, id: string, input: Record<string, unknown>): Promise<void> {
    const patch = entityPatchSchemas[entity].safeParse(input);
    if (!patch.success) throw invalidInput(`${entity}: ${issuesText(patch.error)}`, patch.error);
    const fields = patch.data as Record<string, unknown>;
    const { db } = this.deps;
    let invalidTrip: string | undefined;
    let delta = 0;
    const table = db.entity(entity);
    await db.transaction('rw', [table, db.shadows, db.outbox, db.meta, db.conflicts], async () => {
      const [current, shadow, entries, through] = await this.read(entity, id);
      if (!current || current.local_only) throw notFound(entity, id);
      const merged = entityFieldSchemas[entity].safeParse({ ...fieldsOf(entity, current), ...fields });
      if (!merged.success) {
        // The patch is fine on its own; if the stored row fails by itself it
        // is the stored row that is wrong: queue the edit, refetch the trip.
        if (entityFieldSchemas[entity].safeParse(fieldsOf(entity, current)).success) {
          throw invalidInput(`${entity}: ${issuesText(merged.error)}`, merged.error);
        }
        invalidTrip = tripIdOf(entity, current);
      }
      const tripId = tripIdOf(entity, current);
      const writes: Promise<unknown>[] = [table.put({ ...current, ...fields }), supersedeConflictFields(db, entity, id, Object.keys(fields))];
      // First pending edit of the row: remember the server's row so pulls and discards can re-lay edits.
      if (!shadow) writes.push(db.shadows.put({ entity, id, trip_id: tripId, row: current }));
      const last = entries[entries.length - 1];
      if (last && !wasHanded(last, through) && last.parked === 0 && last.op === 'upsert') {
        writes.push(db.outbox.put({ ...last, fields: { ...last.fields, ...fields } }));
      } else {
        const base = (shadow ? shadow.row : current)?.version ?? null;
        writes.push(db.outbox.add(this.newEntry(entity, 'upsert', id, tripId, fields, base) as OutboxEntry));
        delta = 1;
      }
      await Promise.all(writes);
    });
    if (invalidTrip) this.deps.onInvalidLocalRow(entity, invalidTrip);
    this.deps.onQueued(delta);
  }

  async delete(entity: EntityName, id: string): Promise<void> {
    const { db } = this.deps;
    let delta = 0;
    const table = db.entity(entity);
    // A trip takes its content with it; any other row only itself.
    const scope = entity === 'trips' ? db.syncTables : [table, db.shadows, db.outbox, db.tombstones, db.meta];
    await db.transaction('rw', scope, async () => {
      const [current, stored, entries, through] = await this.read(entity, id);
      if (!current || current.local_only) throw notFound(entity, id);
      const tripId = tripIdOf(entity, current);
      const shadow = stored ?? { entity, id, trip_id: tripId, row: current };
      const unsent = entries.every((e) => !wasHanded(e, through) && e.parked === 0);
      const writes: Promise<unknown>[] = [table.delete(id)];
      if (!shadow.row && unsent) {
        // Never reached the server: the create and its edits cancel out.
        writes.push(db.outbox.bulkDelete(entries.map((e) => e.seq)), db.shadows.delete([entity, id]));
        delta = -entries.length;
        if (entity === 'trips') delta -= await this.dropLocalTrip(id);
      } else {
        if (!stored) writes.push(db.shadows.put(shadow));
        const last = entries[entries.length - 1];
        if (last && !wasHanded(last, through) && last.parked === 0) {
          writes.push(db.outbox.put({ ...last, op: 'delete', fields: {} }));
        } else {
          writes.push(db.outbox.add(this.newEntry(entity, 'delete', id, tripId, {}, shadow.row?.version ?? null) as OutboxEntry));
          delta = 1;
        }
        if (entity === 'trips') await this.hideTripContent(id);
      }
      // Even a create that never reached the server: regeneration must not make it again.
      writes.push(keepTombstones(db, entity, [current], new Date(this.deps.clock.now()).toISOString()));
      await Promise.all(writes);
    });
    this.deps.onQueued(delta);
  }

  /** What an edit of a row reads, all at once: the row, its shadow, its queued changes, the handed-through mark. */
  private read(entity: EntityName, id: string) {
    const { db } = this.deps;
    return Promise.all([db.entity(entity).get(id), db.shadows.get([entity, id]), pendingOf(db, entity, id), handedThrough(db)]);
  }

  /** A trip that never reached the server: everything queued in it goes too. */
  private async dropLocalTrip(tripId: string): Promise<number> {
    const { db } = this.deps;
    const dropped = await db.outbox.where('trip_id').equals(tripId).delete();
    await db.shadows.where('trip_id').equals(tripId).delete();
    for (const entity of ['trip_members', 'people', 'items', 'rule_overrides'] as const) {
      await db.entity(entity).where('trip_id').equals(tripId).delete();
    }
    await dropTripTombstones(db, tripId);
    return dropped;
  }

  /** The server tombstones a trip's content with it; the device hides it now (the pull brings the tombstones). */
  private async hideTripContent(tripId: string): Promise<void> {
    const { db } = this.deps;
    for (const entity of ['people', 'items', 'rule_overrides'] as const) {
      await db.entity(entity).where('trip_id').equals(tripId).delete();
    }
    await dropTripTombstones(db, tripId);
  }
}
