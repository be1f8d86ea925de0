// One push: the oldest queued changes as one batch within the protocol's
// limits, and every result applied in one transaction. Returns what happened;
// never throws (the scheduler decides about errors and retries).
import { MAX_BODY_BYTES, MAX_CHANGES_PER_PUSH, PUSH_ERROR_CODES, type Change, type PushResult } from '@packsync/protocol';
import type { EntityName } from '@packsync/model';
import type { ConflictResolver } from './conflicts.ts';
import { WAITING, type PacksyncDb } from './db.ts';
import { asSyncError, badResponse, SyncError } from './errors.ts';
import { readRows, writeServerRows, type ServerRowUpdate } from './apply.ts';
import { setServerRow } from './overlay.ts';
import type { Transport } from './transport.ts';
import type { OutboxEntry, Row } from './types.ts';

export interface PushOutcome {
  /** Changes the server took (applied or merged). */
  pushed: number;
  conflicts: number;
  parked: number;
  /** Entries still sendable after this push. */
  remaining: number;
  error: SyncError | null;
  statuses: Partial<Record<PushResult['status'], number>>;
  byEntity: { entity: EntityName; op: string; status: PushResult['status'] }[];
}

export interface PushLimits {
  maxChanges: number;
  maxBytes: number;
}

export const DEFAULT_PUSH_LIMITS: PushLimits = { maxChanges: MAX_CHANGES_PER_PUSH, maxBytes: MAX_BODY_BYTES };

function toChange(entry: OutboxEntry): Change {
  return {
    change_id: entry.change_id, entity: entry.entity, op: entry.op, id: entry.row_id,
    base_version: entry.base_version, fields: entry.op === 'delete' ? {} : entry.fields,
  } as Change;
}

/**
 * The next batch, FIFO: stops before a second change of a row already in it
 * (that one is based on the first one's result), and within the count and
 * byte limits. Changes queued behind a parked change of their row wait with it.
 */
export async function nextBatch(db: PacksyncDb, limits: PushLimits): Promise<{ entries: OutboxEntry[]; changes: Change[] }> {
  const entries: OutboxEntry[] = [];
  const changes: Change[] = [];
  const rows = new Set<string>();
  const blocked = new Set<string>();
  // Envelope `{"client_id":"<36>","changes":[]}` and a comma per change.
  let bytes = 64;
  await db.outbox.orderBy('seq').until(() => entries.length >= limits.maxChanges).each((entry) => {
    if (entries.length >= limits.maxChanges) return;
    const key = `${entry.entity}:${entry.row_id}`;
    if (entry.parked) {
      blocked.add(key);
      return;
    }
    if (blocked.has(key)) return;
    if (rows.has(key)) {
      limits = { ...limits, maxChanges: entries.length };
      return;
    }
    const change = toChange(entry);
    const size = new TextEncoder().encode(JSON.stringify(change)).length + 1;
    if (bytes + size > limits.maxBytes) {
      limits = { ...limits, maxChanges: entries.length };
      return;
    }
    bytes += size;
    rows.add(key);
    entries.push(entry);
    changes.push(change);
  });
  return { entries, changes };
}

export interface PushDeps {
  db: PacksyncDb;
  transport: Transport;
  resolver: ConflictResolver;
  clientId: string;
  limits?: PushLimits;
  /** Test seam: what reaches the server is exactly what is sent, but the answer may be lost. */
  afterSend?: () => void;
}

export async function pushOnce(deps: PushDeps): Promise<PushOutcome> {
  const { db, transport, resolver, clientId } = deps;
  const outcome: PushOutcome = { pushed: 0, conflicts: 0, parked: 0, remaining: 0, error: null, statuses: {}, byEntity: [] };
  try {
    // Taking the batch and marking it "handed to a push" is one transaction:
    // an edit either lands before (and is in what is sent) or after (and
    // queues behind, since a sent entry is never merged into). Apart, an edit
    // merged in between would be marked sent without having been sent.
    const { entries, changes } = await db.transaction('rw', db.outbox, async () => {
      const batch = await nextBatch(db, deps.limits ?? DEFAULT_PUSH_LIMITS);
      await db.outbox.bulkUpdate(batch.entries.map((e) => ({ key: e.seq, changes: { attempts: e.attempts + 1 } })));
      return batch;
    });
    if (entries.length === 0) return outcome;
    const response = await transport.push(clientId, changes);
    deps.afterSend?.();
    if (response.results.length !== entries.length) throw badResponse(`push result count (${response.results.length} for ${entries.length})`);
    await db.transaction('rw', db.syncTables, async () => {
      response.results.forEach((result, i) => {
        const entry = entries[i]!;
        if (result.change_id !== entry.change_id) throw badResponse('push result order');
        outcome.statuses[result.status] = (outcome.statuses[result.status] ?? 0) + 1;
        outcome.byEntity.push({ entity: entry.entity, op: entry.op, status: result.status });
      });
      await applyResults(db, resolver, entries, response.results, outcome);
    });
    outcome.remaining = await db.outbox.where('[parked+seq]').between(...WAITING).count();
  } catch (error) {
    outcome.error = asSyncError(error);
  }
  return outcome;
}

/**
 * All results of one push, in one transaction. The common case — applied or
 * merged, nothing queued behind it — is written in bulk per entity; rows with
 * later edits or a conflict take the row-by-row path.
 */
async function applyResults(db: PacksyncDb, resolver: ConflictResolver, entries: OutboxEntry[], results: PushResult[],
  outcome: PushOutcome): Promise<void> {
  const byEntity = new Map<EntityName, number[]>();
  entries.forEach((e, i) => {
    let list = byEntity.get(e.entity);
    if (!list) byEntity.set(e.entity, (list = []));
    list.push(i);
  });
  for (const [entity, indexes] of byEntity) {
    const states = await readRows(db, entity, indexes.map((i) => entries[i]!.row_id));
    const bulk: ServerRowUpdate[] = [];
    const done: number[] = [];
    for (const i of indexes) {
      const entry = entries[i]!;
      const result = results[i]!;
      const state = states.get(entry.row_id)!;
      // The batch holds one change per row, so anything else pending for it was queued behind this one.
      const later = state.pending.filter((e) => e.seq !== entry.seq);
      if (result.status === 'rejected') {
        const error = result.error ?? { code: 'rejected', message: 'The server refused this change.' };
        if (PUSH_ERROR_CODES[error.code as keyof typeof PUSH_ERROR_CODES]?.retryable) {
          // Refused for now, not for good (the server's per-push bounds,
          // `retry_later`): nothing was recorded, so the same change is sent
          // again after a back-off, never parked.
          await db.outbox.update(entry.seq, { last_error: error });
          outcome.error ??= new SyncError('storage', error.code, error.message, true);
          continue;
        }
        await db.outbox.update(entry.seq, { parked: 1, last_error: error });
        outcome.parked++;
        continue;
      }
      const before: Row | null = state.shadow ? state.shadow.row : (state.view ?? null);
      const server = serverRowAfter(entry, result, before);
      if (result.status !== 'conflict' && later.length === 0) {
        outcome.pushed++;
        done.push(entry.seq);
        bulk.push({ id: entry.row_id, tripId: entry.trip_id, server });
        state.pending = [];
        continue;
      }
      await db.outbox.delete(entry.seq);
      if (result.status === 'conflict') {
        outcome.conflicts++;
        await resolver.onConflict(entry, result, server, later);
      } else {
        // Later edits of this row were made on top of this one, now on the server.
        // (After a conflict they keep their base: the user made them without
        // seeing the other side, so the server must compare them too.)
        outcome.pushed++;
        const version = server?.version ?? result.version;
        for (const next of later) if (next.attempts === 0) await db.outbox.update(next.seq, { base_version: version ?? null });
      }
      await setServerRow(db, entity, entry.row_id, entry.trip_id, server);
    }
    if (done.length) await db.outbox.bulkDelete(done);
    await writeServerRows(db, entity, bulk, states);
  }
}

/** The server's row after a result: `applied` may carry only the server-managed columns (the fields are ours). */
function serverRowAfter(entry: OutboxEntry, result: PushResult, before: Row | null): Row | null {
  if (result.status === 'applied' && entry.op === 'delete') return null;
  if (result.status === 'applied') {
    return { id: entry.row_id, deleted_at: null, ...(before ?? {}), ...entry.fields, ...(result.row ?? {}), version: result.version } as Row;
  }
  return (result.row as Row | null) ?? null;
}
