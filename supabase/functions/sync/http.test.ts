// The function over real HTTP, through the stack's gateway, as the app calls
// it: supabase-js `functions.invoke` and plain `fetch`.
import { FunctionsHttpError } from '@supabase/supabase-js';
import {
  errorResponse,
  healthResponse,
  PROTOCOL_HEADER,
  PROTOCOL_VERSION,
  pullResponse,
  pushResponse,
} from '@packsync/protocol';
import { assert, assertEquals } from '../_shared/assert.ts';
import { acceptChange, adminSql, itemChange, signUp, streamReader, syncRequest, testEnv, tripChanges, uuid, type TestUser } from '../_shared/testing.ts';

const env = testEnv();
const protocol = { [PROTOCOL_HEADER]: String(PROTOCOL_VERSION) };

async function invoke(user: TestUser, route: 'push' | 'pull', body: unknown) {
  const { data, error } = await user.client.functions.invoke(`sync/${route}`, { body: body as Record<string, unknown>, headers: protocol });
  if (error) {
    const detail = error instanceof FunctionsHttpError ? await (error.context as Response).text() : String(error);
    throw new Error(`${route} failed: ${detail}`);
  }
  return data;
}

async function detailedHealth() {
  const response = await fetch(`${env.apiUrl}/functions/v1/sync/health`, { headers: { apikey: env.serviceRoleKey } });
  return healthResponse.parse(await response.json());
}

/** Re-checks `condition` until it holds (each check is a request, so this waits on the state, not on a clock). */
async function waitUntil(condition: () => Promise<boolean>, attempts = 500): Promise<void> {
  for (let i = 0; i < attempts; i++) if (await condition()) return;
  throw new Error('condition never held');
}

async function openStream(user: TestUser, clientId?: string) {
  const response = await fetch(syncRequest(env, clientId ? `stream?client_id=${clientId}` : 'stream', { token: user.token }));
  assertEquals(response.status, 200);
  const stream = streamReader(response);
  assert(await stream.waitFor((e) => e.event === 'ready', 5000), 'no ready event');
  return stream;
}

Deno.test('HTTP: push by one member, pull by another (supabase-js functions.invoke)', async () => {
  const [owner, editor] = await Promise.all([signUp(env), signUp(env)]);
  const tripId = uuid();
  const changes = tripChanges(tripId, { share: { userId: editor.id, role: 'editor' }, items: 2 });
  const pushed = pushResponse.parse(await invoke(owner, 'push', { client_id: uuid(), changes }));
  assert(pushed.results.every((r) => r.status === 'applied'), JSON.stringify(pushed.results));
  await invoke(editor, 'push', { client_id: uuid(), changes: [acceptChange(changes)] });

  const first = pullResponse.parse(await invoke(editor, 'pull', { cursor: null }));
  assertEquals(first.changes.filter((c) => c.entity === 'items' && c.trip_id === tripId).length, 2);

  // The editor writes back; the owner pulls from its own cursor and sees only that.
  const ownerCursor = pullResponse.parse(await invoke(owner, 'pull', { cursor: null })).cursor;
  const itemId = uuid();
  await invoke(editor, 'push', { client_id: uuid(), changes: [itemChange(tripId, 'Sun hat', itemId)] });
  const next = pullResponse.parse(await invoke(owner, 'pull', { cursor: ownerCursor, limit: 100 }));
  assertEquals(next.changes.map((c) => [c.entity, c.id, c.row?.name]), [['items', itemId, 'Sun hat']]);
});

Deno.test('HTTP: a stream is poked within a second of another member\'s push; a stranger\'s is not', async () => {
  const [owner, member, stranger] = await Promise.all([signUp(env), signUp(env), signUp(env)]);
  const tripId = uuid();
  const shared = tripChanges(tripId, { share: { userId: member.id, role: 'viewer' } });
  await invoke(owner, 'push', { client_id: uuid(), changes: shared });
  await invoke(member, 'push', { client_id: uuid(), changes: [acceptChange(shared)] });
  // The stranger is a member of a trip of their own, just not of this one.
  const strangerTrip = uuid();
  await invoke(stranger, 'push', { client_id: uuid(), changes: tripChanges(strangerTrip) });
  const [memberStream, strangerStream] = await Promise.all([openStream(member), openStream(stranger)]);
  try {
    const started = Date.now();
    await invoke(owner, 'push', { client_id: uuid(), changes: [itemChange(tripId, 'Passport')] });
    const poke = await memberStream.waitFor((e) => e.event === 'poke', 1000);
    const elapsed = Date.now() - started;
    assert(poke, 'the member was not poked within a second');
    assertEquals(poke.event === 'poke' && poke.data.trip_ids, [tripId]);
    assert(elapsed < 1000, `poke took ${elapsed} ms`);
    // Pokes reach a stream in order: once the stranger is poked about a
    // write of their own, a poke about the owner's trip would already be there.
    await invoke(stranger, 'push', { client_id: uuid(), changes: [itemChange(strangerTrip, 'Map')] });
    assert(await strangerStream.waitFor((e) => e.event === 'poke', 5000), 'the stranger was not poked about their own trip');
    assertEquals(strangerStream.events.filter((e) => e.event === 'poke'), [{ event: 'poke', data: { trip_ids: [strangerTrip] } }]);
  } finally {
    await Promise.all([memberStream.cancel(), strangerStream.cancel()]);
  }
});

Deno.test('HTTP: a client\'s own push pokes its other devices, not itself, unless its pull would bring something', async () => {
  const owner = await signUp(env);
  const [phone, laptop] = [uuid(), uuid()];
  const tripId = uuid();
  await invoke(owner, 'push', { client_id: phone, changes: tripChanges(tripId) });
  const [phoneStream, laptopStream] = await Promise.all([openStream(owner, phone), openStream(owner, laptop)]);
  const pokes = (s: typeof phoneStream) => s.events.filter((e) => e.event === 'poke');
  try {
    // An item pushed by the phone: the laptop hears of it.
    await invoke(owner, 'push', { client_id: phone, changes: [itemChange(tripId, 'Passport')] });
    assert(await laptopStream.waitFor((e) => e.event === 'poke', 5000), 'the laptop was not poked about the phone\'s push');
    // Pokes reach a stream in order: once the phone is poked about the
    // laptop's write, a poke about its own would already be there.
    await invoke(owner, 'push', { client_id: laptop, changes: [itemChange(tripId, 'Map')] });
    assert(await phoneStream.waitFor((e) => e.event === 'poke', 5000), 'the phone was not poked about the laptop\'s push');
    assertEquals(pokes(phoneStream), [{ event: 'poke', data: { trip_ids: [tripId] } }], 'the phone was poked about its own push');
    // A trip created by the phone: its membership comes back in the phone's pull, so the phone is poked.
    const second = uuid();
    await invoke(owner, 'push', { client_id: phone, changes: tripChanges(second) });
    assert(await phoneStream.waitFor((e) => e.event === 'poke' && e.data.trip_ids?.includes(second) === true, 5000),
      'the phone was not poked about the membership its trip create made');
  } finally {
    await Promise.all([phoneStream.cancel(), laptopStream.cancel()]);
  }
});

Deno.test('HTTP: a poke waits until the change is pullable (an older transaction still open)', async () => {
  const [owner, member] = await Promise.all([signUp(env), signUp(env)]);
  const tripId = uuid();
  const shared = tripChanges(tripId, { share: { userId: member.id, role: 'viewer' } });
  await invoke(owner, 'push', { client_id: uuid(), changes: shared });
  await invoke(member, 'push', { client_id: uuid(), changes: [acceptChange(shared)] });
  const cursor = pullResponse.parse(await invoke(member, 'pull', { cursor: null })).cursor;
  const stream = await openStream(member);
  const sql = adminSql(env);
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  let opened!: () => void;
  const blockerOpen = new Promise<void>((r) => (opened = r));
  // A transaction with an xid older than the push below, still running.
  const blocker = sql.begin(async (tx) => {
    await tx`select pg_current_xact_id()`;
    opened();
    await released;
  });
  try {
    await blockerOpen;
    const itemId = uuid();
    await invoke(owner, 'push', { client_id: uuid(), changes: [itemChange(tripId, 'Boarding pass', itemId)] });
    // Wait for the event itself: the function has the poke and holds it.
    await waitUntil(async () => (await detailedHealth()).checks.held_pokes > 0);
    assertEquals(stream.events.filter((e) => e.event === 'poke'), [], 'poked before the change was pullable');
    const early = pullResponse.parse(await invoke(member, 'pull', { cursor }));
    assertEquals(early.changes.filter((c) => c.id === itemId), [], 'pull served a change above the watermark');

    release();
    await blocker;
    assert(await stream.waitFor((e) => e.event === 'poke', 1000), 'no poke after the older transaction ended');
    const late = pullResponse.parse(await invoke(member, 'pull', { cursor }));
    assertEquals(late.changes.filter((c) => c.id === itemId).length, 1);
  } finally {
    release();
    await blocker.catch(() => {});
    await sql.end();
    await stream.cancel();
  }
});

Deno.test('HTTP: bad input and limits are typed 4xx, never 5xx, and change nothing', async () => {
  const user = await signUp(env);
  const tripId = uuid();
  await invoke(user, 'push', { client_id: uuid(), changes: tripChanges(tripId) });
  const sql = adminSql(env);
  try {
    const forged = user.token.slice(0, user.token.lastIndexOf('.') + 1) + 'x'.repeat(43);
    const body = (changes: unknown[]) => ({ client_id: uuid(), changes });
    const deletion = () => ({ change_id: uuid(), entity: 'items', op: 'delete', id: uuid(), base_version: 1, fields: {} });
    const cases: [string, Request, number, string][] = [
      ['malformed JSON', syncRequest(env, 'push', { token: user.token, text: '{"client_id":' }), 400, 'invalid_json'],
      ['wrong types', syncRequest(env, 'push', { token: user.token, body: { client_id: 42, changes: 'all' } }), 400, 'invalid_request'],
      ['unknown entity', syncRequest(env, 'push', { token: user.token, body: body([{ ...itemChange(tripId, 'x'), entity: 'passwords' }]) }), 400, 'invalid_request'],
      ['5000 changes', syncRequest(env, 'push', { token: user.token, body: body(Array.from({ length: 5000 }, deletion)) }), 413, 'too_many_changes'],
      ['2 MiB body', syncRequest(env, 'push', { token: user.token, text: `{"client_id":"${uuid()}","changes":[],"pad":"${'x'.repeat(2 * 1024 * 1024)}"}` }), 413, 'body_too_large'],
      ['forged token', syncRequest(env, 'push', { token: forged, body: body([itemChange(tripId, 'x')]) }), 401, 'invalid_token'],
      ['forged token on stream', syncRequest(env, 'stream', { token: forged }), 401, 'invalid_token'],
      ['stream with a client id that is not one', syncRequest(env, 'stream?client_id=phone', { token: user.token }), 400, 'invalid_request'],
      ['bad pull limit', syncRequest(env, 'pull', { token: user.token, body: { cursor: null, limit: 1e6 } }), 400, 'invalid_request'],
    ];
    const before = await sql`select count(*)::int as n from public.change_log`;
    for (const [name, request, status, code] of cases) {
      // A refused upload must be answered promptly, not after a keep-alive timeout.
      const response = await fetch(request, { signal: AbortSignal.timeout(10_000) });
      const text = await response.text();
      assertEquals(response.status, status, `${name}: ${text}`);
      assertEquals(errorResponse.parse(JSON.parse(text)).error.code, code, name);
      assertEquals(response.headers.get('access-control-allow-origin'), '*', name);
    }
    assertEquals(await sql`select count(*)::int as n from public.change_log`, before);
  } finally {
    await sql.end();
  }
});

Deno.test('HTTP: CORS preflight; health without a key says only its status, details need the service-role key', async () => {
  const preflight = await fetch(`${env.apiUrl}/functions/v1/sync/push`, {
    method: 'OPTIONS',
    headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'POST', 'access-control-request-headers': `authorization, apikey, content-type, ${PROTOCOL_HEADER}` },
  });
  await preflight.body?.cancel();
  assert(preflight.status < 300, `preflight ${preflight.status}`);
  assert(preflight.headers.get('access-control-allow-headers')!.includes(PROTOCOL_HEADER));

  // Without the service-role key: the status and nothing else.
  const response = await fetch(`${env.apiUrl}/functions/v1/sync/health`);
  assertEquals(response.status, 200);
  assertEquals(await response.json(), { status: 'ok' });
  for (const key of [env.anonKey, 'sb_publishable_ACJWlzQHlZjBrEguHvfOxg_3BJgxAaH']) {
    const asClient = await fetch(`${env.apiUrl}/functions/v1/sync/health`, { headers: { apikey: key, authorization: `Bearer ${key}` } });
    assertEquals(await asClient.json(), { status: 'ok' });
  }
  // With it (as an operator's monitor sends it): the checks.
  const detailed = await fetch(`${env.apiUrl}/functions/v1/sync/health`, { headers: { apikey: env.serviceRoleKey } });
  const health = healthResponse.parse(await detailed.json());
  assertEquals(health.status, 'ok');
  assert(health.checks.migration, 'no migration version');
});
