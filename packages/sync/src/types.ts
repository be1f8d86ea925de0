// Public shapes of the engine: rows, outbox entries, conflicts, status.
import type { EntityName } from '@packsync/model';
import type { SyncError } from './errors.ts';

/** A row as the app sees it: server columns plus any pending local edits. */
export type Row = Record<string, unknown> & { id: string; version: number };

export type OutboxOp = 'upsert' | 'delete';

export interface OutboxEntry {
  /** Local order; the outbox is sent in this order and never reordered. */
  seq: number;
  change_id: string;
  entity: EntityName;
  op: OutboxOp;
  row_id: string;
  trip_id: string;
  fields: Record<string, unknown>;
  /** Server version the edit was based on; null when the row is new. */
  base_version: number | null;
  /** Times it was handed to a push (> 0: the server may have it; never merge more edits into it). */
  attempts: number;
  last_error: { code: string; message: string } | null;
  /** 1 when the server refused it for good: kept and shown, not sent again until retried. */
  parked: 0 | 1;
  queued_at: number;
}

/**
 * How a field both sides changed is settled: `true_wins` / `larger_wins`
 * mechanically; `theirs` / `mine` outright; `theirs_offer_mine` takes the
 * server's value but keeps the conflict listed so the user can keep theirs;
 * `ask` waits for the user.
 */
export type ConflictPolicy = 'mine' | 'theirs' | 'theirs_offer_mine' | 'true_wins' | 'larger_wins' | 'ask';
export type ConflictPolicies = Partial<Record<EntityName, Record<string, ConflictPolicy>>>;
export type Resolution = 'mine' | 'theirs' | Record<string, unknown>;

export interface Conflict {
  id: string;
  entity: EntityName;
  row_id: string;
  trip_id: string;
  /** Fields both sides changed that no policy settled. */
  fields: string[];
  base: Record<string, unknown> | null;
  mine: Record<string, unknown>;
  theirs: Record<string, unknown> | null;
  /** Policy per field that applied ('ask' for the ones waiting). */
  policy: Record<string, ConflictPolicy>;
  /** 0..1: how sure an automatic answer would be (1 = mechanical, e.g. both set packed). */
  confidence: number;
  detected_at: number;
  /** `open`: waits for the user; `offered`: settled by policy, the user may still keep theirs. */
  state: 'open' | 'offered';
  /** Server version the conflict was seen at; a resolution is based on it. */
  server_version: number | null;
}

export type SyncState = 'offline' | 'idle' | 'syncing' | 'paused_auth' | 'error';

export interface SyncStatus {
  state: SyncState;
  pending: number;
  parked: number;
  conflicts: number;
  lastSyncedAt: number | null;
  lastError: ReturnType<SyncError['toJSON']> | null;
  online: boolean;
  initialSync: { done: boolean; rows: number };
}

export interface SyncSummary {
  ok: boolean;
  pushed: number;
  pulled: number;
  conflicts: number;
  parked: number;
  error: SyncError | null;
}
