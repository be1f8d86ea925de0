// The local auth where it must behave as GoTrue does under misuse: linear
// e-mail checks, NUL bytes, passwords bcrypt would cut, the refresh-token
// reuse interval, and ES256 sessions verifiable with the published key set.
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { LOCAL_JWT_SECRET, LOCAL_PUBLISHABLE_KEY, LOCAL_SIGNING_KEY } from '../config.ts';
import { testClient, testStack } from '../testing.ts';
import { createAuthHandler } from './handler.ts';

const stack = testStack();
const email = () => `hard-${crypto.randomUUID()}@packsync.test`;
const authUrl = (path: string) => `${stack.apiUrl}/auth/v1${path}`;

async function post(path: string, body: unknown) {
  const res = await fetch(authUrl(path), {
    method: 'POST',
    headers: { apikey: stack.anonKey, 'content-type': 'application/json', 'x-supabase-api-version': '2024-01-01' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

describe('local auth under misuse', () => {
  it('checks e-mail addresses in linear time (no backtracking on "a@....@")', async () => {
    // Quadratic backtracking took 19 s on 200 000 dots; this is 900 000.
    const res = await post('/signup', { email: `a@${'.'.repeat(900_000)}@`, password: 'correct horse' });
    expect(res).toMatchObject({ status: 400, body: { code: 'validation_failed' } });
    for (const bad of ['a@b', '@b.c', 'a@.c', 'a@b.', 'a b@c.d', 'a@b@c.d']) {
      expect((await post('/signup', { email: bad, password: 'correct horse' })).status).toBe(400);
    }
  }, 10_000);

  it('answers 400 to NUL bytes in the e-mail, the refresh token and the metadata', async () => {
    expect(await post('/signup', { email: `a\u0000${email()}`, password: 'correct horse' }))
      .toMatchObject({ status: 400, body: { code: 'validation_failed' } });
    expect(await post('/signup', { email: email(), password: 'correct horse', data: { name: 'x\u0000y' } }))
      .toMatchObject({ status: 400, body: { code: 'validation_failed' } });
    expect(await post('/token?grant_type=refresh_token', { refresh_token: 'abc\u0000' }))
      .toMatchObject({ status: 400, body: { code: 'validation_failed' } });
  });

  it('refuses passwords longer than 72 bytes, as GoTrue does, instead of cutting them', async () => {
    const long = await post('/signup', { email: email(), password: 'é'.repeat(37) }); // 74 bytes, 37 characters
    expect(long).toMatchObject({ status: 400, body: { code: 'validation_failed', message: 'Password cannot be longer than 72 characters' } });
    // A 72-byte password works; a longer one sharing its first 72 bytes does not sign in.
    const address = email();
    const password = 'p'.repeat(72);
    expect((await post('/signup', { email: address, password })).status).toBe(200);
    expect((await post('/token?grant_type=password', { email: address, password })).status).toBe(200);
    expect(await post('/token?grant_type=password', { email: address, password: `${password}extra` }))
      .toMatchObject({ status: 400, body: { code: 'invalid_credentials' } });
  });

  it('takes the publishable key in `apikey`, as hosted does', async () => {
    const res = await fetch(authUrl('/signup'), {
      method: 'POST',
      headers: { apikey: LOCAL_PUBLISHABLE_KEY, 'content-type': 'application/json' },
      body: JSON.stringify({ email: email(), password: 'correct horse' }),
    });
    expect(res.status).toBe(200);
    await res.body?.cancel();
  });

  it('signs sessions with ES256, verifiable with the key set served at /.well-known/jwks.json without an API key', async () => {
    const { data } = await testClient(stack).auth.signUp({ email: email(), password: 'correct horse' });
    const token = data.session!.access_token;
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'ES256', kid: LOCAL_SIGNING_KEY.kid });
    const jwks = createRemoteJWKSet(new URL(authUrl('/.well-known/jwks.json')));
    const { payload } = await jwtVerify(token, jwks, { audience: 'authenticated' });
    expect(payload.sub).toBe(data.user!.id);
    const served = await (await fetch(authUrl('/.well-known/jwks.json'))).json();
    expect(served.keys.map((k: Record<string, unknown>) => [k.kty, k.alg, 'd' in k])).toEqual([['EC', 'ES256', false]]);
  });
});

describe('refresh-token reuse (GoTrue\'s 10 s interval), on a clock of our own', () => {
  const sql = postgres(stack.dbUrl, { max: 2, onnotice: () => {} });
  afterAll(() => sql.end());
  let now = Math.floor(Date.now() / 1000);
  const handler = createAuthHandler({
    sql,
    tokens: { secret: LOCAL_JWT_SECRET, signingKey: LOCAL_SIGNING_KEY, issuer: 'test', expirySeconds: 3600 },
    nowSeconds: () => now,
  });
  const call = async (path: string, body: unknown) => {
    const res = await handler(new Request(`http://auth.test${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-supabase-api-version': '2024-01-01' },
      body: JSON.stringify(body),
    }), path.split('?')[0]!);
    return { status: res.status, body: await res.json() };
  };
  const refresh = (token: string) => call('/token?grant_type=refresh_token', { refresh_token: token });

  it('lets two tabs refresh with the same token, and revokes the session when it comes back later', async () => {
    const signedUp = await call('/signup', { email: email(), password: 'correct horse' });
    const first = signedUp.body.refresh_token as string;

    const tabA = await refresh(first);
    expect(tabA.status).toBe(200);
    now += 1;
    // Tab B presents the same token a second later: the session's live token comes back.
    const tabB = await refresh(first);
    expect(tabB.status).toBe(200);
    expect(tabB.body.refresh_token).toBe(tabA.body.refresh_token);

    // Tab A moves on; B, still within 10 s, gets a successor of its own.
    const tabA2 = await refresh(tabA.body.refresh_token);
    expect(tabA2.status).toBe(200);
    now += 2;
    const tabB2 = await refresh(first);
    expect(tabB2.status).toBe(200);
    expect(tabB2.body.refresh_token).not.toBe(tabA2.body.refresh_token);

    const tabB3 = await refresh(tabB2.body.refresh_token);
    expect(tabB3.status).toBe(200);

    // Past the interval the spent token is a replay: the whole session ends.
    now += 30;
    expect(await refresh(first)).toMatchObject({ status: 400, body: { code: 'refresh_token_already_used' } });
    expect((await refresh(tabB3.body.refresh_token)).status).toBe(400);
  });
});
