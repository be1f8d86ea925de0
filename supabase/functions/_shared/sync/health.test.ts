// Health follows the database: a handler whose database URL goes through a
// TCP proxy started here reports `down` while the proxy is closed and `ok`
// after it reopens. The shared test database itself is never stopped.
import { errorResponse, healthResponse } from '@packsync/protocol';
import { assert, assertEquals } from '../assert.ts';
import { signUp, syncRequest, testEnv, testHandler, tripChanges, uuid } from '../testing.ts';

const env = testEnv();

/** A TCP proxy to `target` that can be closed (dropping every connection) and reopened on the same port. */
function tcpProxy(target: { hostname: string; port: number }) {
  let listener: Deno.Listener | undefined;
  const conns = new Set<Deno.Conn>();
  let port = 0;
  const pipe = async (from: Deno.Conn, to: Deno.Conn) => {
    try {
      await from.readable.pipeTo(to.writable);
    } catch {
      // either side closed
    }
  };
  const accept = async (l: Deno.Listener) => {
    for await (const client of l) {
      try {
        const upstream = await Deno.connect(target);
        conns.add(client).add(upstream);
        void pipe(client, upstream);
        void pipe(upstream, client);
      } catch {
        client.close();
      }
    }
  };
  return {
    get port() {
      return port;
    },
    open() {
      listener = Deno.listen({ hostname: '127.0.0.1', port });
      port = (listener.addr as Deno.NetAddr).port;
      void accept(listener);
    },
    close() {
      listener?.close();
      listener = undefined;
      for (const c of conns) {
        try {
          c.close();
        } catch {
          // already closed
        }
      }
      conns.clear();
    },
  };
}

/** A handler whose database connection runs through a proxy the test can close and reopen. */
function handlerBehindProxy(overrides: Parameters<typeof testHandler>[1] = {}) {
  const db = new URL(env.dbUrl);
  const proxy = tcpProxy({ hostname: db.hostname, port: Number(db.port) });
  proxy.open();
  const viaProxy = new URL(env.dbUrl);
  viaProxy.port = String(proxy.port);
  return { proxy, ...testHandler(env, { ...overrides, dbUrl: viaProxy.href }) };
}

// The proxy's piping tasks end asynchronously after close.
const proxyTest = { sanitizeOps: false, sanitizeResources: false };

Deno.test({
  ...proxyTest,
  name: 'health is down while the database is unreachable and ok once it is back',
  fn: async () => {
    const { proxy, handler, logger } = handlerBehindProxy({ healthTimeoutMs: 1500 });
    const health = async () => {
      const response = await handler.handle(new Request(`${env.apiUrl}/functions/v1/sync/health`, { headers: { apikey: env.serviceRoleKey } }));
      return { status: response.status, retryAfter: response.headers.get('retry-after'), body: healthResponse.parse(await response.json()) };
    };
    try {
      const up = await health();
      assertEquals([up.status, up.body.status, up.body.checks.database], [200, 'ok', 'ok']);

      proxy.close();
      const down = await health();
      assertEquals([down.status, down.body.status, down.body.checks.database], [503, 'down', 'down']);
      assert(down.retryAfter, 'no Retry-After on 503');
      assertEquals(down.body.checks.migration, null);

      proxy.open();
      const back = await health();
      assertEquals([back.status, back.body.status], [200, 'ok']);
      assertEquals(logger.entries.map((e) => e.outcome), ['ok', 'down', 'ok']);

      // Secrets never appear in the answer.
      const text = JSON.stringify(back.body);
      assert(!text.includes('postgres:') && !text.includes(env.jwtSecret) && !text.includes(env.serviceRoleKey));
    } finally {
      proxy.close();
      await handler.close();
    }
  },
});

Deno.test({
  ...proxyTest,
  name: 'push is a retryable 503 storage error while the database is unreachable',
  fn: async () => {
    const { proxy, handler } = handlerBehindProxy();
    try {
      const user = await signUp(env);
      proxy.close();
      const response = await handler.handle(syncRequest(env, 'push', { token: user.token, body: { client_id: uuid(), changes: tripChanges(uuid()) } }));
      assertEquals(response.status, 503);
      assert(response.headers.get('retry-after'));
      const { error } = errorResponse.parse(await response.json());
      assertEquals([error.type, error.code, error.retryable], ['storage', 'database_unavailable', true]);
    } finally {
      proxy.close();
      await handler.close();
    }
  },
});
