// The scheduler with an injected clock, network and session: what it does
// after each kind of failure, with no server and no sleeping.
import { describe, expect, it } from 'vitest';
import { Backoff } from './backoff.ts';
import { silentLogger, type NetworkMonitor } from './collaborators.ts';
import { offline, SyncError } from './errors.ts';
import { Metrics } from './metrics.ts';
import type { PullOutcome } from './pull.ts';
import { emptyPushOutcome, type PushOutcome } from './push.ts';
import type { Session } from './session.ts';
import { StatusStore } from './status.ts';
import { SyncService } from './sync-service.ts';
import { FakeClock, seededRandom } from './testing/fake-clock.ts';

const pushed = (n = 0, error: SyncError | null = null): PushOutcome =>
  ({ ...emptyPushOutcome(), pushed: n, error });
const pulled = (error: SyncError | null = null): PullOutcome =>
  ({ pulled: 0, pages: 1, revoked: [], suspect: [], touched: new Set(), fullResync: false, snapshot: false, error });

function setup(options: { pushes?: PushOutcome[]; pulls?: PullOutcome[]; refresh?: () => Promise<string>; streamLive?: boolean;
  onPull?: () => Promise<void> } = {}) {
  const clock = new FakeClock();
  let online = true;
  const netListeners = new Set<(o: boolean) => void>();
  const network: NetworkMonitor = { online: () => online, subscribe: (fn) => (netListeners.add(fn), () => netListeners.delete(fn)) };
  const tokenListeners = new Set<() => void>();
  let refreshes = 0;
  const session = {
    refresh: async () => { refreshes++; return options.refresh ? options.refresh() : 'fresh'; },
    onTokenChange: (fn: () => void) => (tokenListeners.add(fn), () => tokenListeners.delete(fn)),
  } as unknown as Session;
  const pushes = [...(options.pushes ?? [])];
  const pulls = [...(options.pulls ?? [])];
  let cycles = 0;
  let pullCount = 0;
  let pushCount = 0;
  const status = new StatusStore();
  const service = new SyncService({
    clock, logger: silentLogger, network, session, status, metrics: new Metrics(), auto: true,
    backoff: new Backoff({ baseMs: 1000, capMs: 60_000, random: seededRandom(7) }),
    push: async () => { pushCount++; if (pushes.length === 0) cycles++; return pushes.shift() ?? pushed(); },
    pull: async () => {
      pullCount++;
      await options.onPull?.();
      return pulls.shift() ?? pulled();
    },
    ...(options.streamLive === undefined ? {} : { streamLive: () => options.streamLive! }),
    verify: async () => null,
    sendable: async () => 0,
    onSynced: async () => {},
    refreshCounts: async () => {},
  });
  service.start();
  return {
    clock, service, status,
    get cycles() { return cycles; },
    get pulls() { return pullCount; },
    get pushes() { return pushCount; },
    get refreshes() { return refreshes; },
    setOnline(o: boolean) { online = o; netListeners.forEach((fn) => fn(o)); },
    tokenChanged() { tokenListeners.forEach((fn) => fn()); },
  };
}

/** Lets the promise chains a timer started run to their end. */
const settle = async () => { for (let i = 0; i < 50; i++) await Promise.resolve(); };

describe('SyncService', () => {
  it('with a live stream an edit pushes without pulling back; a poke pulls, and one arriving mid-pull pulls again', async () => {
    let release: (() => void) | null = null;
    let hold = false;
    const s = setup({ streamLive: true, onPull: () => (hold ? new Promise<void>((r) => (release = r)) : Promise.resolve()) });
    await s.service.syncNow(); // the start: a pull
    expect(s.pulls).toBe(1);
    s.service.schedule(0); // an edit
    s.clock.advance(0);
    await settle();
    expect(s.pulls).toBe(1);
    hold = true;
    s.service.requestPull(); // a poke
    s.clock.advance(0);
    await settle();
    expect(s.pulls).toBe(2);
    hold = false;
    s.service.requestPull(); // another poke while that pull runs
    s.clock.advance(0);
    release!();
    await settle();
    expect(s.pulls).toBe(3);
    expect(s.clock.pending()).toEqual([]);
  });

  it('a poke alone pulls without a push (no batch taken); an edit, syncNow and a failed push make the next cycle push', async () => {
    const s = setup({ streamLive: true, pushes: [pushed(0), pushed(0, offline())] });
    await s.service.syncNow(); // the start: push and pull
    expect([s.pushes, s.pulls]).toEqual([1, 1]);
    s.service.requestPull(); // a poke
    s.clock.advance(0);
    await settle();
    expect([s.pushes, s.pulls]).toEqual([1, 2]);
    s.service.schedule(0); // an edit: its push fails
    s.clock.advance(0);
    await settle();
    expect([s.pushes, s.pulls]).toEqual([2, 2]);
    s.service.requestPull(); // a poke during the backoff: the failed push goes again
    s.clock.advance(0);
    await settle();
    expect([s.pushes, s.pulls]).toEqual([3, 3]);
    s.service.requestPull();
    s.clock.advance(0);
    await settle();
    expect([s.pushes, s.pulls]).toEqual([3, 4]);
    await s.service.syncNow();
    expect([s.pushes, s.pulls]).toEqual([4, 5]);
  });

  it('without a live stream every cycle pulls (nothing else would tell about others\' changes)', async () => {
    const s = setup({ streamLive: false });
    await s.service.syncNow();
    s.service.schedule(0);
    s.clock.advance(0);
    await settle();
    expect(s.pulls).toBe(2);
  });

  it('offline, an edit schedules no cycle (it could only fail); coming online runs one', async () => {
    const s = setup();
    s.setOnline(false);
    s.service.schedule(0);
    expect(s.clock.pending()).toEqual([]);
    expect(s.status.get()).toMatchObject({ state: 'offline', online: false });
    s.setOnline(true);
    expect(s.clock.pending()).toEqual([0]);
    s.clock.advance(0);
    await settle();
    expect(s.cycles).toBe(1);
    expect(s.status.get().state).toBe('idle');
  });

  it('a retryable failure schedules a retry with jittered backoff; success resets it', async () => {
    const storage = new SyncError('storage', 'database_unavailable', 'busy', true, 503);
    const s = setup({ pushes: [pushed(0, storage), pushed(0, storage)] });
    const first = await s.service.syncNow();
    expect(first.error).toBe(storage);
    expect(s.status.get().state).toBe('error');
    const [wait1] = s.clock.pending();
    expect(wait1).toBeGreaterThanOrEqual(0);
    expect(wait1).toBeLessThan(1000);
    s.clock.advance(wait1!);
    await settle();
    const [wait2] = s.clock.pending();
    expect(wait2).toBeLessThan(2000); // second ceiling: base·2
    s.clock.advance(wait2!);
    await settle();
    expect(s.status.get().state).toBe('idle');
    expect(s.clock.pending()).toEqual([]); // nothing more to do
  });

  it('honours Retry-After (429)', async () => {
    const rate = new SyncError('storage', 'too_many_streams', 'slow down', true, 429, 30_000);
    const s = setup({ pushes: [pushed(0, rate)] });
    await s.service.syncNow();
    expect(s.clock.pending()[0]).toBeGreaterThanOrEqual(30_000);
  });

  it('offline: no push is attempted, state offline, and coming online syncs at once', async () => {
    const s = setup();
    s.setOnline(false);
    const summary = await s.service.syncNow();
    expect(summary.error?.code).toBe('offline');
    expect(s.cycles).toBe(0);
    expect(s.status.get()).toMatchObject({ state: 'offline', online: false });
    s.setOnline(true);
    expect(s.clock.pending()[0]).toBe(0);
    s.clock.advance(0);
    await settle();
    expect(s.cycles).toBe(1);
    expect(s.status.get().state).toBe('idle');
  });

  it('an auth error refreshes the session once and retries in the same cycle', async () => {
    const expired = new SyncError('auth', 'token_expired', 'expired', false, 401);
    const s = setup({ pushes: [pushed(0, expired)] });
    const summary = await s.service.syncNow();
    expect(summary.error).toBeNull();
    expect(s.refreshes).toBe(1);
  });

  it('when the refresh fails it pauses (paused_auth) with no retry timer, until a new token arrives', async () => {
    const expired = new SyncError('auth', 'token_expired', 'expired', false, 401);
    const s = setup({
      pushes: [pushed(0, expired)],
      refresh: async () => { throw new SyncError('auth', 'token_expired', 'sign in again', false); },
    });
    await s.service.syncNow();
    expect(s.status.get().state).toBe('paused_auth');
    expect(s.clock.pending()).toEqual([]);
    s.service.schedule(0); // edits do not wake a paused engine
    expect(s.clock.pending()).toEqual([]);
    s.tokenChanged();
    expect(s.clock.pending()).toEqual([0]);
    s.clock.advance(0);
    await settle();
    expect(s.status.get().state).toBe('idle');
  });

  it('a non-retryable error is reported and not retried by itself', async () => {
    const bad = new SyncError('validation', 'invalid_request', 'bug', false, 400);
    const s = setup({ pulls: [pulled(bad)] });
    await s.service.syncNow();
    expect(s.status.get()).toMatchObject({ state: 'error', lastError: { code: 'invalid_request' } });
    expect(s.clock.pending()).toEqual([]);
  });

  it('calls during a cycle join it and make it go round once more', async () => {
    const s = setup();
    const a = s.service.syncNow();
    const b = s.service.syncNow();
    const c = s.service.syncNow();
    expect(a).toBe(b);
    expect(b).toBe(c);
    await a;
    expect(s.cycles).toBe(2);
  });

  it('network errors from the server side are retried too (a lost connection)', async () => {
    const s = setup({ pushes: [pushed(0, offline())] });
    await s.service.syncNow();
    expect(s.status.get().state).toBe('offline');
    expect(s.clock.pending()).toHaveLength(1);
  });
});
