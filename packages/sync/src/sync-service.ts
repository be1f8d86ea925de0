// SyncService: when to sync and what to do about failures. A cycle is
// push-until-empty → pull-until-caught-up → push again what conflict
// resolution queued → verify. A cycle that only a local edit asked for
// pulls only when no live stream would tell about others' changes: with
// one, a poke asks for the pull (the device need not fetch back what it
// just pushed). A cycle that only a poke asked for goes straight to the
// pull: the push's batch take (an IndexedDB transaction over the outbox)
// runs only when something may be queued — an edit or a conflict
// resolution scheduled the cycle, syncNow, start, or an earlier push did not
// finish. Cycles never overlap and never throw: each
// returns a SyncSummary; retryable errors schedule a retry with backoff,
// auth errors refresh the session once and otherwise pause until
// supabase-js has a new token.
import type { Clock, Logger, NetworkMonitor } from './collaborators.ts';
import type { Backoff } from './backoff.ts';
import { asSyncError, offline, type SyncError } from './errors.ts';
import type { Metrics } from './metrics.ts';
import type { PullOutcome } from './pull.ts';
import type { PushOutcome } from './push.ts';
import type { Session } from './session.ts';
import type { StatusStore } from './status.ts';
import type { SyncSummary } from './types.ts';

export interface SyncServiceDeps {
  clock: Clock;
  logger: Logger;
  network: NetworkMonitor;
  backoff: Backoff;
  session: Session;
  status: StatusStore;
  metrics: Metrics;
  push(): Promise<PushOutcome>;
  pull(): Promise<PullOutcome>;
  /** After a catch-up: checksums, refetches; returns an error to report, or null. */
  verify(pull: PullOutcome): Promise<SyncError | null>;
  /** Outbox entries a push could send now. */
  sendable(): Promise<number>;
  onSynced(at: number): Promise<void>;
  /** Re-reads pending/parked/conflict counts into the status (so a cycle ends with them current). */
  refreshCounts(): Promise<void>;
  /** false: never schedule by itself (only syncNow runs cycles). */
  auto: boolean;
  /** True while the server's stream is connected (its pokes announce others' changes). */
  streamLive?(): boolean;
}

const MAX_ROUNDS = 50;

export class SyncService {
  private running: Promise<SyncSummary> | null = null;
  private again = false;
  private timer: unknown = null;
  private stopped = true;
  private pausedForAuth = false;
  /** Someone asked for a pull (a poke, start, coming online, syncNow) that no cycle has done yet. */
  private pullWanted = true;
  /** Something may be queued that no push has tried yet (an edit, start, syncNow, a push that failed). */
  private pushWanted = true;
  private unsubscribe: (() => void)[] = [];

  constructor(private readonly deps: SyncServiceDeps) {}

  start(): void {
    this.stopped = false;
    this.deps.status.set({ online: this.deps.network.online() });
    this.unsubscribe.push(
      this.deps.network.subscribe((online) => {
        this.deps.status.set({ online, ...(online ? {} : { state: 'offline' }) });
        if (online) {
          this.deps.backoff.reset();
          this.requestPull();
        }
      }),
      this.deps.session.onTokenChange(() => {
        if (!this.pausedForAuth) return;
        this.pausedForAuth = false;
        this.requestPull();
      }),
    );
  }

  /** Stops scheduling. A cycle in flight is not awaited (its request may never answer); it ends on its own. */
  stop(): void {
    this.stopped = true;
    this.clearTimer();
    this.unsubscribe.forEach((u) => u());
    this.unsubscribe = [];
  }

  /** Runs a cycle with a pull soon (a poke, the stream's `ready`, a refetch). */
  requestPull(): void {
    this.pullWanted = true;
    this.arm(0);
  }

  /** Runs a cycle with a push soon (something was queued: an edit, a conflict resolved); triggers coalesce. */
  schedule(delayMs: number): void {
    this.pushWanted = true;
    this.arm(delayMs);
  }

  private arm(delayMs: number): void {
    if (this.stopped || this.pausedForAuth || !this.deps.auto) return;
    // Offline by the platform's word a cycle could only fail: coming online schedules one.
    if (!this.deps.network.online()) {
      this.deps.status.set({ state: 'offline', online: false });
      return;
    }
    this.clearTimer();
    this.timer = this.deps.clock.setTimeout(() => {
      this.timer = null;
      void this.run();
    }, delayMs);
  }

  private clearTimer(): void {
    if (this.timer !== null) this.deps.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  /**
   * Cycles until nobody asked for another: a call while a cycle runs joins it
   * and makes it go round once more (edits made meanwhile are included), so
   * when the promise resolves everything queued before the call was tried,
   * and the device pulled after the call.
   */
  syncNow(): Promise<SyncSummary> {
    this.pullWanted = true;
    this.pushWanted = true;
    return this.run();
  }

  private run(): Promise<SyncSummary> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      const total: SyncSummary = { ok: true, pushed: 0, pulled: 0, conflicts: 0, parked: 0, error: null };
      do {
        this.again = false;
        const s = await this.cycle();
        total.pushed += s.pushed;
        total.pulled += s.pulled;
        total.conflicts += s.conflicts;
        total.parked += s.parked;
        total.ok = s.ok;
        total.error = s.error;
      } while (this.again && !this.stopped);
      return total;
    })().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** A cycle never rejects: anything thrown (a database closed under it by stop) becomes its error. */
  private async cycle(): Promise<SyncSummary> {
    try {
      return await this.attempt();
    } catch (error) {
      const e = asSyncError(error);
      this.pushWanted = true;
      this.deps.logger.warn('sync_cycle_failed', { error: e.toJSON() });
      return { ok: false, pushed: 0, pulled: 0, conflicts: 0, parked: 0, error: e };
    }
  }

  private async attempt(): Promise<SyncSummary> {
    const { status, metrics, clock } = this.deps;
    const summary: SyncSummary = { ok: false, pushed: 0, pulled: 0, conflicts: 0, parked: 0, error: null };
    const started = clock.now();
    status.set({ state: 'syncing' });
    // Offline by the platform's word: do not hand changes to a push that
    // cannot leave (a push marks them sent-once, which stops compaction).
    let error = this.deps.network.online() ? await this.rounds(summary) : offline();
    if (error && error.type === 'auth' && !this.stopped) {
      // One refresh and one more try; a token that expired while offline lands here.
      try {
        await this.deps.session.refresh();
        error = await this.rounds(summary);
      } catch (refreshError) {
        error = refreshError as SyncError;
      }
    }
    summary.error = error;
    summary.ok = error === null;
    await this.deps.refreshCounts().catch((e: unknown) => this.deps.logger.warn('count_failed', { error: String(e) }));
    metrics.timing('sync_ms', clock.now() - started);
    if (!error) {
      this.deps.backoff.reset();
      const at = clock.now();
      await this.deps.onSynced(at);
      status.set({ state: 'idle', lastSyncedAt: at, lastError: null, online: true });
      return summary;
    }
    this.deps.logger.warn('sync_failed', { error: error.toJSON() });
    metrics.count('sync_errors', { type: error.type, code: error.code });
    if (error.type === 'auth' && !error.retryable) {
      this.pausedForAuth = true;
      status.set({ state: 'paused_auth', lastError: error.toJSON() });
    } else if (error.retryable) {
      const offline = error.type === 'network';
      status.set({ state: offline ? 'offline' : 'error', lastError: error.toJSON(), ...(offline ? { online: false } : {}) });
      if (!this.stopped) this.arm(this.deps.backoff.next(error.retryAfterMs));
    } else {
      status.set({ state: 'error', lastError: error.toJSON() });
    }
    return summary;
  }

  private async rounds(summary: SyncSummary): Promise<SyncError | null> {
    for (let round = 0; round < MAX_ROUNDS && !this.stopped; round++) {
      // Cleared before the push: an edit made during it asks for another.
      const push = this.pushWanted || round > 0;
      this.pushWanted = false;
      for (; push;) {
        const pushed = await this.deps.push();
        summary.pushed += pushed.pushed;
        summary.conflicts += pushed.conflicts;
        summary.parked += pushed.parked;
        if (pushed.error) {
          this.pushWanted = true;
          return pushed.error;
        }
        // Pushed until nothing was sendable: go on only if edits came in meanwhile.
        if (pushed.pushed + pushed.conflicts + pushed.parked === 0 || pushed.remaining === 0) break;
      }
      if (!this.pullWanted && this.deps.streamLive?.()) return null;
      // Cleared before the pull: a poke arriving during it asks for another.
      this.pullWanted = false;
      const pulled = await this.deps.pull();
      summary.pulled += pulled.pulled;
      if (pulled.error) {
        this.pullWanted = true;
        return pulled.error;
      }
      const verified = await this.deps.verify(pulled);
      if (verified) return verified;
      // Conflict resolution and edits made meanwhile queue new changes: go round again.
      if ((await this.deps.sendable()) === 0) return null;
    }
    return null;
  }
}
