// Another session edits a row and commits while a push of an edit of the same
// row (based on the version before) waits to write it. Push must classify the
// change against the row as it is once it gets it: merged when the fields are
// disjoint, a conflict when they overlap, a delete-vs-edit conflict for a
// delete; never an overwrite of the other edit (a lost update). Push locks
// the rows FOR UPDATE before classifying them (push_read_rows), which is what
// this defends; an optimistic variant (classify unlocked rows, write `where
// version = <read>`, redo the misses locked) was tried in session 4 and not
// kept (bench/findings.md, measure 1): without its version test all three
// cases here failed.
import { randomUUID } from 'node:crypto';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessions } from './sessions.ts';

const url = process.env.PACKSYNC_DB_URL;
if (!url) throw new Error('PACKSYNC_DB_URL is not set: run through `npm test` (see pull-no-miss.test.ts)');

type Sql = postgres.Sql;
type Result = {
  change_id: string; status: string; version: number | null;
  row: { name: string; quantity: number; deleted_at: string | null } | null;
  conflict: { fields: string[] } | null; error: { code: string } | null;
};

const ownerId = randomUUID();
const clientId = randomUUID();
const tripId = randomUUID();
const claims = JSON.stringify({ sub: ownerId, role: 'authenticated' });
const { connect, endAll } = sessions(url);

const asOwner = (tx: postgres.TransactionSql) =>
  tx`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', ${claims}, true)`;

/** Resolves once `pid` waits on a lock (an event, not a sleep). */
async function waitingOnLock(admin: Sql, pid: number): Promise<void> {
  for (;;) {
    const [row] = await admin`select wait_event_type = 'Lock' as waiting from pg_stat_activity where pid = ${pid}`;
    if (row?.waiting) return;
    await admin`select pg_sleep(0.01)`;
  }
}

describe('push_changes against a row another session changes meanwhile', () => {
  const admin = connect();

  beforeAll(async () => {
    await admin`insert into auth.users (id, email) values (${ownerId}, ${`concurrent-edit-${ownerId}@packsync.test`})`;
    await admin.begin(async (tx) => {
      await asOwner(tx);
      await tx`insert into public.trips (id, name) values (${tripId}, 'Concurrent edit trip')`;
    });
  });

  afterAll(async () => {
    await endAll();
  });

  /**
   * Creates an item (version 1); another session renames it to 'theirs' and
   * holds the row until push's write waits for it, then commits; returns the
   * result of pushing `change` (based on version 1) and the row afterwards.
   */
  async function race(change: { op: 'upsert' | 'delete'; fields?: object }) {
    const id = randomUUID();
    await admin.begin(async (tx) => {
      await asOwner(tx);
      await tx`insert into public.items (id, trip_id, name, quantity) values (${id}, ${tripId}, 'base', 1)`;
    });
    const holder = connect();
    const pusher = connect();
    const [{ pid }] = await pusher`select pg_backend_pid() as pid`;
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let held!: () => void;
    const isHeld = new Promise<void>((resolve) => (held = resolve));
    const holding = holder.begin(async (tx) => {
      await asOwner(tx);
      await tx`update public.items set name = 'theirs' where id = ${id}`;
      held();
      await released;
    });
    await isHeld;
    const pushing = pusher.begin(async (tx) => {
      await asOwner(tx);
      const changes = [{ change_id: randomUUID(), entity: 'items', id, base_version: 1, ...change }];
      const [row] = await tx`select public.push_changes(${clientId}, ${tx.json(changes as postgres.JSONValue)}) as r`;
      return (row!.r as { results: Result[] }).results[0]!;
    });
    // push waits for the row the other session holds (its rename is not committed)
    await waitingOnLock(admin, Number(pid));
    release();
    await holding;
    const result = await pushing;
    const [stored] = await admin`select name, quantity, version, deleted_at from public.items where id = ${id}`;
    return { result, stored: stored! };
  }

  it('disjoint fields: merged over the other edit', async () => {
    const { result, stored } = await race({ op: 'upsert', fields: { quantity: 7 } });
    expect(result).toMatchObject({ status: 'merged', version: 3, row: { name: 'theirs', quantity: 7 }, error: null });
    expect(stored).toMatchObject({ name: 'theirs', quantity: 7, version: '3' });
  });

  it('the same field with another value: a conflict, and the other edit stays', async () => {
    const { result, stored } = await race({ op: 'upsert', fields: { name: 'mine' } });
    expect(result).toMatchObject({ status: 'conflict', version: 2, row: { name: 'theirs' }, conflict: { fields: ['name'] } });
    expect(stored).toMatchObject({ name: 'theirs', version: '2' });
  });

  it('a delete of a row edited meanwhile: a delete-vs-edit conflict, the row stays', async () => {
    const { result, stored } = await race({ op: 'delete' });
    expect(result).toMatchObject({ status: 'conflict', version: 2, row: { name: 'theirs', deleted_at: null } });
    expect(stored).toMatchObject({ name: 'theirs', deleted_at: null, version: '2' });
  });
});
