// The verifier refuses every token that is not a live user session of this
// project. No database needed: tokens are made here with jose.
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { assertEquals } from './assert.ts';
import { createVerifier, type VerifierOptions } from './auth.ts';
import { systemClock } from './clock.ts';
import { SyncError } from './errors.ts';

const secret = 'test-secret-with-at-least-thirty-two-characters!';
const apiKey = 'project-anon-key';
const now = Math.floor(Date.now() / 1000);
const user = { sub: '00000000-0000-4000-8000-000000000001', role: 'authenticated', aud: 'authenticated', exp: now + 600 };

const hs = (claims: Record<string, unknown>, key = secret) =>
  new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(new TextEncoder().encode(key));
const b64 = (value: unknown) => btoa(JSON.stringify(value)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');

function verifier(options: Partial<VerifierOptions> = {}) {
  return createVerifier({ jwtSecret: secret, apiKeys: [apiKey, 'service-key'], clock: systemClock, ...options });
}

async function outcome(token: string | null, options: Partial<VerifierOptions> = {}, key: string | null = apiKey): Promise<string> {
  const headers = new Headers();
  if (key !== null) headers.set('apikey', key);
  if (token !== null) headers.set('authorization', `Bearer ${token}`);
  try {
    const claims = await verifier(options).authenticate(headers);
    return `ok ${claims.sub}`;
  } catch (error) {
    if (error instanceof SyncError) return `${error.status} ${error.type} ${error.code}`;
    throw error;
  }
}

Deno.test('accepts a live user session signed with the project secret', async () => {
  assertEquals(await outcome(await hs(user)), `ok ${user.sub}`);
});

Deno.test('refuses missing or foreign API keys and missing tokens', async () => {
  const token = await hs(user);
  assertEquals(await outcome(token, {}, null), '401 auth missing_apikey');
  assertEquals(await outcome(token, {}, 'someone-elses-key'), '401 auth invalid_apikey');
  assertEquals(await outcome(null), '401 auth missing_token');
  assertEquals(await outcome('not.a.jwt'), '401 auth invalid_token');
});

Deno.test('refuses alg none, a bad signature, expiry, a wrong audience and a missing subject', async () => {
  const none = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(user)}.`;
  assertEquals(await outcome(none), '401 auth invalid_token');
  assertEquals(await outcome(await hs(user, 'another-secret-with-at-least-thirty-two-chars')), '401 auth invalid_token');
  const token = await hs(user);
  assertEquals(await outcome(`${token.slice(0, -4)}AAAA`), '401 auth invalid_token');
  assertEquals(await outcome(await hs({ ...user, exp: now - 10 })), '401 auth token_expired');
  // The clock decides expiry: a token valid now is expired an hour later.
  const later = { ...systemClock, now: () => Date.now() + 3600_000 };
  assertEquals(await outcome(token, { clock: later }), '401 auth token_expired');
  assertEquals(await outcome(await hs({ ...user, aud: 'someone-else' })), '401 auth invalid_token');
  const { sub: _, ...noSub } = user;
  assertEquals(await outcome(await hs(noSub)), '401 auth invalid_token');
});

Deno.test('refuses the anon and service-role keys as user tokens', async () => {
  const anon = await hs({ iss: 'supabase-demo', role: 'anon', exp: now + 600 });
  assertEquals(await outcome(anon), '401 auth not_authenticated');
  const service = await hs({ iss: 'supabase-demo', role: 'service_role', exp: now + 600 });
  assertEquals(await outcome(service), '401 auth not_authenticated');
  // Even with the right audience, only role `authenticated` is a user session.
  assertEquals(await outcome(await hs({ ...user, role: 'service_role' })), '401 auth not_authenticated');
});

Deno.test('JWKS: accepts asymmetric tokens when configured, refuses RS/HS confusion', async () => {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  const server = Deno.serve({ port: 0, hostname: '127.0.0.1', onListen: () => {} }, () => Response.json({ keys: [jwk] }));
  const jwksUrl = `http://127.0.0.1:${server.addr.port}/jwks.json`;
  try {
    const rs = await new SignJWT(user).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).sign(privateKey);
    assertEquals(await outcome(rs, { jwksUrl }), `ok ${user.sub}`);
    // Without a JWKS an asymmetric token is refused.
    assertEquals(await outcome(rs), '401 auth invalid_token');
    // Confusion: HS256 "signed" with the public key as the HMAC secret.
    const confused = await hs(user, JSON.stringify(jwk));
    assertEquals(await outcome(confused, { jwksUrl }), '401 auth invalid_token');
    // HS256 with the project secret still works alongside the JWKS.
    assertEquals(await outcome(await hs(user), { jwksUrl }), `ok ${user.sub}`);
  } finally {
    await server.shutdown();
  }
});

Deno.test('checks a session signature once, and still ends it at its expiry', async () => {
  const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
  const token = await new SignJWT(user).setProtectedHeader({ alg: 'ES256', kid: 'k1' }).sign(privateKey);
  let time = Date.now();
  const clock = { ...systemClock, now: () => time };
  const v = verifier({ jwks: { keys: [jwk] }, clock });
  const headers = (t: string, key = apiKey) => new Headers({ apikey: key, authorization: `Bearer ${t}` });
  const subtle = crypto.subtle;
  const original = subtle.verify;
  let checks = 0;
  subtle.verify = function (...args: Parameters<SubtleCrypto['verify']>) {
    checks++;
    return original.apply(subtle, args);
  };
  try {
    for (let i = 0; i < 3; i++) assertEquals((await v.authenticate(headers(token))).sub, user.sub);
    assertEquals(checks, 1, 'one signature check for three requests with the same session');
    // The API key is checked on every request, and another token is verified afresh.
    const refused = await v.authenticate(headers(token, 'someone-elses-key')).catch((e: SyncError) => e.code);
    assertEquals(refused, 'invalid_apikey');
    const forged = await v.authenticate(headers(`${token.slice(0, -4)}AAAA`)).catch((e: SyncError) => e.code);
    assertEquals(forged, 'invalid_token');
    // Expiry still ends a remembered session.
    time = user.exp * 1000;
    const expired = await v.authenticate(headers(token)).catch((e: SyncError) => e.code);
    assertEquals(expired, 'token_expired');
  } finally {
    subtle.verify = original;
  }
});
