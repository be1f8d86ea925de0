// #13.3 What a push may write: server-managed columns stay the server's; a
// base_version the server never issued is not a merge; rows the model
// refuses are refused by the database on every path; duplicate JSON keys
// cannot make the function act on something else than it validated; sharing
// needs the invitee's consent. Tests whose fix is on another branch (#14)
// are listed in pending-fixes.ts.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attack } from './pending-fixes.ts';
import { expectTypedError } from '../support/shape.ts';
import { asUser, auditCount, callSync, operator, pullAll, push, refusal, signUp, stack, upsert, type Sql, type WireChange } from '../support/stack.ts';
import { addItem, buildWorld, type World } from '../support/world.ts';

const s = stack();
let sql: Sql;
let w: World;

beforeAll(async () => {
  sql = operator(s);
  w = await buildWorld(s, sql, 'integrity');
});
afterAll(() => sql.end());

async function rowOf(table: 'items' | 'trips', id: string) {
  const [row] = table === 'items'
    ? await sql`select *, now() as db_now from public.items where id = ${id}`
    : await sql`select *, now() as db_now from public.trips where id = ${id}`;
  return row!;
}

async function pushAsSql(user: { id: string }, changes: unknown[]) {
  const out = await asUser(sql, user, (tx) => tx`select public.push_changes(${randomUUID()}, ${tx.json(changes as never)}) as r`);
  return (out[0]!.r as { results: { status: string; error: { code: string } | null }[] }).results;
}

describe('mass assignment of server-managed columns', () => {
  const managed: Record<string, unknown> = {
    version: 99, created_at: '1999-01-01T00:00:00Z', updated_at: '2099-01-01T00:00:00Z',
    created_by: randomUUID(), deleted_at: '2099-01-01T00:00:00Z',
  };

  it('push over HTTP refuses them as an invalid request, and push_changes rejects each', async () => {
    const before = await auditCount(sql, { tripIds: [w.editorTrip] });
    for (const [column, value] of Object.entries(managed)) {
      const change = upsert('items', w.editorItem, { [column]: value }, 1);
      const http = await callSync(s, 'push', { client_id: randomUUID(), changes: [change] }, { token: w.attacker.accessToken });
      expectTypedError(http, 400, 'invalid_request');
      const [result] = await pushAsSql(w.attacker, [{ ...change, change_id: randomUUID() }]);
      expect(result, column).toMatchObject({ status: 'rejected', error: { code: 'forbidden_field' } });
    }
    expect(await auditCount(sql, { tripIds: [w.editorTrip] })).toBe(before);
  });

  it('direct writes cannot set version, created_by or created_at', async () => {
    const before = await rowOf('items', w.ownItem);
    await asUser(sql, w.attacker, (tx) =>
      tx`update public.items set version = 1000, created_by = ${w.victim.id}, created_at = '1999-01-01' where id = ${w.ownItem}`);
    const after = await rowOf('items', w.ownItem);
    expect([Number(after.version), after.created_by, after.created_at]).toEqual([Number(before.version) + 1, before.created_by, before.created_at]);

    const id = randomUUID();
    await asUser(sql, w.attacker, (tx) => tx`insert into public.items (id, trip_id, name, version, created_by, created_at)
      values (${id}, ${w.ownTrip}, 'forged', 77, ${w.victim.id}, '1999-01-01')`);
    const inserted = await rowOf('items', id);
    expect([Number(inserted.version), inserted.created_by]).toEqual([1, w.attacker.id]);
    expect(Math.abs(inserted.created_at.getTime() - inserted.db_now.getTime())).toBeLessThan(60_000);
  });

  attack('server-managed-deleted-at', 'direct writes cannot date a tombstone (deleted_at) by their own clock', async () => {
    for (const when of ['1999-01-01', '2099-01-01']) {
      const id = await addItem(s, w.attacker, w.ownTrip, `tomb ${when}`);
      await refusal(() => asUser(sql, w.attacker, (tx) => tx`update public.items set deleted_at = ${when} where id = ${id}`));
      const row = await rowOf('items', id);
      if (row.deleted_at !== null) expect(Math.abs(row.deleted_at.getTime() - row.db_now.getTime()), when).toBeLessThan(60_000);
    }
    const planted = randomUUID();
    await refusal(() => asUser(sql, w.attacker, (tx) =>
      tx`insert into public.items (id, trip_id, name, deleted_at) values (${planted}, ${w.ownTrip}, 'born dead', '2099-01-01')`));
    const [row] = await sql`select deleted_at, now() as db_now from public.items where id = ${planted}`;
    if (row?.deleted_at) expect(Math.abs(row.deleted_at.getTime() - row.db_now.getTime())).toBeLessThan(60_000);
  });
});

describe('base_version', () => {
  attack('future-base-version', 'a version the server never issued is rejected, not merged over a newer edit', async () => {
    const item = await addItem(s, w.victim, w.editorTrip, 'Stove');
    const [victimEdit] = await push(s, w.victim, [upsert('items', item, { name: 'Stove (gas)' }, 1)]);
    expect(victimEdit!.status).toBe('applied');
    const [forged] = await push(s, w.attacker, [upsert('items', item, { name: 'Stove (mine)' }, 999_999)]);
    expect(forged).toMatchObject({ status: 'rejected', error: { code: 'invalid_base_version' } });
    expect((await rowOf('items', item)).name).toBe('Stove (gas)');
  });

  it('a negative or fractional base_version is an invalid request', async () => {
    for (const base of [-1, 1.5]) {
      const http = await callSync(s, 'push', { client_id: randomUUID(), changes: [upsert('items', w.editorItem, { name: 'x' }, base)] },
        { token: w.attacker.accessToken });
      expectTypedError(http, 400, 'invalid_request');
    }
  });
});

describe('rows the model forbids', () => {
  // `direct`: whether a direct SQL write of the value would store a row the model refuses. SQL itself reads
  // the text 'yes' as boolean true and 'today' as a date, so those are wrong only as JSON types (push).
  const forbidden: [string, 'items' | 'trips', Record<string, unknown>, boolean][] = [
    ['an unknown category', 'items', { category: 'NOT-A-CATEGORY' }, true],
    ['packed as a string', 'items', { packed: 'yes' }, false],
    ['a day that is not a date', 'items', { day: 'today' }, false],
    ['days that are not days', 'trips', { days: [1, 2, 'x'] }, true],
    ['settings with a constructor key', 'trips', { settings: { constructor: { prototype: { polluted: true } } } }, true],
    ['a 100 KB generated snapshot with __proto__', 'items', { generated: JSON.parse(`{"__proto__":{"x":1},"blob":"${'x'.repeat(100_000)}"}`) }, true],
  ];

  it('push over HTTP refuses each with the typed error', async () => {
    for (const [name, entity, fields] of forbidden) {
      const id = entity === 'items' ? w.editorItem : w.editorTrip;
      const http = await callSync(s, 'push', { client_id: randomUUID(), changes: [upsert(entity, id, fields, 1)] },
        { token: w.attacker.accessToken });
      expectTypedError(http, 400, 'invalid_request');
      expect(http.status, name).toBe(400);
    }
  });

  attack('model-forbidden-rows', 'push_changes (as PostgREST would call it) and direct writes refuse each', async () => {
    const before = await auditCount(sql, { tripIds: [w.ownTrip] });
    const accepted: string[] = [];
    for (const [name, entity, fields, storesBadRow] of forbidden) {
      const id = entity === 'items' ? w.ownItem : w.ownTrip;
      const version = Number((await rowOf(entity, id)).version);
      const [result] = await pushAsSql(w.attacker, [upsert(entity, id, fields, version)]);
      if (result!.status !== 'rejected') accepted.push(`push_changes ${result!.status}: ${name}`);
      if (!storesBadRow) continue;
      const [column, value] = Object.entries(fields)[0]!;
      const direct = await refusal(() => asUser(sql, w.attacker, (tx) =>
        tx`update ${tx(`public.${entity}`)} set ${tx({ [column]: typeof value === 'object' ? tx.json(value as never) : value })} where id = ${id}`));
      if (direct === null) accepted.push(`direct update: ${name}`);
    }
    expect(accepted).toEqual([]);
    expect(await auditCount(sql, { tripIds: [w.ownTrip] })).toBe(before);
  });
});

describe('duplicate JSON keys', () => {
  it('a change with two `fields` acts on the one that was validated, never on a foreign trip', async () => {
    const id = randomUUID();
    const raw = `{"client_id":"${randomUUID()}","changes":[{"change_id":"${randomUUID()}","entity":"items","op":"upsert",` +
      `"id":"${id}","base_version":null,"fields":{"trip_id":"${w.privateTrip}","name":"planted"},` +
      `"fields":{"trip_id":"${w.ownTrip}","name":"mine"}}]}`;
    const before = await auditCount(sql, { tripIds: [w.privateTrip] });
    const answer = await callSync(s, 'push', undefined, { token: w.attacker.accessToken, raw });
    expect(answer.status).toBeLessThan(500);
    expect(await auditCount(sql, { tripIds: [w.privateTrip] })).toBe(before);
    const [row] = await sql`select trip_id from public.items where id = ${id}`;
    if (row) expect(row.trip_id).toBe(w.ownTrip);
  });

  attack('duplicate-json-keys-deep', 'a validated `changes` cannot smuggle a deeply nested earlier duplicate to Postgres', async () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    const raw = `{"client_id":"${randomUUID()}","changes":${deep},"changes":[]}`;
    const answer = await callSync(s, 'push', undefined, { token: w.attacker.accessToken, raw });
    if (answer.status === 200) expect(answer.json).toEqual({ results: [] });
    else expectTypedError(answer, 400);
  });

  attack('change-without-entity', 'a change without an entity, sent to push_changes, is one rejected result', async () => {
    const { entity: _dropped, ...noEntity } = upsert('items', randomUUID(), { trip_id: w.ownTrip, name: 'x' }) as WireChange;
    const results = await pushAsSql(w.attacker, [noEntity, upsert('items', randomUUID(), { trip_id: w.ownTrip, name: 'kept' })]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'applied']);
  });
});

describe('sharing needs consent', () => {
  attack('consent', 'a membership someone else creates is an invitation: no trip content until accepted', async () => {
    const stranger = await signUp(s, 'consent-stranger');
    const spamTrip = (await push(s, w.attacker, [upsert('trips', randomUUID(), { name: 'Spam' })]))[0]!;
    const spamTripId = spamTrip.row!.id as string;
    const spamItem = await addItem(s, w.attacker, spamTripId, 'advert');
    const [added] = await push(s, w.attacker, [upsert('trip_members', randomUUID(), { trip_id: spamTripId, user_id: stranger.id, role: 'editor' })]);
    expect(added!.status).toBe('applied');
    const [membership] = await sql`select * from public.trip_members where trip_id = ${spamTripId} and user_id = ${stranger.id}`;
    expect(membership!.status).toBe('invited');
    const seen = await pullAll(s, stranger);
    expect(seen.map((c) => c.id)).not.toContain(spamItem);
  });

  attack('consent', 'a member may leave a trip by deleting their own membership', async () => {
    const [left] = await push(s, w.attacker, [{ change_id: randomUUID(), entity: 'trip_members', op: 'delete', id: w.editorMembership,
      base_version: Number((await sql`select version from public.trip_members where id = ${w.editorMembership}`)[0]!.version), fields: null }]);
    expect(left!.status).toBe('applied');
  });

  attack('consent', 'invite_member gives one generic answer for an unknown e-mail, a member and oneself', async () => {
    const member = await signUp(s, 'consent-member');
    await asUser(sql, w.attacker, (tx) => tx`select public.invite_member(${w.ownTrip}, ${member.email}, 'viewer')`);
    const answers = [];
    for (const email of [`nobody-${randomUUID()}@reliability.test`, member.email, w.attacker.email]) {
      answers.push(await refusal(() => asUser(sql, w.attacker, (tx) => tx`select public.invite_member(${w.ownTrip}, ${email}, 'viewer')`)));
    }
    for (const answer of answers) expect(answer).toMatchObject({ code: 'P0001', message: expect.stringMatching(/^invite_failed:/) });
    expect(new Set(answers.map((a) => a!.message)).size).toBe(1);
  });
});
