// The part of the client sync engine (@packsync/sync) the app uses, as
// agreed in DESIGN.md ("The contract") and the interfaces note. The UI talks
// to the engine only through this surface: it never calls the sync function.
import type { EntityName, Item, Person, RuleOverride, Trip, TripMember } from '@packsync/model';

export type { EntityName };

/** Membership as the server returns it: consent status and e-mail are server-managed. */
export type Membership = TripMember & { status: 'invited' | 'active'; email: string | null };

export interface RowsByEntity {
  trips: Trip;
  trip_members: Membership;
  people: Person;
  items: Item;
  rule_overrides: RuleOverride;
}

export type SyncState = 'offline' | 'idle' | 'syncing' | 'paused_auth' | 'error';

export interface SyncStatus {
  state: SyncState;
  pending: number;
  parked: number;
  conflicts: number;
  lastSyncedAt: string | number | null;
  lastError: { code?: string; message: string; retryable?: boolean } | string | null;
  online: boolean;
  initialSync: { done: boolean; rows: number };
}

export interface OutboxEntry {
  seq: number;
  change_id: string;
  entity: EntityName;
  op: 'upsert' | 'delete';
  row_id: string;
  fields: Record<string, unknown> | null;
  base_version: number | null;
  attempts: number;
  last_error: { code?: string; message: string } | string | null;
  parked: boolean | 0 | 1;
  queued_at: string | number;
}

export interface Conflict {
  id: string;
  entity: EntityName;
  row_id: string;
  trip_id: string | null;
  fields: string[];
  base: Record<string, unknown> | null;
  mine: Record<string, unknown> | null;
  theirs: Record<string, unknown> | null;
  policy: Record<string, string>;
  /** 0..1: how sure an automatic answer would be. */
  confidence: number;
  detected_at: number;
  /** `open` waits for a person; `offered` was settled by policy (theirs) and mine can still be kept. */
  state: 'open' | 'offered';
}

export interface HistoryEntry {
  entity: EntityName;
  row_id: string;
  op: string;
  version: number;
  actor: string | null;
  changed_fields: string[] | null;
  at: string;
  cursor: string;
}

export type HealthLevel = 'healthy' | 'degraded' | 'unhealthy';

export interface HealthReport {
  status: HealthLevel;
  checks: { name: string; level: HealthLevel; detail: string }[];
  at: number;
}

export interface MetricsSnapshot {
  counters: Record<string, number>;
  timings: Record<string, { count: number; mean: number; p50: number; p95: number; max: number }>;
  gauges: Record<string, number>;
}

export interface SyncEngine {
  start(): Promise<void>;
  stop(): Promise<void>;
  create<E extends EntityName>(entity: E, fields: Record<string, unknown>): Promise<string>;
  update(entity: EntityName, id: string, patch: Record<string, unknown>): Promise<void>;
  delete(entity: EntityName, id: string): Promise<void>;
  get<E extends EntityName>(entity: E, id: string): Promise<RowsByEntity[E] | undefined>;
  list<E extends EntityName>(entity: E, where?: { trip_id?: string }): Promise<RowsByEntity[E][]>;
  watch<T>(query: () => Promise<T>, onValue: (v: T) => void, onError?: (e: unknown) => void): () => void;
  syncNow(): Promise<unknown>;
  status: { get(): SyncStatus; subscribe(fn: (s: SyncStatus) => void): () => void };
  conflicts: {
    list(): Promise<Conflict[]>;
    resolve(id: string, choice: 'mine' | 'theirs' | Record<string, unknown>): Promise<void>;
  };
  outbox: {
    list(): Promise<OutboxEntry[]>;
    discard(seq: number): Promise<void>;
    retry(seq: number): Promise<void>;
  };
  invite(tripId: string, email: string, role: 'editor' | 'viewer'): Promise<void>;
  history(tripId: string, page?: { before?: string | null; limit?: number }): Promise<{ entries: HistoryEntry[]; next: string | null }>;
  metrics(): MetricsSnapshot;
  health(): Promise<HealthReport>;
  signOut(options?: { discardUnsynced?: boolean }): Promise<{ signedOut: boolean; pending: number }>;
}
