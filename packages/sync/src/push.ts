// One push: the oldest queued changes as one batch within the protocol's
// limits, and every result applied in one transaction. Returns what happened;
// never throws (the scheduler decides about errors and retries).
import { MAX_BODY_BYTES, MAX_CHANGES_PER_PUSH, type Change, type PushResult } from '@packsync/protocol';
import type { EntityName } from '@packsync/model';
import type { ConflictResolver } from './conflicts.ts';
import type { PacksyncDb } from './db.ts';
import { asSyncError, badResponse, type SyncError } from './errors.ts';
import { pendingOf, setServerRow } from './overlay.ts';
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
    const { entries, changes } = await nextBatch(db, deps.limits ?? DEFAULT_PUSH_LIMITS);
    if (entries.length === 0) return outcome;
    // Durably "handed to a push" before it leaves: from now on these entries
    // are never merged into (the server may apply them any moment).
    await db.transaction('rw', db.outbox, async () => {
      for (const e of entries) await db.outbox.update(e.seq, { attempts: e.attempts + 1 });
    });
    const response = await transport.push(clientId, changes);
    deps.afterSend?.();
    if (response.results.length !== entries.length) throw badResponse(`push result count (${response.results.length} for ${entries.length})`);
    await db.transaction('rw', db.syncTables, async () => {
      for (let i = 0; i < entries.length; i++) {
        const entry = entries[i]!;
        const result = response.results[i]!;
        if (result.change_id !== entry.change_id) throw badResponse('push result order');
        outcome.statuses[result.status] = (outcome.statuses[result.status] ?? 0) + 1;
        outcome.byEntity.push({ entity: entry.entity, op: entry.op, status: result.status });
        await applyResult(db, resolver, entry, result, outcome);
      }
    });
    outcome.remaining = await db.outbox.where('parked').equals(0).count();
  } catch (error) {
    outcome.error = asSyncError(error);
  }
  return outcome;
}

async function applyResult(db: PacksyncDb, resolver: ConflictResolver, entry: OutboxEntry, result: PushResult,
  outcome: PushOutcome): Promise<void> {
  const { entity, row_id: id } = entry;
  if (result.status === 'rejected') {
    await db.outbox.update(entry.seq, {
      parked: 1, last_error: result.error ?? { code: 'rejected', message: 'The server refused this change.' },
    });
    outcome.parked++;
    return;
  }
  const shadow = await db.shadows.get([entity, id]);
  const before: Row | null = shadow ? shadow.row : ((await db.entity(entity).get(id)) ?? null);
  let server: Row | null;
  if (result.status === 'applied' && entry.op === 'delete') {
    server = null;
  } else if (result.status === 'applied') {
    // `row` may hold only the server-managed columns: the fields are ours.
    server = { ...(before ?? {}), ...entry.fields, ...(result.row ?? {}), version: result.version } as Row;
  } else {
    server = (result.row as Row | null) ?? null;
  }
  await db.outbox.delete(entry.seq);
  const later = await pendingOf(db, entity, id);
  if (result.status !== 'conflict') {
    // Later edits of this row were made on top of this one, now on the server.
    // (After a conflict they keep their base: the user made them without
    // seeing the other side, so the server must compare them too.)
    const version = server?.version ?? result.version;
    for (const next of later) if (next.attempts === 0) await db.outbox.update(next.seq, { base_version: version ?? null });
  }
  if (result.status === 'conflict') {
    outcome.conflicts++;
    await resolver.onConflict(entry, result, server, later);
  } else {
    outcome.pushed++;
  }
  await setServerRow(db, entity, id, entry.trip_id, server);
}
