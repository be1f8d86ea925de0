// The handler against the real database, without HTTP: the contract of push
// and pull, every limit and bad input as a typed 4xx that changes nothing,
// and the log line.
import { errorResponse, pullResponse, pushResponse } from '@packsync/protocol';
import { acceptChange, adminSql, itemChange, signUp, syncRequest, testEnv, testHandler, tripChanges, uuid } from '../testing.ts';
import { assert, assertEquals, assertMatch } from '../assert.ts';

const env = testEnv();

Deno.test('push then pull: an editor of a shared trip receives the owner\'s writes', async () => {
  const { handler } = testHandler(env);
  try {
    const [owner, editor] = await Promise.all([signUp(env), signUp(env)]);
    const tripId = uuid();
    const changes = tripChanges(tripId, { share: { userId: editor.id, role: 'editor' }, items: 3 });
    const push = await handler.handle(syncRequest(env, 'push', { token: owner.token, body: { client_id: uuid(), changes } }));
    assertEquals(push.status, 200);
    const pushed = pushResponse.parse(await push.json());
    assertEquals(pushed.results.map((r) => r.status), ['applied', 'applied', 'applied', 'applied', 'applied']);
    const accept = await handler.handle(syncRequest(env, 'push', { token: editor.token, body: { client_id: uuid(), changes: [acceptChange(changes)] } }));
    assertEquals(pushResponse.parse(await accept.json()).results.map((r) => r.status), ['applied']);

    const pull = await handler.handle(syncRequest(env, 'pull', { token: editor.token, body: { cursor: null } }));
    assertEquals(pull.status, 200);
    const pulled = pullResponse.parse(await pull.json());
    const items = pulled.changes.filter((c) => c.entity === 'items' && c.trip_id === tripId);
    assertEquals(items.map((c) => c.row?.name).sort(), ['Item 0', 'Item 1', 'Item 2']);
    assert(pulled.changes.some((c) => c.entity === 'trips' && c.id === tripId));
  } finally {
    await handler.close();
  }
});

Deno.test('a stranger neither reads nor writes another user\'s trip', async () => {
  const { handler } = testHandler(env);
  try {
    const [owner, stranger] = await Promise.all([signUp(env), signUp(env)]);
    const tripId = uuid();
    await handler.handle(syncRequest(env, 'push', { token: owner.token, body: { client_id: uuid(), changes: tripChanges(tripId) } }));

    const write = await handler.handle(syncRequest(env, 'push', {
      token: stranger.token, body: { client_id: uuid(), changes: [itemChange(tripId, 'Intruder')] },
    }));
    assertEquals(write.status, 200);
    const [result] = pushResponse.parse(await write.json()).results;
    assertEquals(result!.status, 'rejected');

    const pull = await handler.handle(syncRequest(env, 'pull', { token: stranger.token, body: { cursor: null } }));
    const pulled = pullResponse.parse(await pull.json());
    assertEquals(pulled.changes.filter((c) => c.trip_id === tripId), []);
  } finally {
    await handler.close();
  }
});

Deno.test('every bad input and limit is a typed 4xx and changes nothing', async () => {
  const { handler, logger } = testHandler(env);
  const sql = adminSql(env);
  try {
    const user = await signUp(env);
    const tripId = uuid();
    const valid = (changes: unknown[]) => ({ client_id: uuid(), changes });
    const deletion = () => ({ change_id: uuid(), entity: 'items', op: 'delete', id: uuid(), base_version: 1, fields: {} });
    const token = user.token;
    const forged = token.slice(0, token.lastIndexOf('.') + 1) + 'A'.repeat(43);
    const [header, payload] = token.split('.');
    const none = `${btoa(JSON.stringify({ alg: 'none', typ: 'JWT' })).replace(/=+$/, '')}.${payload}.`;
    const big = valid([{ ...itemChange(tripId, 'x'), fields: { trip_id: tripId, name: 'x', notes: 'n'.repeat(1990) } }]);
    const twoMiB = JSON.stringify(valid(Array.from({ length: 1000 }, () => big.changes[0]))) + ' '.repeat(2 * 1024 * 1024);

    const cases: [string, Request, number, string, string][] = [
      ['malformed JSON', syncRequest(env, 'push', { token, text: '{"client_id": ' }), 400, 'validation', 'invalid_json'],
      ['not an object', syncRequest(env, 'push', { token, text: '[1,2]' }), 400, 'validation', 'invalid_request'],
      ['wrong types', syncRequest(env, 'push', { token, body: valid([{ ...itemChange(tripId, 'x'), fields: { trip_id: tripId, name: 'x', quantity: 'two' } }]) }), 400, 'validation', 'invalid_request'],
      ['unknown entity', syncRequest(env, 'push', { token, body: valid([{ ...itemChange(tripId, 'x'), entity: 'users' }]) }), 400, 'validation', 'invalid_request'],
      ['unknown key', syncRequest(env, 'push', { token, body: { ...valid([itemChange(tripId, 'x')]), admin: true } }), 400, 'validation', 'invalid_request'],
      ['server column', syncRequest(env, 'push', { token, body: valid([{ ...itemChange(tripId, 'x'), fields: { trip_id: tripId, name: 'x', version: 9 } }]) }), 400, 'validation', 'invalid_request'],
      ['overlong string', syncRequest(env, 'push', { token, body: valid([{ ...itemChange(tripId, 'x'), fields: { trip_id: tripId, name: 'x'.repeat(201) } }]) }), 400, 'validation', 'invalid_request'],
      ['5000 changes', syncRequest(env, 'push', { token, body: valid(Array.from({ length: 5000 }, deletion)) }), 413, 'validation', 'too_many_changes'],
      ['1001 changes', syncRequest(env, 'push', { token, body: valid(Array.from({ length: 1001 }, deletion)) }), 413, 'validation', 'too_many_changes'],
      ['2 MiB body', syncRequest(env, 'push', { token, text: twoMiB }), 413, 'validation', 'body_too_large'],
      ['pull limit above the cap', syncRequest(env, 'pull', { token, body: { cursor: null, limit: 5000 } }), 400, 'validation', 'invalid_request'],
      ['pull limit zero', syncRequest(env, 'pull', { token, body: { cursor: null, limit: 0 } }), 400, 'validation', 'invalid_request'],
      ['overlong cursor', syncRequest(env, 'pull', { token, body: { cursor: 'v1:'.padEnd(600, '9') } }), 400, 'validation', 'invalid_request'],
      ['garbage cursor', syncRequest(env, 'pull', { token, body: { cursor: 'not-a-cursor' } }), 400, 'validation', 'cursor_invalid'],
      ['forged token', syncRequest(env, 'push', { token: forged, body: valid([itemChange(tripId, 'x')]) }), 401, 'auth', 'invalid_token'],
      ['alg none', syncRequest(env, 'push', { token: none, body: valid([itemChange(tripId, 'x')]) }), 401, 'auth', 'invalid_token'],
      ['anon key as user', syncRequest(env, 'push', { token: env.anonKey, body: valid([itemChange(tripId, 'x')]) }), 401, 'auth', 'not_authenticated'],
      ['no token', syncRequest(env, 'push', { body: valid([itemChange(tripId, 'x')]) }), 401, 'auth', 'missing_token'],
      ['no apikey', syncRequest(env, 'push', { token, body: valid([]), headers: { apikey: '' } }), 401, 'auth', 'missing_apikey'],
      ['wrong apikey', syncRequest(env, 'push', { token, body: valid([]), headers: { apikey: `${header}.x.y` } }), 401, 'auth', 'invalid_apikey'],
      ['no protocol version', syncRequest(env, 'push', { token, body: valid([]), headers: { 'x-packsync-protocol': '' } }), 400, 'validation', 'unsupported_protocol'],
      ['old protocol version', syncRequest(env, 'pull', { token, body: { cursor: null }, headers: { 'x-packsync-protocol': '0' } }), 400, 'validation', 'unsupported_protocol'],
      ['unknown route', syncRequest(env, 'admin', { token, body: {} }), 404, 'validation', 'not_found'],
      ['wrong method', syncRequest(env, 'push', { token, method: 'GET' }), 405, 'validation', 'method_not_allowed'],
    ];

    const counts = async () => (await sql`select (select count(*) from public.change_log)::int as log, (select count(*) from public.items)::int as items`)[0];
    const before = await counts();
    for (const [name, request, status, type, code] of cases) {
      const response = await handler.handle(request);
      const text = await response.text();
      assertEquals(response.status, status, `${name}: ${text}`);
      const body = errorResponse.parse(JSON.parse(text));
      assertEquals([body.error.type, body.error.code], [type, code], name);
      assertEquals(body.error.retryable, false, name);
      assert(!text.includes(token) && !/select|from public|stack|at file/i.test(text), `${name} leaks: ${text}`);
    }
    assertEquals(await counts(), before, 'a refused request changed rows');

    // One log line per request, never a token.
    assertEquals(logger.entries.length, cases.length);
    for (const entry of logger.entries) {
      const line = JSON.stringify(entry);
      assert(!line.includes(token.split('.')[2]!), 'a token reached the log');
      assertMatch(line, /"route":"[a-z]+"/);
    }
  } finally {
    await sql.end();
    await handler.close();
  }
});

Deno.test('a successful request logs route, user, counts, duration and outcome', async () => {
  const { handler, logger } = testHandler(env);
  try {
    const user = await signUp(env);
    await handler.handle(syncRequest(env, 'push', { token: user.token, body: { client_id: uuid(), changes: tripChanges(uuid(), { items: 2 }) } }));
    const [entry] = logger.entries;
    assertEquals(entry!.route, 'push');
    assertEquals(entry!.user_id, user.id);
    assertEquals(entry!.changes, 3);
    assertEquals(entry!.statuses, { applied: 3 });
    assertEquals(entry!.status, 200);
    assertEquals(entry!.outcome, 'ok');
    assert(typeof entry!.duration_ms === 'number');
  } finally {
    await handler.close();
  }
});

Deno.test('OPTIONS preflight answers CORS with the protocol header allowed', async () => {
  const { handler } = testHandler(env);
  try {
    const response = await handler.handle(new Request(`${env.apiUrl}/functions/v1/sync/push`, { method: 'OPTIONS' }));
    assert(response.status < 300);
    assertEquals(response.headers.get('access-control-allow-origin'), '*');
    assertMatch(response.headers.get('access-control-allow-headers')!, /x-packsync-protocol/);
    assertMatch(response.headers.get('access-control-allow-headers')!, /apikey/);
  } finally {
    await handler.close();
  }
});
