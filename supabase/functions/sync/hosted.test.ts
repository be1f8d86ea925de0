// The function as hosted Supabase runs it: a fresh process whose environment
// is exactly what hosted gives every function, with env access limited to
// those names (Deno refuses any other read, so a function that depends on a
// variable hosted does not provide fails to boot here), signed-in users
// carrying ES256 sessions verified with SUPABASE_JWKS, and no JWT secret.
import { SignJWT } from 'jose';
import { PROTOCOL_HEADER, PROTOCOL_VERSION, pullResponse, pushResponse } from '@packsync/protocol';
import { assert, assertEquals } from '../_shared/assert.ts';
import { signUp, testEnv, tripChanges, uuid } from '../_shared/testing.ts';

const env = testEnv();

/** What hosted Supabase sets for every function (docs: Functions → Environment variables). Written out on purpose. */
const HOSTED = [
  'SUPABASE_URL',
  'SUPABASE_DB_URL',
  'SUPABASE_ANON_KEY',
  'SUPABASE_SERVICE_ROLE_KEY',
  'SUPABASE_JWKS',
  'SUPABASE_PUBLISHABLE_KEYS',
  'SUPABASE_SECRET_KEYS',
];

const root = new URL('../../../', import.meta.url).pathname;
const deno = `${root}node_modules/.bin/deno`;

async function startHostedLike(): Promise<{ url: string; stop(): Promise<void>; log(): string }> {
  const jwks = await (await fetch(`${env.apiUrl}/auth/v1/.well-known/jwks.json`)).text();
  const port = freePort();
  const child = new Deno.Command(deno, {
    args: [
      'run', '--allow-net', '--allow-read', '--allow-sys',
      // Our own optional secrets (PACKSYNC_*) may be read; none is set here.
      // PG* are postgres.js's defaults, which hosted leaves unset too.
      `--allow-env=${[...HOSTED, 'PACKSYNC_*', 'PG*'].join(',')}`,
      '--no-prompt', '--node-modules-dir=manual', '--config', `${root}supabase/functions/deno.json`,
      `${root}packages/stack/deno/worker.ts`, `${root}supabase/functions/sync/index.ts`,
    ],
    cwd: root,
    clearEnv: true,
    env: {
      PATH: Deno.env.get('PATH') ?? '',
      HOME: Deno.env.get('HOME') ?? '/root',
      NO_COLOR: '1',
      PACKSYNC_WORKER_PORT: String(port),
      SUPABASE_URL: env.apiUrl,
      SUPABASE_DB_URL: env.dbUrl,
      SUPABASE_ANON_KEY: env.anonKey,
      SUPABASE_SERVICE_ROLE_KEY: env.serviceRoleKey,
      SUPABASE_JWKS: jwks,
      SUPABASE_PUBLISHABLE_KEYS: JSON.stringify({ default: 'sb_publishable_hosted_test' }),
      SUPABASE_SECRET_KEYS: JSON.stringify({ default: 'sb_secret_hosted_test' }),
    },
    stdout: 'piped',
    stderr: 'piped',
  }).spawn();
  let output = '';
  // Ready when the shim prints its line; failed if the process exits first.
  const ready = new Promise<void>((resolve, reject) => {
    const decoder = new TextDecoder();
    const read = async (stream: ReadableStream<Uint8Array>) => {
      for await (const chunk of stream) {
        output += decoder.decode(chunk);
        if (output.includes('packsync-worker-ready')) resolve();
      }
    };
    void read(child.stdout);
    void read(child.stderr);
    void child.status.then((s) => reject(new Error(`the function exited (${s.code}) before it was ready:\n${output}`)));
  });
  await ready;
  return {
    url: `http://127.0.0.1:${port}`,
    log: () => output,
    async stop() {
      child.kill('SIGTERM');
      await child.status;
    },
  };
}

function freePort(): number {
  const listener = Deno.listen({ hostname: '127.0.0.1', port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

Deno.test({
  name: 'hosted: boots with exactly hosted\'s variables and serves ES256 sessions, the publishable key and health',
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const fn = await startHostedLike();
    try {
      const user = await signUp(env);
      assertEquals(JSON.parse(atob(user.token.split('.')[0]!)).alg, 'ES256');
      const call = (route: string, body: unknown, token: string, apikey = env.anonKey) =>
        fetch(`${fn.url}/sync/${route}`, {
          method: 'POST',
          headers: { apikey, authorization: `Bearer ${token}`, [PROTOCOL_HEADER]: String(PROTOCOL_VERSION), 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });

      const pushed = await call('push', { client_id: uuid(), changes: tripChanges(uuid(), { items: 1 }) }, user.token);
      assertEquals(pushed.status, 200, fn.log());
      assert(pushResponse.parse(await pushed.json()).results.every((r) => r.status === 'applied'));
      // The new-style publishable key is accepted in `apikey` as well.
      const pulled = await call('pull', { cursor: null }, user.token, 'sb_publishable_hosted_test');
      assertEquals(pulled.status, 200);
      assertEquals(pullResponse.parse(await pulled.json()).changes.filter((c) => c.entity === 'items').length, 1);

      // No JWT secret on hosted: an HS256 session (even with the right secret) is refused.
      const claims = JSON.parse(atob(user.token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/')));
      const hs = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .sign(new TextEncoder().encode(env.jwtSecret));
      const refused = await call('pull', { cursor: null }, hs);
      assertEquals(refused.status, 401);
      await refused.body?.cancel();

      const health = await fetch(`${fn.url}/sync/health`);
      assertEquals(await health.json(), { status: 'ok' });
    } finally {
      await fn.stop();
    }
  },
});
