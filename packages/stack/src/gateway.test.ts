import path from 'node:path';
import { importJWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_ANON_KEY, LOCAL_JWT_SECRET, LOCAL_SERVICE_ROLE_KEY, LOCAL_SIGNING_KEY, repoRoot } from './config.ts';
import { functionsWithoutJwtCheck, importMapFor } from './functions/config.ts';
import { FunctionWorkers } from './functions/workers.ts';
import { startGateway } from './gateway.ts';

// A gateway of its own over fixture functions run by the real Deno, so these
// tests do not depend on the app's functions.
const functions = new FunctionWorkers({
  functionsDir: path.join(repoRoot, 'packages', 'stack', 'fixtures', 'functions'),
  watch: false,
  log: () => {},
  env: { SUPABASE_URL: 'http://gateway.test', SUPABASE_DB_URL: 'postgresql://unused' },
});
let gateway: { url: string; stop(): Promise<void> };

beforeAll(async () => {
  gateway = await startGateway({
    port: 0,
    apiKeys: [LOCAL_ANON_KEY, LOCAL_SERVICE_ROLE_KEY],
    tokens: { secret: LOCAL_JWT_SECRET, signingKey: LOCAL_SIGNING_KEY },
    auth: async (_request, p) => Response.json({ authPath: p }),
    functions,
    openFunctions: new Set(['crash']),
    log: () => {},
  });
});
afterAll(async () => {
  await gateway.stop();
  await functions.stop();
});

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('gateway', () => {
  it('runs /functions/v1/<name>/… in its Deno worker, with the name first in the path', async () => {
    const res = await fetch(`${gateway.url}/functions/v1/echo/hello/world?x=1`, {
      method: 'POST',
      headers: { ...bearer(LOCAL_ANON_KEY), 'content-type': 'text/plain' },
      body: 'payload',
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      method: 'POST',
      path: '/echo/hello/world',
      search: '?x=1',
      body: 'payload',
      env: { hasDbUrl: true, url: 'http://gateway.test' },
    });
  });

  it('answers 404 JSON for an unknown function and for unknown routes', async () => {
    const fn = await fetch(`${gateway.url}/functions/v1/nope`, { headers: bearer(LOCAL_ANON_KEY) });
    expect(fn.status).toBe(404);
    expect(await fn.json()).toEqual({ code: 'NOT_FOUND', message: 'Requested function was not found' });
    const other = await fetch(`${gateway.url}/rest/v1/trips`);
    expect(other.status).toBe(404);
    expect(await other.json()).toEqual({ message: 'no Route matched with those values' });
  });

  it('checks the JWT of functions with verify_jwt on, and not of the others', async () => {
    expect((await fetch(`${gateway.url}/functions/v1/echo`)).status).toBe(401);
    const forged = await new SignJWT({ role: 'anon' }).setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode('some-other-secret-of-at-least-32-chars'));
    const res = await fetch(`${gateway.url}/functions/v1/echo`, { headers: bearer(forged) });
    expect(res.status).toBe(401);
    expect((await res.json()).code).toBe('UNAUTHORIZED_INVALID_JWT_FORMAT');
    expect((await fetch(`${gateway.url}/functions/v1/crash`)).status).toBe(200);
    // A user session signed with the ES256 key, as the local auth now issues them.
    const es256 = await new SignJWT({ role: 'authenticated', sub: crypto.randomUUID() })
      .setProtectedHeader({ alg: 'ES256', kid: LOCAL_SIGNING_KEY.kid })
      .setExpirationTime('5m')
      .sign(await importJWK(LOCAL_SIGNING_KEY, 'ES256'));
    expect((await fetch(`${gateway.url}/functions/v1/echo`, { headers: bearer(es256) })).status).toBe(200);
  });

  it('restarts a worker that died, on the next request', async () => {
    const first = await (await fetch(`${gateway.url}/functions/v1/crash/exit`)).text();
    await functions.whenExited('crash');
    const second = await (await fetch(`${gateway.url}/functions/v1/crash`)).text();
    expect(second).not.toBe(first);
  });

  it('routes /auth/v1 with its sub-path and requires the API key', async () => {
    const res = await fetch(`${gateway.url}/auth/v1/token?grant_type=password`, { method: 'POST', headers: { apikey: LOCAL_ANON_KEY }, body: '{}' });
    expect(await res.json()).toEqual({ authPath: '/token' });
    expect((await fetch(`${gateway.url}/auth/v1/user`)).status).toBe(401);
  });
});

describe('supabase/config.toml', () => {
  it('reads verify_jwt = false per function and nothing else', () => {
    const toml = `[functions.a]\nverify_jwt = false\n[functions.b]\nverify_jwt = true\n[auth]\nverify_jwt = false # not a function\n`;
    expect([...functionsWithoutJwtCheck(toml)]).toEqual(['a']);
  });

  it('takes a function\'s import map from config.toml, relative to the supabase folder', () => {
    const toml = `[functions.a]\nimport_map = "./functions/deno.json"\n[functions.b]\nverify_jwt = false\n`;
    expect(importMapFor('a', '/repo/supabase/functions', toml)).toBe('/repo/supabase/functions/deno.json');
    expect(importMapFor('b', '/repo/supabase/functions', toml)).toBeUndefined();
  });
});

describe('the well-known local keys', () => {
  it('are signed by the local JWT secret with the anon and service_role roles', async () => {
    const { jwtVerify } = await import('jose');
    const secret = new TextEncoder().encode(LOCAL_JWT_SECRET);
    expect((await jwtVerify(LOCAL_ANON_KEY, secret)).payload.role).toBe('anon');
    expect((await jwtVerify(LOCAL_SERVICE_ROLE_KEY, secret)).payload.role).toBe('service_role');
  });
});
