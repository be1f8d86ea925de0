// POST /sync/checksum against the real database: the trip's fingerprint is
// sha256 of its live rows' `entity:id:version` lines, sorted — what the
// engine computes over its mirror — and a trip the caller cannot see has no
// entry. Bad requests are typed 400s.
import { checksumResponse, errorResponse } from '@packsync/protocol';
import { assertEquals } from '../assert.ts';
import { adminSql, signUp, syncRequest, testEnv, testHandler, tripChanges, uuid } from '../testing.ts';

const env = testEnv();

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

Deno.test('checksum: a member gets the fingerprint of the trip\'s live rows; a stranger gets nothing', async () => {
  const { handler } = testHandler(env);
  const sql = adminSql(env);
  try {
    const [owner, stranger] = await Promise.all([signUp(env), signUp(env)]);
    const tripId = uuid();
    const push = await handler.handle(syncRequest(env, 'push', {
      token: owner.token, body: { client_id: uuid(), changes: tripChanges(tripId, { items: 2 }) },
    }));
    assertEquals(push.status, 200);

    const rows = await sql<{ line: string }[]>`
      select 'trips:' || id || ':' || version as line from public.trips where id = ${tripId}
      union all select 'trip_members:' || id || ':' || version from public.trip_members where trip_id = ${tripId} and deleted_at is null
      union all select 'items:' || id || ':' || version from public.items where trip_id = ${tripId} and deleted_at is null`;
    const expected = await sha256Hex(rows.map((r) => r.line).sort().join('\n'));

    const mine = await handler.handle(syncRequest(env, 'checksum', { token: owner.token, body: { trip_ids: [tripId] } }));
    assertEquals(mine.status, 200);
    assertEquals(checksumResponse.parse(await mine.json()).checksums, [{ trip_id: tripId, checksum: expected }]);

    const theirs = await handler.handle(syncRequest(env, 'checksum', { token: stranger.token, body: { trip_ids: [tripId] } }));
    assertEquals(theirs.status, 200);
    assertEquals(checksumResponse.parse(await theirs.json()).checksums, []);

    for (const body of [{}, { trip_ids: [] }, { trip_ids: ['not-a-uuid'] }, { trip_ids: [tripId], extra: 1 }]) {
      const bad = await handler.handle(syncRequest(env, 'checksum', { token: owner.token, body }));
      assertEquals(bad.status, 400, JSON.stringify(body));
      assertEquals(errorResponse.parse(await bad.json()).error.type, 'validation');
    }
  } finally {
    await sql.end();
    await handler.close();
  }
});
