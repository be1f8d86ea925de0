// Pushing the outbox: batches of the oldest queued changes, FIFO, each
// batch's results applied in one transaction. Pipelined: while a batch's
// request is out, the next batch is taken; once its answer is in, the next
// request goes out and the results are applied meanwhile. Requests never
// overlap (the server applies batch n before it sees n+1, so FIFO holds
// across rows), and a batch never holds a row that an earlier one still has
// in flight. Returns what happened; never throws (the scheduler decides
// about errors and retries).
import { PUSH_ERROR_CODES, type PushResponse, type PushResult } from '@packsync/protocol';
import type { EntityName } from '@packsync/model';
import { batchBody, countAttempt, DEFAULT_PUSH_LIMITS, rowKey, takeBatch, type Batch, type InFlight, type PushLimits } from './batch.ts';
import type { ConflictResolver } from './conflicts.ts';
import { WAITING, type PacksyncDb } from './db.ts';
import { asSyncError, badResponse, SyncError } from './errors.ts';
import { readRows, writeServerRows, type RowState, type ServerRowUpdate } from './apply.ts';
import { setServerRow } from './overlay.ts';
import type { Transport } from './transport.ts';
import type { OutboxEntry, Row } from './types.ts';

export { DEFAULT_PUSH_LIMITS, nextBatch, type PushLimits } from './batch.ts';

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
  /** Where the time went (ms, summed over batches; the phases overlap): taking batches, waiting for the server, applying results. */
  ms: { take: number; request: number; apply: number };
  /** Requests sent. */
  requests: number;
}

export interface PushDeps {
  db: PacksyncDb;
  transport: Transport;
  resolver: ConflictResolver;
  clientId: string;
  limits?: PushLimits;
  /** Test seam: what reaches the server is exactly what is sent, but the answer may be lost. */
  afterSend?: () => void;
  /** Monotonic milliseconds, for the phase timings. */
  now?: () => number;
}

export function emptyPushOutcome(): PushOutcome {
  return { pushed: 0, conflicts: 0, parked: 0, remaining: 0, error: null, statuses: {}, byEntity: [], ms: { take: 0, request: 0, apply: 0 }, requests: 0 };
}

/** A refusal the server marks "not now" (nothing recorded): the changes after it must wait too. */
function refusedForNow(result: PushResult): boolean {
  return result.status === 'rejected' && !!PUSH_ERROR_CODES[result.error?.code as keyof typeof PUSH_ERROR_CODES]?.retryable;
}

/** Pushes until nothing is sendable, an error, or a refusal for now. */
export async function pushOnce(deps: PushDeps): Promise<PushOutcome> {
  const { db, transport, clientId } = deps;
  const limits = deps.limits ?? DEFAULT_PUSH_LIMITS;
  const now = deps.now ?? (() => performance.now());
  const outcome = emptyPushOutcome();
  const inFlight: InFlight = { seqs: new Set(), rows: new Set() };
  let applying: Promise<void> = Promise.resolve();
  let failed: unknown = null;
  const take = async () => {
    const t = now();
    const batch = await takeBatch(db, limits, inFlight);
    outcome.ms.take += now() - t;
    return batch;
  };
  const settle = (batch: Batch) => {
    for (const e of batch.entries) {
      inFlight.seqs.delete(e.seq);
      inFlight.rows.delete(rowKey(e));
    }
  };
  try {
    let batch = await take();
    while (batch.entries.length > 0 && failed === null) {
      for (const e of batch.entries) {
        inFlight.seqs.add(e.seq);
        inFlight.rows.add(rowKey(e));
      }
      let t = now();
      const sending = transport.push(clientId, batchBody(clientId, batch));
      // Taken while the request is out (IndexedDB runs it after the apply before it).
      const upcoming = take();
      upcoming.catch(() => undefined); // awaited below, unless the request fails first
      let response: PushResponse;
      try {
        try {
          response = await sending;
        } finally {
          outcome.ms.request += now() - t;
          outcome.requests++;
        }
        deps.afterSend?.();
        if (response.results.length !== batch.entries.length) {
          throw badResponse(`push result count (${response.results.length} for ${batch.entries.length})`);
        }
      } catch (error) {
        const unsettled = batch;
        await applying;
        await countAttempt(db, unsettled).catch(() => undefined);
        throw error;
      }
      const current = batch;
      applying = applying.then(async () => {
        if (failed !== null) return;
        t = now();
        try {
          await applyBatch(db, deps.resolver, current, response.results, outcome);
        } catch (error) {
          failed = error;
        } finally {
          outcome.ms.apply += now() - t;
          settle(current);
        }
      });
      batch = await upcoming;
      if (response.results.some(refusedForNow)) break;
      if (batch.entries.length === 0 && batch.more) {
        // Rows the last batch held may be sendable once its results are in.
        // (Nothing left behind: the caller's count of what remains says
        // whether edits came in meanwhile, without another take.)
        await applying;
        if (failed === null && !outcome.error) batch = await take();
      }
    }
  } catch (error) {
    failed ??= error;
  }
  await applying;
  if (failed !== null) outcome.error = asSyncError(failed);
  else if (outcome.requests === 0) {
    // Nothing sent: count what waits (applied batches counted it already).
    try {
      outcome.remaining = await db.outbox.where('[parked+seq]').between(...WAITING).count();
    } catch (error) {
      outcome.error = asSyncError(error);
    }
  }
  return outcome;
}

/** One batch's results, in one transaction. */
async function applyBatch(db: PacksyncDb, resolver: ConflictResolver, batch: Batch, results: PushResult[], outcome: PushOutcome): Promise<void> {
  const { entries } = batch;
  // Relaxed: results lost in a crash leave their entries queued, sent again and answered as the first time.
  await db.relaxed(db.syncTables, async () => {
    results.forEach((result, i) => {
      const entry = entries[i]!;
      if (result.change_id !== entry.change_id) throw badResponse('push result order');
      outcome.statuses[result.status] = (outcome.statuses[result.status] ?? 0) + 1;
      outcome.byEntity.push({ entity: entry.entity, op: entry.op, status: result.status });
    });
    // Other entries of the batch's rows were queued after it was taken (a
    // retry aside: then anything may be older, and the rows are read whole).
    const since = batch.retried ? null : await db.outbox.where('seq').above(batch.newestSeq).toArray();
    const done = await applyResults(db, resolver, entries, results, outcome, since);
    await dropDone(db, batch, done);
    // What is left, counted here rather than in a transaction of its own
    // after the last batch (edits queue behind each one).
    outcome.remaining = await db.outbox.where('[parked+seq]').between(...WAITING).count();
  });
}

/** Deletes the entries done: a run wholly done as one range (one request, not one per entry). */
async function dropDone(db: PacksyncDb, batch: Batch, done: Set<number>): Promise<void> {
  const single: number[] = [];
  const ranges: Promise<unknown>[] = [];
  for (const [lo, hi] of batch.runs) {
    const seqs = batch.entries.filter((e) => e.seq >= lo && e.seq <= hi).map((e) => e.seq);
    if (seqs.every((seq) => done.has(seq))) ranges.push(db.outbox.where(':id').between(lo, hi, true, true).delete());
    else single.push(...seqs.filter((seq) => done.has(seq)));
  }
  await Promise.all([...ranges, single.length ? db.outbox.bulkDelete(single) : undefined]);
}

/**
 * The current state of a batch's rows of one entity. `since`: every outbox
 * entry of these rows besides the batch's own (null: unknown, read them).
 */
async function readBatchRows(db: PacksyncDb, entity: EntityName, entries: OutboxEntry[], since: OutboxEntry[] | null): Promise<Map<string, RowState>> {
  const ids = entries.map((e) => e.row_id);
  if (since === null) return readRows(db, entity, ids);
  // A change based on no version is a create the server had not seen when it
  // was taken (a retry aside): its shadow holds no server row, so it is not read.
  const isCreate = (e: OutboxEntry) => e.op === 'upsert' && e.base_version === null;
  const read = entries.filter((e) => !isCreate(e));
  const stored = read.length ? await db.shadows.bulkGet(read.map((e) => [entity, e.row_id] as [string, string])) : [];
  const storedOf = new Map(read.map((e, i) => [e.row_id, stored[i]]));
  const shadows = entries.map((e) => (isCreate(e) ? { entity, id: e.row_id, trip_id: e.trip_id, row: null } : storedOf.get(e.row_id)));
  // Every row with a pending edit has a shadow; the view is read only where one is missing, or for a delete.
  const viewIds = ids.filter((_, i) => !shadows[i] || entries[i]!.op === 'delete');
  const views = viewIds.length ? await db.entity(entity).bulkGet(viewIds) : [];
  const viewOf = new Map(viewIds.map((id, i) => [id, views[i]]));
  const states = new Map<string, RowState>();
  entries.forEach((entry, i) => states.set(entry.row_id, { view: viewOf.get(entry.row_id), shadow: shadows[i], pending: [entry] }));
  for (const later of since) if (later.entity === entity) states.get(later.row_id)?.pending.push(later);
  return states;
}

/**
 * All results of one push, in one transaction. The common case — applied or
 * merged, nothing queued behind it — is written in bulk per entity; rows with
 * later edits or a conflict take the row-by-row path.
 */
async function applyResults(db: PacksyncDb, resolver: ConflictResolver, entries: OutboxEntry[], results: PushResult[],
  outcome: PushOutcome, since: OutboxEntry[] | null): Promise<Set<number>> {
  const done = new Set<number>();
  const byEntity = new Map<EntityName, number[]>();
  entries.forEach((e, i) => {
    let list = byEntity.get(e.entity);
    if (!list) byEntity.set(e.entity, (list = []));
    list.push(i);
  });
  for (const [entity, indexes] of byEntity) {
    const states = await readBatchRows(db, entity, indexes.map((i) => entries[i]!), since);
    const bulk: ServerRowUpdate[] = [];
    for (const i of indexes) {
      const entry = entries[i]!;
      const result = results[i]!;
      const state = states.get(entry.row_id)!;
      // The batch holds one change per row, so anything else pending for it was queued behind this one.
      const later = state.pending.filter((e) => e.seq !== entry.seq);
      if (result.status === 'rejected') {
        const error = result.error ?? { code: 'rejected', message: 'The server refused this change.' };
        if (refusedForNow(result)) {
          // Refused for now, not for good (the server's per-push bounds,
          // `retry_later`): nothing was recorded, so the same change is sent
          // again after a back-off, never parked.
          await db.outbox.update(entry.seq, { last_error: error, attempts: entry.attempts + 1 });
          outcome.error ??= new SyncError('storage', error.code, error.message, true);
          continue;
        }
        await db.outbox.update(entry.seq, { parked: 1, last_error: error, attempts: entry.attempts + 1 });
        outcome.parked++;
        continue;
      }
      const before: Row | null = state.shadow ? state.shadow.row : (state.view ?? null);
      const after = serverRowAfter(entry, result, before);
      // A result older than the server row the device already holds (a
      // resent change answered with its first result after a pull brought a
      // newer state, such as someone's delete) must not bring that row back.
      const server = before && before.version > ((after ?? result).version ?? 0) ? before : after;
      if (result.status !== 'conflict' && later.length === 0) {
        outcome.pushed++;
        done.add(entry.seq);
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
    await writeServerRows(db, entity, bulk, states);
  }
  return done;
}

/** The server's row after a result: `applied` may carry only the server-managed columns (the fields are ours). */
function serverRowAfter(entry: OutboxEntry, result: PushResult, before: Row | null): Row | null {
  if (result.status === 'applied' && entry.op === 'delete') return null;
  if (result.status === 'applied') {
    return { id: entry.row_id, deleted_at: null, ...(before ?? {}), ...entry.fields, ...(result.row ?? {}), version: result.version } as Row;
  }
  return (result.row as Row | null) ?? null;
}
