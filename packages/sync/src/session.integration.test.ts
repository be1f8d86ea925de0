// Sessions: a token that expires during an offline spell is refreshed through
// supabase-js and sync resumes; a 401 makes the engine refresh once; when no
// fresh token can be had it pauses (paused_auth) until supabase-js has one.
import { SignJWT } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import type { SupabaseClient } from '@supabase/supabase-js';
import { closeDb, device, serverRows, signUp, stack } from './testing/harness.ts';

afterAll(closeDb);

/** supabase-js's auth with getSession/refreshSession overridable, everything else the real client's. */
function authWith(client: SupabaseClient, overrides: Partial<SupabaseClient['auth']>): Pick<SupabaseClient, 'auth'> {
  return { auth: new Proxy(client.auth, { get: (target, key) => (key in overrides ? (overrides as never)[key] : Reflect.get(target, key, target)) }) };
}

async function expiredToken(userId: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ sub: userId, role: 'authenticated', aud: 'authenticated' })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt(now - 7200).setExpirationTime(now - 3600)
    .sign(new TextEncoder().encode(stack().jwtSecret));
}

describe('session', () => {
  it('an expired token during an offline spell is refreshed before use and sync resumes', async () => {
    const alice = await signUp('alice');
    let skew = 0;
    const clock = { now: () => Date.now() + skew, setTimeout: (fn: () => void, ms: number) => setTimeout(fn, ms), clearTimeout: (h: unknown) => clearTimeout(h as never) };
    let refreshes = 0;
    const auth = authWith(alice.client, { refreshSession: (async () => (refreshes++, alice.client.auth.refreshSession())) as never });
    const d = await device(alice.client, { clock, supabase: auth as SupabaseClient });
    d.net.set(false);
    const trip = await d.engine.create('trips', { name: 'Long flight' });
    skew = 2 * 3600_000; // two hours offline: the access token has expired
    d.net.set(true);
    expect((await d.engine.syncNow()).error).toBeNull();
    expect(refreshes).toBeGreaterThanOrEqual(1);
    expect(await serverRows('trips', trip)).toHaveLength(1);
    await d.engine.stop();
  });

  it('a 401 (token expired on the server) refreshes the session once and the same sync goes on', async () => {
    const alice = await signUp('alice');
    const stale = await expiredToken(alice.id);
    let served = 0;
    let refreshes = 0;
    const auth = authWith(alice.client, {
      refreshSession: (async () => (refreshes++, alice.client.auth.refreshSession())) as never,
      getSession: async () => {
        const real = await alice.client.auth.getSession();
        served++;
        // Until refreshed, the token handed out is one the server rejects as expired (clock skew).
        return refreshes === 0 ? { ...real, data: { session: { ...real.data.session!, access_token: stale } } } as never : real;
      },
    });
    const d = await device(alice.client, { supabase: auth as SupabaseClient });
    const trip = await d.engine.create('trips', { name: 'Skewed clock' });
    expect((await d.engine.syncNow()).error).toBeNull();
    expect(await serverRows('trips', trip)).toHaveLength(1);
    expect(refreshes).toBe(1);
    expect(served).toBeGreaterThan(1);
    await d.engine.stop();
  });

  it('pauses (paused_auth) when the session cannot be refreshed, and resumes when supabase-js signs in again', async () => {
    const alice = await signUp('alice');
    const stale = await expiredToken(alice.id);
    let broken = false;
    const auth = authWith(alice.client, {
      getSession: async () => {
        const real = await alice.client.auth.getSession();
        return broken ? { ...real, data: { session: { ...real.data.session!, access_token: stale } } } as never : real;
      },
      refreshSession: async () => (broken
        ? { data: { session: null, user: null }, error: Object.assign(new Error('Invalid Refresh Token'), { status: 400 }) } as never
        : alice.client.auth.refreshSession()),
    });
    const d = await device(alice.client, { supabase: auth as SupabaseClient, autoSync: true });
    await d.engine.syncNow();
    broken = true;
    const trip = await d.engine.create('trips', { name: 'Signed out elsewhere' });
    const paused = await d.engine.syncNow();
    expect(paused.error?.type).toBe('auth');
    expect(d.engine.status.get().state).toBe('paused_auth');
    expect((await d.engine.health()).status).toBe('unhealthy');

    const resumed = new Promise<void>((resolve) => d.engine.status.subscribe((s) => s.state === 'idle' && resolve()));
    broken = false;
    await alice.client.auth.signInWithPassword({ email: alice.email, password: alice.password });
    await resumed;
    expect(await serverRows('trips', trip)).toHaveLength(1);
    await d.engine.stop();
  });
});
