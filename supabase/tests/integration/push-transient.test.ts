// Issue 9.1: a transient database failure is never a permanent rejection.
// Two real sessions (pgTAP runs in one transaction, and a second session
// could not see its uncommitted fixture): one holds a lock, the other pushes
// into it. The push must abort with the transient SQLSTATE (the function
// answers 503 storage, retryable), record nothing, and the same change_id
// must apply once the lock is gone.
import { randomUUID } from 'node:crypto';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessions } from './sessions.ts';

const url = process.env.PACKSYNC_DB_URL;
if (!url) throw new Error('PACKSYNC_DB_URL is not set: run through `npm test` (see pull-no-miss.test.ts)');

type Sql = postgres.Sql;
type Result = { change_id: string; status: string; error: { code: string } | null };

const ownerId = randomUUID();
const clientId = randomUUID();
const tripId = randomUUID();
const personA = randomUUID();
const personB = randomUUID();
const claims = JSON.stringify({ sub: ownerId, role: 'authenticated' });
const { connect, endAll } = sessions(url);

const itemChange = (changeId: string, id: string, personId: string) => ({
  change_id: changeId, entity: 'items', op: 'upsert', id, base_version: null,
  fields: { trip_id: tripId, person_id: personId, name: `item ${id.slice(0, 8)}` },
});
const personChange = (id: string, name: string) => ({
  change_id: randomUUID(), entity: 'people', op: 'upsert', id, base_version: 1, fields: { name },
});

/** One push_changes call as the owner in the given transaction, as PostgREST runs it. */
async function push(tx: postgres.TransactionSql, changes: object[]): Promise<Result[]> {
  await tx`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', ${claims}, true)`;
  const [row] = await tx`select public.push_changes(${clientId}, ${tx.json(changes as postgres.JSONValue)}) as r`;
  await tx`select set_config('role', 'postgres', true)`;
  return (row!.r as { results: Result[] }).results;
}

/** The SQLSTATE a promise rejects with (fails the test if it resolves). */
async function sqlstateOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return (error as { code: string }).code;
  }
  throw new Error('expected the push to fail');
}

/** Resolves once `pid` waits on a lock (an event, not a sleep). */
async function waitingOnLock(admin: Sql, pid: number): Promise<void> {
  for (;;) {
    const [row] = await admin`select wait_event_type = 'Lock' as waiting from pg_stat_activity where pid = ${pid}`;
    if (row?.waiting) return;
    await admin`select pg_sleep(0.01)`;
  }
}

const pidOf = async (sql: Sql) => Number((await sql`select pg_backend_pid() as pid`)[0]!.pid);

describe('push_changes and transient failures', () => {
  const admin = connect();

  beforeAll(async () => {
    await admin`insert into auth.users (id, email) values (${ownerId}, ${`transient-${ownerId}@packsync.test`})`;
    await admin.begin(async (tx) => {
      await tx`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', ${claims}, true)`;
      await tx`insert into public.trips (id, name) values (${tripId}, 'Transient trip')`;
      await tx`insert into public.people (id, trip_id, name, kind) values (${personA}, ${tripId}, 'A', 'adult'), (${personB}, ${tripId}, 'B', 'adult')`;
    });
  });

  afterAll(async () => {
    await endAll();
  });

  it('a lock timeout aborts the push, records nothing, and the same change_id applies later', async () => {
    const holder = connect();
    const pusher = connect();
    const change = itemChange(randomUUID(), randomUUID(), personA);
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    // Another session holds the item's person FOR UPDATE: the insert's
    // foreign-key check has to wait for it.
    const holding = holder.begin(async (tx) => {
      await tx`select 1 from public.people where id = ${personA} for update`;
      locked();
      await released;
    });
    await isLocked;
    const attempt = pusher.begin(async (tx) => {
      await tx`set local lock_timeout = '200ms'`;
      return push(tx, [change]);
    });
    // (released whatever the outcome, so a failure here does not block the next test)
    const state = await sqlstateOf(attempt).finally(async () => {
      release();
      await holding;
    });
    expect(state).toBe('55P03');
    const [retried] = await pusher.begin((tx) => push(tx, [change]));
    expect(retried).toMatchObject({ change_id: change.change_id, status: 'applied', error: null });
  });

  it('a deadlock between two pushes aborts one of them, whose retry with the same change_id applies', async () => {
    const one = connect();
    const two = connect();
    const pidTwo = await pidOf(two);
    // Each session first changes one person (locking it), then adds an item
    // that points at the other session's person: a lock cycle inside the
    // write step, which the deadlock detector breaks by failing one session.
    const itemOne = itemChange(randomUUID(), randomUUID(), personB);
    const itemTwo = itemChange(randomUUID(), randomUUID(), personA);
    let oneLocked!: () => void;
    const oneHasLocked = new Promise<void>((resolve) => (oneLocked = resolve));
    let twoLocked!: () => void;
    const twoHasLocked = new Promise<void>((resolve) => (twoLocked = resolve));
    const run = (sql: Sql, person: string, item: object, lockedIt: () => void, otherLocked: Promise<void>, otherPid: number | null) =>
      sql.begin(async (tx) => {
        await tx`set local deadlock_timeout = '100ms'`;
        const [first] = await push(tx, [personChange(person, `renamed ${randomUUID().slice(0, 4)}`)]);
        expect(first!.status).toBe('applied');
        lockedIt();
        await otherLocked;
        if (otherPid !== null) await waitingOnLock(admin, otherPid);
        return push(tx, [item]);
      });
    // Version 1 → the first rename of each person; then session two waits on
    // one's person before one asks for two's, so the cycle closes in one.
    const first = run(one, personA, itemOne, oneLocked, twoHasLocked, pidTwo);
    const second = run(two, personB, itemTwo, twoLocked, oneHasLocked, null);
    const [a, b] = await Promise.allSettled([first, second]);
    const failed = [a, b].filter((s) => s.status === 'rejected');
    const passed = [a, b].filter((s) => s.status === 'fulfilled') as PromiseFulfilledResult<Result[]>[];
    expect(failed.map((f) => (f.reason as { code: string }).code)).toEqual(['40P01']);
    expect(passed[0]!.value[0]).toMatchObject({ status: 'applied' });
    const lost = a.status === 'rejected' ? itemOne : itemTwo;
    const [retried] = await admin.begin((tx) => push(tx, [lost]));
    expect(retried).toMatchObject({ change_id: lost.change_id, status: 'applied', error: null });
  });
});
