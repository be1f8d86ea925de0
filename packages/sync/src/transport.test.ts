// Error classification of the wire: whatever comes back, the engine gets a
// SyncError that says whether a retry can help and how long to wait.
import { describe, expect, it } from 'vitest';
import { FakeClock } from './testing/fake-clock.ts';
import { errorFrom, retryAfterMs, Transport } from './transport.ts';

const clock = new FakeClock();
const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

function transport(fetch: typeof globalThis.fetch) {
  return new Transport({ url: 'http://sync.test/', anonKey: 'anon', fetch, clock, token: async () => 'token' });
}

describe('errorFrom', () => {
  it('429 rate with Retry-After: retryable, wait from the header (a type this version does not know is kept leniently)', async () => {
    const e = await errorFrom(json(429, { error: { type: 'rate', code: 'too_many_streams', message: 'slow down', retryable: true } }, { 'retry-after': '7' }), clock);
    expect(e).toMatchObject({ code: 'too_many_streams', retryable: true, status: 429, retryAfterMs: 7000, type: 'storage' });
  });

  it('503 storage: retryable', async () => {
    const e = await errorFrom(json(503, { error: { type: 'storage', code: 'database_unavailable', message: 'busy', retryable: true } }, { 'retry-after': '2' }), clock);
    expect(e).toMatchObject({ type: 'storage', retryable: true, retryAfterMs: 2000 });
  });

  it('401: auth, not retryable as such (the session decides)', async () => {
    const e = await errorFrom(json(401, { error: { type: 'auth', code: 'token_expired', message: 'expired', retryable: false } }), clock);
    expect(e).toMatchObject({ type: 'auth', code: 'token_expired', retryable: false });
  });

  it('a body that is not the wire error: classified by status', async () => {
    expect(await errorFrom(new Response('<html>bad gateway</html>', { status: 502 }), clock)).toMatchObject({ retryable: true, code: 'http_502' });
    expect(await errorFrom(new Response('nope', { status: 400 }), clock)).toMatchObject({ retryable: false, type: 'unknown' });
  });

  it('Retry-After as an HTTP date', () => {
    expect(retryAfterMs(new Date(clock.now() + 3000).toUTCString(), clock.now())).toBe(3000);
    expect(retryAfterMs('soon', clock.now())).toBeUndefined();
  });
});

describe('Transport', () => {
  it('a fetch that throws is the network being away: offline, retryable', async () => {
    const t = transport(async () => { throw new TypeError('fetch failed'); });
    await expect(t.pull(null, 10)).rejects.toMatchObject({ type: 'network', code: 'offline', retryable: true });
  });

  it('sends the token, the apikey and the protocol version', async () => {
    let seen: Headers | undefined;
    const t = transport(async (_url, init) => {
      seen = new Headers(init!.headers);
      return json(200, { changes: [], cursor: 'v1:1:0', has_more: false });
    });
    await t.pull(null, 10);
    expect(seen!.get('authorization')).toBe('Bearer token');
    expect(seen!.get('apikey')).toBe('anon');
    expect(seen!.get('x-packsync-protocol')).toBe('1');
  });

  it('a 200 whose body breaks the protocol is a bad_response, not silently accepted', async () => {
    const t = transport(async () => json(200, { changes: 'lots' }));
    await expect(t.pull(null, 10)).rejects.toMatchObject({ code: 'bad_response' });
  });
});
