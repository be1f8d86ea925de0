// The options object of createSyncEngine: every collaborator comes in here,
// with browser defaults.
import type { SupabaseClient } from '@supabase/supabase-js';
import type { EntityName } from '@packsync/model';
import type { BroadcastFactory, Clock, Locks, Logger, NetworkMonitor } from './collaborators.ts';
import type { PushLimits } from './push.ts';
import type { Fetch } from './transport.ts';
import type { ConflictPolicies } from './types.ts';

export interface SyncEngineOptions {
  /** A supabase-js client: session, refresh and sign-out come from it. */
  supabase: Pick<SupabaseClient, 'auth'>;
  /** The project URL and anon key given to supabase-js. */
  url: string;
  anonKey: string;
  indexedDB?: IDBFactory;
  IDBKeyRange?: typeof IDBKeyRange;
  fetch?: Fetch;
  clock?: Clock;
  network?: NetworkMonitor;
  locks?: Locks;
  broadcast?: BroadcastFactory;
  logger?: Logger;
  /** [0, 1) source for backoff jitter; Math.random by default. */
  random?: () => number;
  /** Per-entity, per-field conflict policies over the defaults (see conflicts.ts). */
  conflictPolicies?: ConflictPolicies;
  /** Follow the server's event stream (default true); off, the engine syncs on edits, coming online and syncNow. */
  stream?: boolean;
  /**
   * Refresh the access token by a timer a minute before it expires (default
   * false). For a supabase-js client made with `autoRefreshToken: false`;
   * with its own auto refresh (the default) a second timer only doubles the
   * refreshes, and each one rotates the refresh token.
   */
  refreshTimer?: boolean;
  /** Push batch limits; the protocol's by default (tests make them small). */
  pushLimits?: PushLimits;
  /**
   * Pull back the rows this device pushed (default false: the server leaves
   * them out, since their push results already set them here).
   */
  pullOwnChanges?: boolean;
  /** Rows per pull page (≤ the protocol's limit). */
  pullPageSize?: number;
  /**
   * The server's per-trip checksum (`public.trip_checksums`), or null to skip
   * the comparison; by default asked of the sync function (`POST /sync/checksum`).
   */
  checksum?: ((tripIds: string[], token: string) => Promise<Record<string, string> | null>) | null;
  /**
   * A trip's checksum is compared after a snapshot brought it, and otherwise
   * at most once per this many ms (5 minutes by default; 0: after every
   * catch-up that changed the trip).
   */
  verifyEveryMs?: number;
  /**
   * Sync by itself (default true): after edits, on coming online, on pokes,
   * and retries after failures. Off, only syncNow syncs (tests that need to
   * know which call did what).
   */
  autoSync?: boolean;
  /** Delay between an edit and the push it triggers, ms (edits in a burst share a push). */
  pushDelayMs?: number;
}

export type { EntityName };
