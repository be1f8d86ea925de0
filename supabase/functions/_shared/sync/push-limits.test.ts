// What one push may cost: the database gets the validated changes (never the
// raw body), and one user holds at most a few pushes (and a few pulls) in flight per instance.
import { errorResponse, pushResponse } from '@packsync/protocol';
import { assert, assertEquals } from '../assert.ts';
import { adminSql, itemChange, signUp, syncRequest, testEnv, testHandler, tripChanges, uuid } from '../testing.ts';

const env = testEnv();

Deno.test('a body with duplicate keys: SQL gets the validated value, not the raw text', async () => {
  const { handler } = testHandler(env);
  try {
    const user = await signUp(env);
    const tripId = uuid();
    // JSON.parse keeps the last `changes`; the first one (100 000 nested
    // arrays) must not reach Postgres, whose parser gives up on it (500).
    const nested = '['.repeat(100_000) + ']'.repeat(100_000);
    const text = `{"client_id":"${uuid()}","changes":${nested},"changes":${JSON.stringify(tripChanges(tripId))}}`;
    const response = await handler.handle(syncRequest(env, 'push', { token: user.token, text }));
    assertEquals(response.status, 200);
    assertEquals(pushResponse.parse(await response.json()).results.map((r) => r.status), ['applied']);
  } finally {
    await handler.close();
  }
});

Deno.test('a user\'s pushes beyond the in-flight cap get a retryable 429 (rate), others are not held up', async () => {
  const { handler } = testHandler(env, { maxPushesPerUser: 1 });
  const sql = adminSql(env);
  try {
    const [busy, other] = await Promise.all([signUp(env), signUp(env)]);
    const tripId = uuid();
    const created = await handler.handle(syncRequest(env, 'push', { token: busy.token, body: { client_id: uuid(), changes: tripChanges(tripId) } }));
    await created.body?.cancel();

    // Hold the trip row so the next push into it waits inside Postgres.
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => (locked = r));
    const holder = sql.begin(async (tx) => {
      await tx`select id from public.trips where id = ${tripId} for update`;
      locked();
      await released;
    });
    await isLocked;
    const first = handler.handle(syncRequest(env, 'push', { token: busy.token, body: { client_id: uuid(), changes: [itemChange(tripId, 'Tent')] } }));
    // Wait for the event itself: the first push is blocked on the row lock.
    for (;;) {
      const [row] = await sql`select count(*)::int as n from pg_stat_activity
                              where application_name = 'packsync-sync' and wait_event_type = 'Lock'`;
      if (row!.n > 0) break;
    }

    const second = await handler.handle(syncRequest(env, 'push', { token: busy.token, body: { client_id: uuid(), changes: [itemChange(tripId, 'Stove')] } }));
    assertEquals(second.status, 429);
    assertEquals(second.headers.get('retry-after'), '1');
    const { error } = errorResponse.parse(await second.json());
    assertEquals([error.type, error.code, error.retryable], ['rate', 'too_many_pushes', true]);

    const others = await handler.handle(syncRequest(env, 'push', { token: other.token, body: { client_id: uuid(), changes: tripChanges(uuid()) } }));
    assertEquals(others.status, 200);
    await others.body?.cancel();

    release();
    await holder;
    const done = await first;
    assertEquals(pushResponse.parse(await done.json()).results.map((r) => r.status), ['applied']);
    // The slot is free again.
    const again = await handler.handle(syncRequest(env, 'push', { token: busy.token, body: { client_id: uuid(), changes: [itemChange(tripId, 'Stove')] } }));
    assert(again.status === 200, `status ${again.status}`);
    await again.body?.cancel();
  } finally {
    await sql.end();
    await handler.close();
  }
});

Deno.test('a user\'s pulls beyond the in-flight cap get a retryable 429 (rate, too_many_requests); another user\'s are not refused', async () => {
  const { handler } = testHandler(env, { maxRequestsPerUser: 1 });
  const sql = adminSql(env);
  let release = () => {};
  try {
    const [busy, other] = await Promise.all([signUp(env), signUp(env)]);
    const pull = (token: string) => handler.handle(syncRequest(env, 'pull', { token, body: { cursor: null, limit: 10 } }));

    // Hold the tables every pull reads so the next pull waits inside Postgres.
    const released = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => (locked = r));
    const holder = sql.begin(async (tx) => {
      await tx`lock table public.trip_members, public.change_log in access exclusive mode`;
      locked();
      await released;
    });
    await isLocked;
    let watching = true;
    const waiting = async (n: number) => {
      while (watching) {
        const [row] = await sql`select count(*)::int as n from pg_stat_activity
                                where application_name = 'packsync-sync' and wait_event_type = 'Lock'`;
        if (row!.n >= n) return 'waiting in Postgres' as const;
      }
      return 'stopped watching' as const;
    };
    const first = pull(busy.token);
    await waiting(1);

    // Refused at once, or (without the cap) a second pull waiting on the lock: whichever comes first.
    const second = await Promise.race([pull(busy.token), waiting(2)]);
    watching = false;
    assert(second instanceof Response, 'the second pull went to the database instead of being refused');
    assertEquals(second.status, 429);
    assertEquals(second.headers.get('retry-after'), '1');
    const { error } = errorResponse.parse(await second.json());
    assertEquals([error.type, error.code, error.retryable], ['rate', 'too_many_requests', true]);
    // The same slots cover the other database routes.
    const checksum = await handler.handle(syncRequest(env, 'checksum', { token: busy.token, body: { trip_ids: [uuid()] } }));
    assertEquals(checksum.status, 429);
    await checksum.body?.cancel();

    // Another user is not refused (their pull waits for the same lock, then answers).
    const others = pull(other.token);
    release();
    await holder;
    assertEquals((await others).status, 200);
    await (await others).body?.cancel();
    assertEquals((await first).status, 200);
    await (await first).body?.cancel();
    // The slot is free again.
    const again = await pull(busy.token);
    assertEquals(again.status, 200);
    await again.body?.cancel();
  } finally {
    release();
    await sql.end();
    await handler.close();
  }
});
