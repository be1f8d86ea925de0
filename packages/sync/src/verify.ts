// Recovery after a catch-up: trips that looked wrong during the pull (a
// server version below the device's), trips with a stored row that failed
// validation, and trips whose checksum of `entity:id:version` differs from
// the server's are fetched again by a snapshot of that one trip. One
// refetch per trip per cycle, so a server that keeps disagreeing cannot make
// the engine loop; the next catch-up checks again.
import type { Clock, Logger } from './collaborators.ts';
import type { PacksyncDb } from './db.ts';
import { asSyncError, type SyncError } from './errors.ts';
import type { Metrics } from './metrics.ts';
import { pullUntilCaughtUp, tripSnapshotCursor, type PullOutcome } from './pull.ts';
import type { Transport } from './transport.ts';
import { ENTITY_NAMES } from '@packsync/model';

/** How long a trip's checksum holds: a catch-up compares it again only after this (a resync always does). */
export const DEFAULT_VERIFY_EVERY_MS = 5 * 60_000;

export interface VerifierDeps {
  db: PacksyncDb;
  transport: Transport;
  logger: Logger;
  metrics: Metrics;
  clock: Clock;
  userId: string;
  checksum: ((tripIds: string[], token: string) => Promise<Record<string, string> | null>) | null;
  token(): Promise<string>;
  /** DEFAULT_VERIFY_EVERY_MS by default; 0 compares after every catch-up. */
  everyMs?: number;
}

/**
 * Checksums cost the server a read of the whole trip, more than the pulls
 * that prompt them (bench/findings.md, measure 4: 397 checksum requests for
 * 200 edits). So a trip is compared after a snapshot brought it, and
 * otherwise at most once per `everyMs`: trips that changed meanwhile wait,
 * remembered, for the first catch-up after their time has come.
 */
export class Verifier {
  private pending = new Set<string>();
  /** Trips changed since their last comparison, with when that was (undefined: never in this session). */
  private unverified = new Map<string, number | undefined>();
  private verifiedAt = new Map<string, number>();

  constructor(private readonly deps: VerifierDeps) {}

  /** Fetch this trip again after the next catch-up. */
  refetch(tripId: string): void {
    this.pending.add(tripId);
  }

  /** Trips to compare now: all that a snapshot brought, the others once their interval is over. */
  private due(pull: PullOutcome, skip: Set<string>): string[] {
    const now = this.deps.clock.now();
    const every = this.deps.everyMs ?? DEFAULT_VERIFY_EVERY_MS;
    for (const tripId of pull.touched) {
      if (pull.snapshot) this.verifiedAt.delete(tripId);
      this.unverified.set(tripId, this.verifiedAt.get(tripId));
    }
    for (const tripId of pull.revoked) this.unverified.delete(tripId);
    const due: string[] = [];
    for (const [tripId, at] of this.unverified) {
      if (skip.has(tripId)) continue;
      if (at === undefined || now - at >= every) due.push(tripId);
    }
    return due;
  }

  async afterCatchUp(pull: PullOutcome): Promise<SyncError | null> {
    const { metrics, clock } = this.deps;
    const refetch = new Set([...this.pending, ...pull.suspect]);
    this.pending.clear();
    try {
      if (this.deps.checksum) {
        const tripIds = this.due(pull, refetch);
        const server = tripIds.length ? await this.deps.checksum(tripIds, await this.deps.token()) : null;
        if (server) {
          metrics.count('checksum_requests');
          for (const tripId of tripIds) {
            this.unverified.delete(tripId);
            this.verifiedAt.set(tripId, clock.now());
            const theirs = server[tripId];
            if (theirs === undefined) continue;
            if (theirs !== (await localChecksum(this.deps.db, tripId))) {
              metrics.count('checksum_mismatches');
              refetch.add(tripId);
            }
          }
        }
      }
      for (const tripId of refetch) {
        const error = await this.resyncTrip(tripId);
        if (error) {
          // Cut off: this trip and those after it are fetched after the next catch-up.
          const left = [...refetch];
          for (const trip of left.slice(left.indexOf(tripId))) this.pending.add(trip);
          return error;
        }
      }
    } catch (error) {
      return asSyncError(error);
    }
    return null;
  }

  /** One trip's current state from the server, then the log from where the device was. */
  async resyncTrip(tripId: string): Promise<SyncError | null> {
    const { db, transport, userId, metrics, logger } = this.deps;
    const cursor = tripSnapshotCursor((await db.getMeta<string>('cursor')) ?? null, tripId);
    if (cursor === null) return null; // no cursor yet: the initial snapshot is underway anyway
    metrics.count('trip_resyncs');
    logger.warn('trip_resync', { trip_id: tripId });
    const outcome = await pullUntilCaughtUp({ db, transport, userId }, { cursor, trip: tripId });
    return outcome.error;
  }
}

/**
 * sha256 hex of the trip's live server rows as `entity:id:version` lines,
 * sorted — the same text `public.trip_checksums` hashes. Server state, not
 * the view: a row with pending edits counts with its shadow.
 */
export async function localChecksum(db: PacksyncDb, tripId: string): Promise<string> {
  const lines: string[] = [];
  await db.transaction('r', db.syncTables, async () => {
    for (const entity of ENTITY_NAMES) {
      const table = db.entity(entity);
      const rows = await (entity === 'trips' ? table.where('id') : table.where('trip_id')).equals(tripId).toArray();
      const shadows = await db.shadows.where('trip_id').equals(tripId).and((s) => s.entity === entity).toArray();
      const byId = new Map(rows.filter((r) => !r.local_only).map((r) => [r.id, r]));
      for (const s of shadows) {
        if (s.row && !s.row.deleted_at) byId.set(s.id, s.row);
        else byId.delete(s.id);
      }
      for (const row of byId.values()) if (!row.deleted_at) lines.push(`${entity}:${row.id}:${row.version}`);
    }
  });
  lines.sort();
  const digest = await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(lines.join('\n')));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}
