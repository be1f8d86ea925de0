// #13.3 Tenant isolation: another user's trip by id through pull, push and
// direct table writes as `authenticated` (as PostgREST would); moving rows
// between trips; promoting oneself. Every refusal leaves the audit log alone.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asUser, auditCount, callSync, operator, pullAll, push, refusal, stack, upsert, type Sql } from '../support/stack.ts';
import { buildWorld, type World } from '../support/world.ts';

const s = stack();
let sql: Sql;
let w: World;
let victimTrips: string[];

beforeAll(async () => {
  sql = operator(s);
  w = await buildWorld(s, sql, 'tenancy');
  victimTrips = [w.privateTrip, w.editorTrip, w.viewerTrip];
});
afterAll(() => sql.end());

/** Runs an attack and asserts the victim's trips gained no audit rows. */
async function unchanged(attackWork: () => Promise<void>): Promise<void> {
  const before = await auditCount(sql, { tripIds: victimTrips });
  await attackWork();
  expect(await auditCount(sql, { tripIds: victimTrips }), 'a refused attack wrote to the victim trips').toBe(before);
}

function delete_(entity: string, id: string, baseVersion: number) {
  return { change_id: randomUUID(), entity, op: 'delete' as const, id, base_version: baseVersion, fields: null };
}

describe('another user\'s trip, by id', () => {
  it('pull serves none of it, also from the victim\'s own cursor', async () => {
    const seen = await pullAll(s, w.attacker);
    expect(seen.map((c) => c.trip_id)).not.toContain(w.privateTrip);
    expect(seen.map((c) => c.id)).not.toContain(w.privateItem);

    const victimPull = await callSync(s, 'pull', { cursor: null, limit: 1 }, { token: w.victim.accessToken });
    const cursor = (victimPull.json as { cursor: string }).cursor;
    const replay = await callSync(s, 'pull', { cursor, limit: 1000 }, { token: w.attacker.accessToken });
    if (replay.status === 200) {
      const trips = (replay.json as { changes: { trip_id: string }[] }).changes.map((c) => c.trip_id);
      expect(trips).not.toContain(w.privateTrip);
    } else {
      expect(replay.status).toBe(400);
    }
  });

  it('push cannot update, delete, add to or join it', async () => {
    await unchanged(async () => {
      const results = await push(s, w.attacker, [
        upsert('trips', w.privateTrip, { destination: 'taken' }, 1),
        upsert('items', w.privateItem, { name: 'gone' }, 1),
        upsert('items', randomUUID(), { trip_id: w.privateTrip, name: 'planted' }),
        upsert('people', randomUUID(), { trip_id: w.privateTrip, name: 'Mallory', kind: 'adult' }),
        upsert('trip_members', randomUUID(), { trip_id: w.privateTrip, user_id: w.attacker.id, role: 'owner' }),
        delete_('items', w.privateItem, 1),
        delete_('trips', w.privateTrip, 1),
        // an id that exists in another trip, "created" again in one's own
        upsert('items', w.privateItem, { trip_id: w.ownTrip, name: 'clone' }),
      ]);
      for (const r of results) expect(r, JSON.stringify(r)).toMatchObject({ status: 'rejected' });
      // Nothing about the row leaks through the error: the same answer as for an id that never existed.
      const [ghost] = await push(s, w.attacker, [upsert('items', randomUUID(), { name: 'gone' }, 1)]);
      expect(results[1]!.error!.code).toBe(ghost!.error!.code);
    });
  });

  it('push_changes called directly as authenticated refuses the same', async () => {
    await unchanged(async () => {
      const changes = [upsert('items', w.privateItem, { name: 'gone' }, 1), upsert('items', randomUUID(), { trip_id: w.privateTrip, name: 'x' })];
      const out = await asUser(sql, w.attacker, (tx) => tx`select public.push_changes(${randomUUID()}, ${tx.json(changes as never)}) as r`);
      const results = (out[0]!.r as { results: { status: string }[] }).results;
      expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    });
  });

  it('direct reads as authenticated see nothing', async () => {
    const counts = await asUser(sql, w.attacker, async (tx) => ({
      trips: (await tx`select id from public.trips where id = ${w.privateTrip}`).length,
      items: (await tx`select id from public.items where trip_id = ${w.privateTrip}`).length,
      people: (await tx`select id from public.people where trip_id = ${w.privateTrip}`).length,
      members: (await tx`select id from public.trip_members where trip_id = ${w.privateTrip}`).length,
      log: (await tx`select seq from public.change_log where trip_id = ${w.privateTrip}`).length,
    }));
    expect(counts).toEqual({ trips: 0, items: 0, people: 0, members: 0, log: 0 });
  });

  it('direct writes as authenticated change nothing', async () => {
    await unchanged(async () => {
      const attempts = {
        insertItem: await refusal(() => asUser(sql, w.attacker, (tx) =>
          tx`insert into public.items (trip_id, name) values (${w.privateTrip}, 'planted')`)),
        joinAsOwner: await refusal(() => asUser(sql, w.attacker, (tx) =>
          tx`insert into public.trip_members (trip_id, user_id, role) values (${w.privateTrip}, ${w.attacker.id}, 'owner')`)),
        hardDelete: await refusal(() => asUser(sql, w.attacker, (tx) => tx`delete from public.items where id = ${w.privateItem}`)),
        writeLog: await refusal(() => asUser(sql, w.attacker, (tx) =>
          tx`insert into public.change_log (entity, row_id, trip_id, op) values ('items', ${randomUUID()}, ${w.privateTrip}, 'insert')`)),
      };
      for (const [name, refused] of Object.entries(attempts)) expect(refused, name).not.toBeNull();
      const updated = await asUser(sql, w.attacker, async (tx) => [
        (await tx`update public.items set name = 'gone' where id = ${w.privateItem}`).count,
        (await tx`update public.trips set name = 'taken' where id = ${w.privateTrip}`).count,
        (await tx`update public.people set deleted_at = now() where id = ${w.privatePerson}`).count,
      ]);
      expect(updated).toEqual([0, 0, 0]);
    });
  });
});

describe('moving a row to another trip', () => {
  it('an own item cannot be moved into a foreign trip, nor a shared one into one\'s own', async () => {
    await unchanged(async () => {
      const results = await push(s, w.attacker, [
        upsert('items', w.ownItem, { trip_id: w.privateTrip }, 1),
        upsert('items', w.editorItem, { trip_id: w.ownTrip }, 1),
        upsert('items', w.viewerItem, { trip_id: w.ownTrip }, 1),
      ]);
      expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
      const direct = [
        await refusal(() => asUser(sql, w.attacker, (tx) => tx`update public.items set trip_id = ${w.privateTrip} where id = ${w.ownItem}`)),
        await refusal(() => asUser(sql, w.attacker, (tx) => tx`update public.items set trip_id = ${w.ownTrip} where id = ${w.editorItem}`)),
      ];
      for (const refused of direct) expect(refused).not.toBeNull();
    });
    const [row] = await sql`select trip_id from public.items where id = ${w.ownItem}`;
    expect(row!.trip_id).toBe(w.ownTrip);
  });
});

describe('promoting oneself', () => {
  it('an editor cannot make themself owner; a viewer cannot write', async () => {
    await unchanged(async () => {
      const results = await push(s, w.attacker, [
        upsert('trip_members', w.editorMembership, { role: 'owner' }, 1),
        upsert('trip_members', randomUUID(), { trip_id: w.editorTrip, user_id: w.attacker.id, role: 'owner' }),
        upsert('items', w.viewerItem, { packed: true }, 1),
        upsert('items', randomUUID(), { trip_id: w.viewerTrip, name: 'planted' }),
        upsert('trips', w.editorTrip, { name: 'renamed by an editor' }, 1),
      ]);
      for (const r of results) expect(r, JSON.stringify(r)).toMatchObject({ status: 'rejected' });
      const direct = await asUser(sql, w.attacker, async (tx) =>
        (await tx`update public.trip_members set role = 'owner' where user_id = ${w.attacker.id} and trip_id = ${w.editorTrip}`).count)
        .catch(() => 0);
      expect(direct).toBe(0);
    });
    const [member] = await sql`select role from public.trip_members where id = ${w.editorMembership}`;
    expect(member!.role).toBe('editor');
  });
});
