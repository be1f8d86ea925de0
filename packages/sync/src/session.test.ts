// While the network monitor says offline, no token is asked of supabase-js:
// its getSession refreshes near expiry by itself, and a refresh that fails is
// answered from its cache for a minute (REFRESH_FAILURE_COOLDOWN_MS), so one
// offline try kept a device from syncing after it came back.
import { describe, expect, it } from 'vitest';
import { Session } from './session.ts';
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
