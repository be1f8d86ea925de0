// Races that used to break invariants (issue 14.5), driven in both orders on
// real connections:
// - two owners stepping down at once must not leave a trip without an owner;
// - a trip deleted while an editor pushes items must not keep live items.
// The second transaction is started while the first holds its locks; the
// test waits until Postgres reports it blocked on a lock (or until it has
// finished, which is what happens without the guards, and the invariant
// check then fails), then commits the first.
import { randomUUID } from 'node:crypto';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessions } from './sessions.ts';

const url = process.env.PACKSYNC_DB_URL;
if (!url) throw new Error('PACKSYNC_DB_URL is not set: run through `npm test` or export a running stack\'s URL.');

const admin = postgres(url, { max: 1, onnotice: () => {} });
const { connect, endAll } = sessions(url);
const users = { ownerA: randomUUID(), ownerB: randomUUID(), editor: randomUUID() };
const ITEMS = 200;

/** A session of its own, in a transaction, acting as `user`. */
async function session(user: string) {
  const sql = connect();
  const conn = await sql.reserve();
  const [{ pid }] = await conn`select pg_backend_pid() as pid`;
  await conn`begin`;
  await conn`select set_config('role', 'authenticated', true),
    set_config('request.jwt.claims', ${JSON.stringify({ sub: user, role: 'authenticated' })}, true)`;
  return { conn, pid: pid as number };
}

type Settled<T> = { ok: true; value: T } | { ok: false; error: Error };
const settle = <T>(p: Promise<T>): Promise<Settled<T>> =>
  p.then((value) => ({ ok: true as const, value }), (error: Error) => ({ ok: false as const, error }));

/** Resolves once `pid` waits on a lock, or once `work` has settled. */
async function blockedOrDone(pid: number, work: Promise<unknown>): Promise<'blocked' | 'done'> {
  let done = false;
  void work.finally(() => { done = true; });
  for (;;) {
    if (done) return 'done';
    const [row] = await admin`select wait_event_type from pg_stat_activity where pid = ${pid}`;
    if (row?.wait_event_type === 'Lock') return 'blocked';
    // Yield to the event loop so the other connection's answer is read.
    await new Promise((resolve) => setImmediate(resolve));
  }
}

async function newTrip(owners: string[], editors: string[] = []): Promise<string> {
  const trip = randomUUID();
  await admin.begin(async (tx) => {
    await tx`insert into public.trips (id, name) values (${trip}, 'Race')`;
    for (const u of owners) await tx`insert into public.trip_members (trip_id, user_id, role) values (${trip}, ${u}, 'owner')`;
    for (const u of editors) await tx`insert into public.trip_members (trip_id, user_id, role) values (${trip}, ${u}, 'editor')`;
  });
  return trip;
}

beforeAll(async () => {
  for (const [name, id] of Object.entries(users)) {
    await admin`insert into auth.users (id, email) values (${id}, ${`${name}-${id}@races.test`})`;
  }
});

afterAll(async () => {
  await admin`delete from public.trips where id in (select trip_id from public.trip_members where user_id = any (${Object.values(users)}))`;
  await admin`delete from auth.users where id = any (${Object.values(users)})`;
  await endAll();
  await admin.end();
});

describe('two owners step down at the same time', () => {
  it.each([
    ['A first', users.ownerA, users.ownerB],
    ['B first', users.ownerB, users.ownerA],
  ])('%s: the trip keeps an owner, the second step-down fails', async (_order, first, second) => {
    const trip = await newTrip([users.ownerA, users.ownerB]);
    const a = await session(first);
    const b = await session(second);
    const stepDown = (s: typeof a, user: string) =>
      s.conn`update public.trip_members set role = 'editor' where trip_id = ${trip} and user_id = ${user}`;

    await stepDown(a, first);
    const late = settle(stepDown(b, second));
    await blockedOrDone(b.pid, late);
    await a.conn`commit`;
    const outcome = await late;
    await b.conn`commit`.catch(() => {});
    a.conn.release();
    b.conn.release();

    const [{ owners }] = await admin`select count(*)::int as owners from public.trip_members
      where trip_id = ${trip} and role = 'owner' and status = 'active' and deleted_at is null`;
    expect(owners).toBe(1);
    expect(outcome.ok ? 'succeeded' : outcome.error.message).toMatch(/^last_owner:/);
  });
});

describe('two owners step down at once, unorchestrated (the review\'s shape)', () => {
  it('30 trips: every one keeps an owner', async () => {
    const trips = await Promise.all(Array.from({ length: 30 }, () => newTrip([users.ownerA, users.ownerB])));
    const stepDownAll = async (user: string) => {
      const s = await session(user);
      await s.conn`commit`;
      for (const trip of trips) {
        // Each step-down in its own transaction, as two clients would.
        await s.conn`begin`;
        await s.conn`select set_config('role', 'authenticated', true),
          set_config('request.jwt.claims', ${JSON.stringify({ sub: user, role: 'authenticated' })}, true)`;
        const done = await settle(s.conn`update public.trip_members set role = 'editor' where trip_id = ${trip} and user_id = ${user}`);
        await (done.ok ? s.conn`commit` : s.conn`rollback`);
      }
      s.conn.release();
    };
    await Promise.all([stepDownAll(users.ownerA), stepDownAll(users.ownerB)]);
    const [{ ownerless }] = await admin`select count(*)::int as ownerless from unnest(${trips}::uuid[]) t(id)
      where not exists (select 1 from public.trip_members m
        where m.trip_id = t.id and m.role = 'owner' and m.status = 'active' and m.deleted_at is null)`;
    expect(ownerless).toBe(0);
  });
});

describe('a trip deleted while an editor pushes items', () => {
  const itemsPush = (s: { conn: postgres.ReservedSql }, trip: string, count = ITEMS) => {
    const changes = Array.from({ length: count }, (_, i) => ({
      change_id: randomUUID(), entity: 'items', op: 'upsert', id: randomUUID(), base_version: null,
      fields: { trip_id: trip, name: `Item ${i}` },
    }));
    return s.conn`select public.push_changes(${randomUUID()}, ${changes as never}::jsonb) as result`;
  };
  const deleteTrip = (s: { conn: postgres.ReservedSql }, trip: string) =>
    s.conn`update public.trips set deleted_at = now() where id = ${trip}`;
  const liveItems = async (trip: string) =>
    (await admin`select count(*)::int as n from public.items where trip_id = ${trip} and deleted_at is null`)[0]!.n as number;

  // The review ran 20 x 200 items; a push refused this way costs seconds
  // (push_changes narrows a failed batch down change by change), so fewer here.
  it('10 runs unorchestrated (the review\'s shape, smaller): no trip keeps live items', async () => {
    const alive: number[] = [];
    for (let run = 0; run < 10; run++) {
      const trip = await newTrip([users.ownerA], [users.editor]);
      const owner = await session(users.ownerA);
      const editor = await session(users.editor);
      await Promise.all([
        settle(itemsPush(editor, trip, 50)).then(() => editor.conn`commit`),
        settle(deleteTrip(owner, trip)).then(() => owner.conn`commit`),
      ]);
      owner.conn.release();
      editor.conn.release();
      alive.push(await liveItems(trip));
    }
    expect(alive.filter((n) => n > 0)).toEqual([]);
  }, 60_000);

  it('delete first: the push waits for it, then writes nothing', async () => {
    const trip = await newTrip([users.ownerA], [users.editor]);
    const owner = await session(users.ownerA);
    const editor = await session(users.editor);

    await deleteTrip(owner, trip);
    const push = settle(itemsPush(editor, trip));
    await blockedOrDone(editor.pid, push);
    await owner.conn`commit`;
    const pushed = await push;
    await editor.conn`commit`;
    owner.conn.release();
    editor.conn.release();

    expect(await liveItems(trip)).toBe(0);
    const results = pushed.ok ? (pushed.value[0]!.result as { results: { status: string }[] }).results : [];
    // Nothing was written: every change is refused (rejected, or a conflict
    // with the trip's tombstone), none applied.
    expect(results.filter((r) => r.status === 'applied' || r.status === 'merged')).toEqual([]);
  });

  it('push first: the delete waits for it, then tombstones the pushed items too', async () => {
    const trip = await newTrip([users.ownerA], [users.editor]);
    const owner = await session(users.ownerA);
    const editor = await session(users.editor);

    const pushed = await itemsPush(editor, trip);
    expect((pushed[0]!.result as { results: { status: string }[] }).results.every((r) => r.status === 'applied')).toBe(true);
    const deletion = settle(deleteTrip(owner, trip));
    await blockedOrDone(owner.pid, deletion);
    await editor.conn`commit`;
    expect((await deletion).ok).toBe(true);
    await owner.conn`commit`;
    owner.conn.release();
    editor.conn.release();

    expect(await liveItems(trip)).toBe(0);
  });
});
