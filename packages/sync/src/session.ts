// The access token, from supabase-js. Refreshes a token that expires within
// REFRESH_MARGIN_MS before using it, after a 401, and — while `keepFresh` is
// on — by a timer that margin before expiry, so a long-lived stream or an
// idle tab never meets an expired token; when no fresh token can be had, the
// engine pauses (state `paused_auth`) until supabase-js reports a new
// session (sign-in or a refresh elsewhere).
import type { SupabaseClient } from '@supabase/supabase-js';
import type { Clock } from './collaborators.ts';
import { noSession, offline, SyncError } from './errors.ts';

export const REFRESH_MARGIN_MS = 60_000;
/** A token with at least this long to live is used when a refresh cannot get through. */
export const STILL_USABLE_MS = 10_000;
/** After a failed timed refresh (network), the next try. */
export const REFRESH_RETRY_MS = 30_000;
/** Longest a timer may wait (setTimeout's limit); shortest, so a server handing out stale tokens cannot spin it. */
const MAX_TIMER_MS = 2 ** 31 - 1;
const MIN_TIMER_MS = 1_000;

type Auth = Pick<SupabaseClient['auth'], 'getSession' | 'refreshSession' | 'onAuthStateChange'>;

export class Session {
  private listeners = new Set<() => void>();
  private unsubscribe: (() => void) | undefined;
  private timer: unknown = null;
  private keeping = false;

  /**
   * `online`: the network monitor's word. No token is asked for (and so no
   * refresh tried) while it says offline: supabase-js remembers a failed refresh of a token for a minute
   * (REFRESH_FAILURE_COOLDOWN_MS) and answers every refresh of it with that
   * failure meanwhile, so one try during an offline spell kept a device from
   * syncing for a minute after it came back (the fault run's stuck devices).
   */
  constructor(private readonly auth: Auth, private readonly clock: Clock, private readonly online: () => boolean = () => true) {}

  /** The signed-in user's id, or a `no_session` error. */
  async userId(): Promise<string> {
    const { data } = await this.auth.getSession();
    if (!data.session) throw noSession();
    return data.session.user.id;
  }

  /** Calls `fn` when supabase-js has a new token (so a paused engine resumes). */
  onTokenChange(fn: () => void): () => void {
    if (!this.unsubscribe) {
      const { data } = this.auth.onAuthStateChange((event) => {
        if (event === 'TOKEN_REFRESHED' || event === 'SIGNED_IN') queueMicrotask(() => this.listeners.forEach((l) => l()));
      });
      this.unsubscribe = () => data.subscription.unsubscribe();
    }
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** A token valid for at least the refresh margin, refreshing through supabase-js when needed. */
  async token(): Promise<string> {
    // (getSession refreshes by itself near expiry, so it is not asked either)
    if (!this.online()) throw offline();
    const { data } = await this.auth.getSession();
    const session = data.session;
    if (!session) throw noSession();
    const left = (session.expires_at ?? Infinity) * 1000 - this.clock.now();
    if (left > REFRESH_MARGIN_MS) return session.access_token;
    try {
      return await this.refresh();
    } catch (error) {
      // The auth server cannot be reached (or supabase-js answers from its
      // cache of the last failure, for a minute after an outage): the token
      // in hand is still good until it expires, so sync goes on with it
      // instead of stalling until the cache lets a refresh through.
      if (error instanceof SyncError && error.retryable && left > STILL_USABLE_MS) return session.access_token;
      throw error;
    }
  }

  /** A new token now (after a 401); an `auth` SyncError when the refresh token is no good either. */
  async refresh(): Promise<string> {
    if (!this.online()) throw offline();
    let result: Awaited<ReturnType<Auth['refreshSession']>>;
    try {
      result = await this.auth.refreshSession();
    } catch (error) {
      // A refresh that cannot reach the server is a network problem, not a bad session.
      throw new SyncError('network', 'offline', 'Could not refresh the session: the server cannot be reached.', true,
        undefined, undefined, error);
    }
    const session = result.data.session;
    if (result.error || !session) {
      // Only a refusal by the auth server (4xx) means the session is over;
      // an unreachable or failing server (supabase-js's AuthRetryableFetchError,
      // status 0 or 5xx, or none) is a network problem: retry, do not pause.
      const e = result.error as { name?: string; status?: number } | null;
      const status = e?.status;
      const retryable = !e || e.name === 'AuthRetryableFetchError' || status === undefined || status === 0 || status >= 500;
      throw new SyncError(retryable ? 'network' : 'auth', retryable ? 'offline' : 'token_expired',
        'The session expired and could not be refreshed: sign in again.', retryable, undefined, undefined, result.error);
    }
    return session.access_token;
  }

  /**
   * Refreshes the token REFRESH_MARGIN_MS before it expires (half its
   * remaining life when that is shorter), again after each refresh, until
   * `close`. A refresh supabase-js makes itself re-plans the timer.
   */
  keepFresh(): void {
    if (this.keeping) return;
    this.keeping = true;
    this.onTokenChange(() => void this.plan());
    void this.plan();
  }

  private async plan(): Promise<void> {
    this.clearTimer();
    if (!this.keeping) return;
    if (!this.online()) {
      // supabase-js's getSession would itself refresh a token near expiry,
      // fail, and cache the failure: look again later instead.
      this.timer = this.clock.setTimeout(() => void this.plan(), REFRESH_RETRY_MS);
      return;
    }
    let expiresAt: number | undefined;
    try {
      expiresAt = (await this.auth.getSession()).data.session?.expires_at;
    } catch {
      expiresAt = undefined;
    }
    if (!this.keeping || expiresAt === undefined) return;
    const left = expiresAt * 1000 - this.clock.now();
    const wait = Math.min(MAX_TIMER_MS, Math.max(MIN_TIMER_MS, left - REFRESH_MARGIN_MS, left / 2));
    this.clearTimer();
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      this.refresh().then(() => this.plan(), (error: unknown) => {
        // Unreachable: try again soon. Refused: the session is over; the
        // engine pauses at its next request, and a sign-in re-plans.
        if (this.keeping && error instanceof SyncError && error.retryable) {
          this.timer = this.clock.setTimeout(() => void this.plan(), REFRESH_RETRY_MS);
        }
      });
    }, wait);
  }

  private clearTimer(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  close(): void {
    this.keeping = false;
    this.clearTimer();
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.listeners.clear();
  }
}
