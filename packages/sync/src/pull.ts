// Pull: pages from the cursor until `has_more` is false. Each page and its
// cursor are applied in ONE transaction, with pending local edits laid back
// on top of the new server rows. Applying a row twice is harmless (a new
// member may get a row from a snapshot and again from the log); a row older
// than what the device has is not applied, and its trip is fetched again.
import { MAX_PULL_LIMIT, type PulledChange, type PullResponse } from '@packsync/protocol';
import { ENTITY_NAMES, type EntityName } from '@packsync/model';
import { tripIdOf, type PacksyncDb } from './db.ts';
import { asSyncError, SyncError } from './errors.ts';
import { readRows, writeServerRows, type ServerRowUpdate } from './apply.ts';
import { dropTombstones, dropTripTombstones, keepTombstones } from './tombstones.ts';
import type { Transport } from './transport.ts';
import { systemClock, type Clock } from './collaborators.ts';
import type { Row } from './types.ts';

export interface PullOutcome {
  pulled: number;
  pages: number;
  /** Trips removed because access was revoked. */
  revoked: string[];
  /** Trips whose rows looked wrong (older than the device's): fetch them again. */
  suspect: string[];
  /** Trips that changed (for checksums). */
  touched: Set<string>;
  fullResync: boolean;
  /** Some pages were a snapshot (a first sync, a reset cursor, a trip fetched again): verify what they brought. */
  snapshot: boolean;
  error: SyncError | null;
}

export interface PullDeps {
  db: PacksyncDb;
  transport: Transport;
  userId: string;
  pageSize?: number;
  /** Dates the tombstone of a row pulled as deleted without its row. */
  clock?: Clock;
  /**
   * This device's client id, sent so the server leaves out the rows this
   * client pushed: their push results already set them here. Only for the
   * regular catch-up that follows a push loop which got every result it
   * sent for (SyncService); refetches leave it out.
   */
  clientId?: string;
  /** Called after each applied page (metrics, initial-sync progress). */
  onPage?(rows: number): void;
}

/**
 * A cursor that makes the server send one trip's whole current state and then
 * go on with the log from `cursor`: pull_changes' snapshot form (see its
 * migration), which it checks against the caller's memberships. The snapshot
 * starts at the first entity of the server's registry, by name (`trips`); a
 * number there (the form before the registry) is refused as cursor_invalid,
 * which made every refetch a full resync.
 */
export function tripSnapshotCursor(cursor: string | null, tripId: string): string | null {
  const base = cursor ? /^v1:\d+:\d+/.exec(cursor)?.[0] : undefined;
  return base ? `${base}:${tripId}:trips::0` : null;
}

/** `from.trip`: the pull starts with that trip's snapshot; its rows the snapshot lacks are gone from the server. */
export async function pullUntilCaughtUp(deps: PullDeps, from?: { cursor: string | null; trip?: string }): Promise<PullOutcome> {
  const { db, transport } = deps;
  const outcome: PullOutcome = { pulled: 0, pages: 0, revoked: [], suspect: [], touched: new Set(), fullResync: false, snapshot: false, error: null };
  try {
    let cursor = from ? from.cursor : ((await db.getMeta<string>('cursor')) ?? null);
    let resyncing = cursor === null || from?.trip !== undefined;
    // A resync that replaces what the device holds (a trip fetched again, a
    // refused cursor) stores its cursor only with its last page: only its end
    // removes the rows it did not see, so one cut off half-way starts again.
    // (A snapshot cursor left behind used to be finished by an ordinary pull
    // without that step: a row deleted before the resync began stayed.) A
    // first sync has nothing to remove and resumes where it stopped.
    let holdCursor = from?.trip !== undefined;
    let scope = cursor === null ? undefined : from?.trip;
    // Rows the server still has, seen during a full resync; the others go at the end.
    const seen = new Set<string>();
    let resetOnce = false;
    // A resync's snapshot brings only the tombstones regeneration needs
    // (deleted generated items), so what the device remembered of the
    // trip(s) is dropped with the first page (not the last, which may
    // already bring deletes from the log) and taken again from the pages.
    let forgetTombstones = resyncing;
    // Page n+1 is asked for as soon as page n arrives (its cursor is known
    // then), so the server works on it while page n is written. A request
    // left behind by a failure is dropped (a pull only reads).
    const request = (at: string | null) => {
      const response = transport.pull(at, deps.pageSize ?? MAX_PULL_LIMIT, deps.clientId);
      response.catch(() => undefined);
      return response;
    };
    let next: Promise<PullResponse> | null = null;
    for (;;) {
      let page: PullResponse;
      try {
        page = await (next ?? request(cursor));
      } catch (error) {
        next = null;
        const e = asSyncError(error);
        if (e.code === 'cursor_invalid' && cursor !== null && !resetOnce) {
          // The server cannot continue from our cursor: take everything again,
          // keep the outbox. Once per run, so a server that keeps refusing
          // cannot make us loop.
          resetOnce = true;
          resyncing = true;
          holdCursor = true;
          scope = undefined;
          forgetTombstones = true;
          outcome.fullResync = true;
          cursor = null;
          continue;
        }
        throw e;
      }
      next = page.has_more ? request(page.cursor) : null;
      if (resyncing) outcome.snapshot = true;
      await db.relaxed(db.syncTables, async () => {
        if (resyncing) for (const c of page.changes) if (c.op !== 'revoke') seen.add(`${c.entity}:${c.id}`);
        if (forgetTombstones) await dropTripTombstones(db, scope);
        const now = new Date((deps.clock ?? systemClock).now()).toISOString();
        await applyPage(db, deps.userId, page.changes, outcome, resyncing, now);
        if (resyncing && !page.has_more) await dropUnseen(db, seen, scope);
        if (!holdCursor || !page.has_more) await db.setMeta('cursor', page.cursor);
      });
      forgetTombstones = false;
      outcome.pages++;
      outcome.pulled += page.changes.length;
      deps.onPage?.(page.changes.length);
      cursor = page.cursor;
      if (!page.has_more) break;
    }
  } catch (error) {
    outcome.error = asSyncError(error);
  }
  return outcome;
}

/**
 * One page, in order: runs of row changes are applied in bulk per entity
 * (the server sends each row's newest state once per page); a revoke ends a
 * run, since a trip may be left and joined again within one page.
 * `trusted`: a resync's snapshot, the server's word even where the device
 * holds a higher version.
 */
export async function applyPage(db: PacksyncDb, userId: string, changes: PulledChange[], outcome: PullOutcome, trusted: boolean,
  now: string): Promise<void> {
  let run: PulledChange[] = [];
  for (const change of changes) {
    if (change.op !== 'revoke') {
      run.push(change);
      continue;
    }
    await applyRun(db, userId, run, outcome, trusted, now);
    run = [];
    await removeTrip(db, change.trip_id);
    outcome.revoked.push(change.trip_id);
  }
  await applyRun(db, userId, run, outcome, trusted, now);
}

async function applyRun(db: PacksyncDb, userId: string, run: PulledChange[], outcome: PullOutcome, trusted: boolean,
  now: string): Promise<void> {
  const byEntity = new Map<EntityName, Map<string, PulledChange>>();
  for (const change of run) {
    outcome.touched.add(change.trip_id);
    let changes = byEntity.get(change.entity);
    if (!changes) byEntity.set(change.entity, (changes = new Map()));
    changes.delete(change.id); // keep the newest, in the order of its last change
    changes.set(change.id, change);
  }
  // Parents first, so a trip deleted in this run hides children written in it.
  for (const entity of ENTITY_NAMES) {
    const changes = byEntity.get(entity);
    if (!changes) continue;
    // A snapshot's live rows need no look at the device's copy: the server's
    // word is taken (no version check) and nothing of the view is kept.
    const ids = [...changes.keys()];
    const states = await readRows(db, entity, ids, trusted ? ids.filter((id) => !isLive(changes.get(id)!)) : ids);
    const updates: ServerRowUpdate[] = [];
    const joined = new Set<string>();
    const deletedTrips: string[] = [];
    const live: string[] = [];
    // Rows the device shows that the server says are deleted: remembered once their view is gone.
    const removed: Row[] = [];
    for (const change of changes.values()) {
      const state = states.get(change.id)!;
      const known = state.shadow ? state.shadow.row : state.view;
      if (!trusted && known && change.version !== null && known.version > 0 && change.version < known.version) {
        // The server is behind the device (restored from a backup?): do not go
        // back silently; fetch the trip again and let the checksum confirm.
        if (!outcome.suspect.includes(change.trip_id)) outcome.suspect.push(change.trip_id);
        continue;
      }
      const row = change.op === 'delete' ? null : ((change.row as Row | null) ?? null);
      if (entity === 'trip_members' && row && row.user_id === userId) joined.add(change.trip_id);
      if (entity === 'trips' && (!row || row.deleted_at)) deletedTrips.push(change.trip_id);
      if (row && !row.deleted_at) live.push(change.id);
      // A delete the device never showed (a snapshot's deleted generated
      // item, on a new device or after a resync) is remembered from the row
      // the server sent, so regeneration keeps the user's delete.
      else if (state.view || change.row) removed.push({ ...state.view, ...(row ?? change.row ?? {}) } as Row);
      updates.push({ id: change.id, tripId: change.trip_id, server: row });
    }
    await writeServerRows(db, entity, updates, states);
    await dropTombstones(db, entity, live);
    if (removed.length) {
      // Gone from view, and its trip still here (a deleted trip takes its tombstones with it).
      const views = await db.entity(entity).bulkGet(removed.map((r) => r.id));
      const trips = await db.entity('trips').bulkGet(removed.map((r) => tripIdOf(entity, r)));
      await keepTombstones(db, entity, removed.filter((_, i) => !views[i] && trips[i]), now);
    }
    // The real membership replaces the placeholder `create('trips')` showed.
    for (const tripId of joined) {
      await db.entity('trip_members').where('trip_id').equals(tripId).and((m) => m.local_only === true).delete();
    }
    for (const tripId of deletedTrips) await hideTripContent(db, tripId);
  }
}

function isLive(change: PulledChange): boolean {
  return change.op === 'upsert' && change.row !== null && !change.row.deleted_at;
}

/** Access revoked: the trip and everything in it leave the device, queued edits included (the server would refuse them). */
export async function removeTrip(db: PacksyncDb, tripId: string): Promise<void> {
  await db.entity('trips').delete(tripId);
  for (const entity of ENTITY_NAMES) if (entity !== 'trips') await db.entity(entity).where('trip_id').equals(tripId).delete();
  await db.shadows.where('trip_id').equals(tripId).delete();
  await db.outbox.where('trip_id').equals(tripId).delete();
  await db.conflicts.where('trip_id').equals(tripId).delete();
  await dropTripTombstones(db, tripId);
}

async function hideTripContent(db: PacksyncDb, tripId: string): Promise<void> {
  for (const entity of ['people', 'items', 'rule_overrides'] as const) {
    const ids = await db.entity(entity).where('trip_id').equals(tripId).primaryKeys();
    if (ids.length === 0) continue;
    const states = await readRows(db, entity, ids);
    await writeServerRows(db, entity, ids.map((id) => ({ id, tripId, server: null })), states);
  }
  await dropTripTombstones(db, tripId);
}

/** After a full resync: server rows the server no longer sent are gone (rows with pending edits stay). */
async function dropUnseen(db: PacksyncDb, seen: Set<string>, trip?: string): Promise<void> {
  for (const entity of ENTITY_NAMES as readonly EntityName[]) {
    const table = db.entity(entity);
    const ids = trip === undefined ? await table.toCollection().primaryKeys()
      : await (entity === 'trips' ? table.where('id') : table.where('trip_id')).equals(trip).primaryKeys();
    const unseen = ids.filter((id) => !seen.has(`${entity}:${id}`));
    if (unseen.length === 0) continue;
    const states = await readRows(db, entity, unseen);
    const gone = unseen.filter((id) => !states.get(id)!.shadow && !states.get(id)!.view?.local_only);
    if (gone.length) await table.bulkDelete(gone);
  }
}
