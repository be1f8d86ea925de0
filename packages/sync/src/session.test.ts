// Session with a fake clock and a scripted auth. While the network monitor
// says offline, no token is asked of supabase-js: its getSession refreshes
// near expiry by itself, and a refresh that fails is answered from its cache
// for a minute (REFRESH_FAILURE_COOLDOWN_MS), so one offline try kept a
// device from syncing after it came back. The refresh timer (`keepFresh`):
// a refresh a minute before expiry, planned again after each one, retried
// after a network failure, given up on a refusal, stopped by close.
import { describe, expect, it } from 'vitest';
import { REFRESH_MARGIN_MS, REFRESH_RETRY_MS, Session } from './session.ts';
import { FakeClock } from './testing/fake-clock.ts';

function fakeAuth(clock: FakeClock) {
  const calls = { getSession: 0, refreshSession: 0 };
  const session = { access_token: 'old', expires_at: clock.now() / 1000 + 30, user: { id: 'u' } };
  const auth = {
    getSession: async () => {
      calls.getSession++;
      return { data: { session }, error: null };
    },
    refreshSession: async () => {
      calls.refreshSession++;
      return { data: { session: { ...session, access_token: 'new', expires_at: clock.now() / 1000 + 3600 } }, error: null };
    },
    onAuthStateChange: () => ({ data: { subscription: { unsubscribe() {} } } }),
  };
  return { auth: auth as never, calls };
}

describe('Session while offline', () => {
  it('asks supabase-js for nothing, and refreshes once online again', async () => {
    const clock = new FakeClock();
    const { auth, calls } = fakeAuth(clock);
    let online = false;
    const session = new Session(auth, clock, () => online);
    await expect(session.token()).rejects.toMatchObject({ type: 'network', code: 'offline', retryable: true });
    await expect(session.refresh()).rejects.toMatchObject({ code: 'offline' });
    expect(calls).toEqual({ getSession: 0, refreshSession: 0 });
    online = true;
    expect(await session.token()).toBe('new'); // expiring within the margin: refreshed
    expect(calls).toEqual({ getSession: 1, refreshSession: 1 });
  });
});

describe('Session when a refresh cannot get through', () => {
  function expiringAuth(clock: FakeClock, secondsLeft: number, answer: 'unreachable' | 'refused') {
    const session = { access_token: 'still-valid', expires_at: clock.now() / 1000 + secondsLeft, user: { id: 'u' } };
    return {
      getSession: async () => ({ data: { session }, error: null }),
      refreshSession: async () => ({ data: { session: null }, error: answer === 'unreachable'
        ? { name: 'AuthRetryableFetchError', status: 0 } : { name: 'AuthApiError', status: 400 } }),
      onAuthStateChange: () => ({ data: { subscription: { unsubscribe() {} } } }),
    } as never;
  }

  // After an outage supabase-js answers every refresh of that token from its
  // cache of the failure for a minute: the device must keep syncing with the
  // token it has while that token is good (the full fault run's stuck device).
  it('uses the token in hand while it is still valid', async () => {
    const clock = new FakeClock();
    expect(await new Session(expiringAuth(clock, 30, 'unreachable'), clock).token()).toBe('still-valid');
  });

  it('not when it is about to expire, nor when the auth server refused the refresh', async () => {
    const clock = new FakeClock();
    await expect(new Session(expiringAuth(clock, 5, 'unreachable'), clock).token())
      .rejects.toMatchObject({ type: 'network', retryable: true });
    await expect(new Session(expiringAuth(clock, 30, 'refused'), clock).token())
      .rejects.toMatchObject({ type: 'auth', code: 'token_expired', retryable: false });
  });
});

const HOUR = 3600_000;

function scriptedAuth(clock: FakeClock, answers: ('ok' | 'unreachable' | 'refused')[]) {
  let expiresAt = (clock.now() + HOUR) / 1000;
  let refreshes = 0;
  let reads = 0;
  const auth = {
    getSession: async () => (reads++, { data: { session: { access_token: `token-${refreshes}`, expires_at: expiresAt, user: { id: 'u' } } } }),
    refreshSession: async () => {
      refreshes++;
      const answer = answers.shift() ?? 'ok';
      if (answer === 'unreachable') return { data: { session: null }, error: { name: 'AuthRetryableFetchError', status: 0 } };
      if (answer === 'refused') return { data: { session: null }, error: { name: 'AuthApiError', status: 400 } };
      expiresAt = (clock.now() + HOUR) / 1000;
      return { data: { session: { access_token: `token-${refreshes}`, expires_at: expiresAt } }, error: null };
    },
    onAuthStateChange: () => ({ data: { subscription: { unsubscribe: () => {} } } }),
  };
  /** asked: every call into supabase-js (reads and refreshes). */
  return { auth: auth as never, refreshes: () => refreshes, asked: () => reads + refreshes };
}

/** Lets the promise chains a timer started run to their end. */
const settle = async () => { for (let i = 0; i < 20; i++) await Promise.resolve(); };

describe('Session.keepFresh', () => {
  it('refreshes a minute before expiry, again and again, and stops on close', async () => {
    const clock = new FakeClock();
    const a = scriptedAuth(clock, []);
    const session = new Session(a.auth, clock);
    session.keepFresh();
    await settle();
    expect(clock.pending()).toEqual([HOUR - REFRESH_MARGIN_MS]);
    clock.advance(HOUR - REFRESH_MARGIN_MS);
    await settle();
    expect(a.refreshes()).toBe(1);
    expect(clock.pending()).toEqual([HOUR - REFRESH_MARGIN_MS]);
    clock.advance(HOUR - REFRESH_MARGIN_MS);
    await settle();
    expect(a.refreshes()).toBe(2);
    session.close();
    expect(clock.pending()).toEqual([]);
  });

  it('retries after a network failure and gives up when the auth server refuses', async () => {
    const clock = new FakeClock();
    const a = scriptedAuth(clock, ['unreachable', 'refused']);
    const session = new Session(a.auth, clock);
    session.keepFresh();
    await settle();
    clock.advance(HOUR - REFRESH_MARGIN_MS);
    await settle();
    expect(a.refreshes()).toBe(1);
    expect(clock.pending()).toEqual([REFRESH_RETRY_MS]);
    clock.advance(REFRESH_RETRY_MS);
    await settle();
    // 30 s before expiry now: half the remaining life is the wait.
    expect(clock.pending()).toEqual([(REFRESH_MARGIN_MS - REFRESH_RETRY_MS) / 2]);
    clock.advance(clock.pending()[0]!);
    await settle();
    expect(a.refreshes()).toBe(2);
    expect(clock.pending()).toEqual([]);
  });

  it('asks supabase-js nothing while offline, and refreshes once online again', async () => {
    const clock = new FakeClock();
    const a = scriptedAuth(clock, []);
    let online = false;
    const session = new Session(a.auth, clock, () => online);
    session.keepFresh();
    await settle();
    clock.advance(2 * HOUR); // the token expired during the offline spell
    await settle();
    expect(a.asked()).toBe(0);
    online = true;
    clock.advance(REFRESH_RETRY_MS);
    await settle();
    clock.advance(clock.pending()[0]!);
    await settle();
    expect(a.refreshes()).toBe(1);
    session.close();
  });
});
