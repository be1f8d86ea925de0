import { SignJWT, decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { testClient, testStack } from '../testing.ts';

const stack = testStack();
const client = () => testClient(stack);
const email = () => `user-${crypto.randomUUID()}@packsync.test`;
const authUrl = (path: string) => `${stack.apiUrl}/auth/v1${path}`;

/** A GET /user with the given bearer, as raw HTTP, to see GoTrue's exact answer. */
async function getUserRaw(token: string) {
  const res = await fetch(authUrl('/user'), {
    headers: { apikey: stack.anonKey, authorization: `Bearer ${token}`, 'x-supabase-api-version': '2024-01-01' },
  });
  return { status: res.status, body: await res.json() };
}

describe('auth, through the real supabase-js', () => {
  it('signs up, signs in, reads the user, refreshes and signs out', async () => {
    const supabase = client();
    const address = email();
    const signUp = await supabase.auth.signUp({ email: address, password: 'correct horse' });
    expect(signUp.error).toBeNull();
    expect(signUp.data.session?.access_token).toBeTruthy();
    expect(signUp.data.user?.email).toBe(address);

    const signIn = await supabase.auth.signInWithPassword({ email: address, password: 'correct horse' });
    expect(signIn.error).toBeNull();
    const session = signIn.data.session!;
    const claims = decodeJwt(session.access_token);
    expect(claims).toMatchObject({ sub: signIn.data.user!.id, role: 'authenticated', aud: 'authenticated', email: address, aal: 'aal1' });
    expect(typeof claims.session_id).toBe('string');
    expect(claims.exp! - claims.iat!).toBe(3600);

    const user = await supabase.auth.getUser();
    expect(user.error).toBeNull();
    expect(user.data.user?.id).toBe(signIn.data.user!.id);

    const refreshed = await supabase.auth.refreshSession();
    expect(refreshed.error).toBeNull();
    expect(refreshed.data.session!.refresh_token).not.toBe(session.refresh_token);
    expect(decodeJwt(refreshed.data.session!.access_token).session_id).toBe(claims.session_id);

    expect((await supabase.auth.signOut()).error).toBeNull();
    // The session is gone on the server: its access token no longer reads the user.
    const after = await getUserRaw(refreshed.data.session!.access_token);
    expect(after).toEqual({ status: 403, body: { code: 'session_not_found', message: expect.any(String) } });
  });

  it('refuses a wrong password with invalid_credentials', async () => {
    const supabase = client();
    const address = email();
    await supabase.auth.signUp({ email: address, password: 'correct horse' });
    const { data, error } = await client().auth.signInWithPassword({ email: address, password: 'wrong horse' });
    expect(data.session).toBeNull();
    expect(error).toMatchObject({ status: 400, code: 'invalid_credentials', message: 'Invalid login credentials' });
  });

  it('refuses a second sign-up, a weak password and a malformed e-mail', async () => {
    const address = email();
    await client().auth.signUp({ email: address, password: 'correct horse' });
    expect((await client().auth.signUp({ email: address, password: 'correct horse' })).error)
      .toMatchObject({ status: 422, code: 'user_already_exists' });
    expect((await client().auth.signUp({ email: email(), password: '123' })).error)
      .toMatchObject({ status: 422, code: 'weak_password' });
    expect((await client().auth.signUp({ email: 'not-an-email', password: 'correct horse' })).error)
      .toMatchObject({ status: 400, code: 'validation_failed' });
  });

  it('refuses malformed, expired, foreign-secret and anon tokens with bad_jwt', async () => {
    const { data } = await client().auth.signUp({ email: email(), password: 'correct horse' });
    const real = decodeJwt(data.session!.access_token);
    const sign = (secret: string, exp: number) =>
      new SignJWT({ ...real, exp }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(new TextEncoder().encode(secret));
    const now = Math.floor(Date.now() / 1000);

    for (const token of [
      'not.a.jwt',
      await sign(stack.jwtSecret, now - 10),
      await sign('another-secret-that-is-at-least-32-characters', now + 600),
      stack.anonKey,
    ]) {
      const res = await getUserRaw(token);
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('bad_jwt');
    }
    const expired = await getUserRaw(await sign(stack.jwtSecret, now - 10));
    expect(expired.body.message).toMatch(/expired/);
    // And supabase-js surfaces the same error to the app.
    const viaClient = await client().auth.getUser('not.a.jwt');
    expect(viaClient.error).toMatchObject({ status: 403, code: 'bad_jwt' });
  });

  it('requires an API key as Supabase does and answers errors in the legacy shape to old clients', async () => {
    const noKey = await fetch(authUrl('/token?grant_type=password'), { method: 'POST', body: '{}' });
    expect(noKey.status).toBe(401);
    expect(await noKey.json()).toEqual({ message: 'No API key found in request' });
    const badKey = await fetch(authUrl('/user'), { headers: { apikey: 'nope' } });
    expect(badKey.status).toBe(401);

    const legacy = await fetch(authUrl('/token?grant_type=password'), {
      method: 'POST',
      headers: { apikey: stack.anonKey, 'content-type': 'application/json' },
      body: JSON.stringify({ email: email(), password: 'whatever' }),
    });
    expect(await legacy.json()).toEqual({ code: 400, error_code: 'invalid_credentials', msg: 'Invalid login credentials' });
  });

  it('answers CORS preflights so the web app on its own port can call it', async () => {
    const res = await fetch(authUrl('/token'), {
      method: 'OPTIONS',
      headers: { origin: 'http://127.0.0.1:3000', 'access-control-request-method': 'POST', 'access-control-request-headers': 'apikey,content-type' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-headers')).toBe('apikey,content-type');
  });
});
