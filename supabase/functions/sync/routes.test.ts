// POST /sync/invite and POST /sync/history over real HTTP, through the
// stack's gateway, against the SQL that serves them (invite_member,
// trip_history).
import { errorResponse, historyResponse, inviteResponse, pullResponse, type HistoryEntry } from '@packsync/protocol';
import { assert, assertEquals } from '../_shared/assert.ts';
import { adminSql, itemChange, signUp, syncRequest, testEnv, tripChanges, uuid, type TestUser } from '../_shared/testing.ts';

const env = testEnv();

async function call(user: TestUser, route: string, body: unknown) {
  const response = await fetch(syncRequest(env, route, { token: user.token, body }));
  return { status: response.status, body: await response.json() };
}

async function newTrip(owner: TestUser, items = 0) {
  const tripId = uuid();
  const pushed = await call(owner, 'push', { client_id: uuid(), changes: tripChanges(tripId, { items }) });
  assertEquals(pushed.status, 200);
  return tripId;
}

Deno.test('invite: an owner invites by e-mail; the invitee pulls an invited membership', async () => {
  const [owner, invitee] = await Promise.all([signUp(env), signUp(env)]);
  const tripId = await newTrip(owner);
  const invited = await call(owner, 'invite', { trip_id: tripId, email: invitee.email.toUpperCase(), role: 'editor' });
  assertEquals(invited.status, 200);
  const { membership } = inviteResponse.parse(invited.body);
  assertEquals([membership.trip_id, membership.user_id, membership.role, membership.status], [tripId, invitee.id, 'editor', 'invited']);

  const pulled = pullResponse.parse((await call(invitee, 'pull', { cursor: null })).body);
  const row = pulled.changes.find((c) => c.entity === 'trip_members' && c.id === membership.id);
  assertEquals(row?.row?.status, 'invited');
});

Deno.test('invite: one generic invite_failed for unknown, existing and own addresses; 403 for a non-owner', async () => {
  const [owner, member, stranger] = await Promise.all([signUp(env), signUp(env), signUp(env)]);
  const tripId = await newTrip(owner);
  assertEquals((await call(owner, 'invite', { trip_id: tripId, email: member.email, role: 'viewer' })).status, 200);

  const failures = await Promise.all([
    call(owner, 'invite', { trip_id: tripId, email: `nobody-${uuid()}@example.test`, role: 'viewer' }),
    call(owner, 'invite', { trip_id: tripId, email: member.email, role: 'editor' }),
    call(owner, 'invite', { trip_id: tripId, email: owner.email, role: 'editor' }),
  ]);
  for (const failure of failures) {
    assertEquals(failure.status, 422);
    const { error } = errorResponse.parse(failure.body);
    assertEquals([error.type, error.code, error.retryable], ['validation', 'invite_failed', false]);
    // The same words whatever the reason: the route does not tell who has an account.
    assertEquals(error.message, errorResponse.parse(failures[0]!.body).error.message);
  }

  for (const outsider of [stranger, member]) {
    const refused = await call(outsider, 'invite', { trip_id: tripId, email: stranger.email, role: 'viewer' });
    assertEquals(refused.status, 403);
    assertEquals(errorResponse.parse(refused.body).error.code, 'permission_denied');
  }
  const badRole = await call(owner, 'invite', { trip_id: tripId, email: stranger.email, role: 'owner' });
  assertEquals([badRole.status, errorResponse.parse(badRole.body).error.code], [400, 'invalid_request']);
});

Deno.test('history: newest first, paged by its cursor until `next` is null, every log row once', async () => {
  const owner = await signUp(env);
  const tripId = await newTrip(owner, 4);
  // Two more transactions, so pages cross transaction boundaries.
  for (const name of ['Hat', 'Scarf']) {
    assertEquals((await call(owner, 'push', { client_id: uuid(), changes: [itemChange(tripId, name)] })).status, 200);
  }
  const sql = adminSql(env);
  try {
    const expected = await sql<{ cursor: string }[]>`
      select format('h1:%s:%s', xid, seq) as cursor from public.change_log where trip_id = ${tripId} order by xid desc, seq desc`;
    const seen: HistoryEntry[] = [];
    let before: string | null = null;
    for (let page = 0; page < 20; page++) {
      const answer = await call(owner, 'history', { trip_id: tripId, before, limit: 3 });
      assertEquals(answer.status, 200);
      const { entries, next } = historyResponse.parse(answer.body);
      assert(entries.length <= 3);
      seen.push(...entries);
      if (next === null) break;
      assertEquals(next, entries.at(-1)!.cursor);
      before = next;
    }
    assertEquals(seen.map((e) => e.cursor), expected.map((r) => r.cursor));
    assert(seen.some((e) => e.entity === 'items' && e.actor === owner.id && e.op === 'insert'));
  } finally {
    await sql.end();
  }
});

Deno.test('history: a stranger sees nothing; a forged cursor is a 400 cursor_invalid', async () => {
  const [owner, stranger] = await Promise.all([signUp(env), signUp(env)]);
  const tripId = await newTrip(owner, 1);
  const foreign = await call(stranger, 'history', { trip_id: tripId, before: null });
  assertEquals(foreign.status, 200);
  assertEquals(historyResponse.parse(foreign.body), { entries: [], next: null });
  const forged = await call(owner, 'history', { trip_id: tripId, before: 'seq:12' });
  assertEquals([forged.status, errorResponse.parse(forged.body).error.code], [400, 'cursor_invalid']);
});
