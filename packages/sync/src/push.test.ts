// pushOnce with a scripted server: a refusal the server marks retryable
// (`retry_later`, its per-push work bound) is sent again later, never
// parked; a permanent refusal is parked with its error; batches are
// pipelined (the next is taken while a request is out) without ever having
// two requests out or a row in two batches at once.
import { randomUUID } from 'node:crypto';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import type { Change, PushResponse } from '@packsync/protocol';
import { Dexie } from 'dexie';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { ConflictResolver } from './conflicts.ts';
import { PacksyncDb } from './db.ts';
import { setServerRow } from './overlay.ts';
import { pushOnce } from './push.ts';
import { FakeClock } from './testing/fake-clock.ts';
import { ChangeTracker } from './tracker.ts';
import type { Transport } from './transport.ts';

let db: PacksyncDb;
let tracker: ChangeTracker;

beforeEach(async () => {
  db = new PacksyncDb(`push-test-${randomUUID()}`, { indexedDB: new IDBFactory(), IDBKeyRange });
  await db.open();
  tracker = new ChangeTracker({
    db, clock: new FakeClock(), userId: randomUUID(), uuid: () => randomUUID(),
    onInvalidLocalRow: () => {}, onQueued: () => {},
  });
});

/** A transport whose push refuses every change with `code`. */
function refusing(code: string): { transport: Transport; sent: Change[][] } {
  const sent: Change[][] = [];
  const transport = {
    async push(_clientId: string, body: Change[] | string): Promise<PushResponse> {
      const changes = typeof body === 'string' ? (JSON.parse(body) as { changes: Change[] }).changes : body;
      sent.push(changes);
      return {
        results: changes.map((c) => ({
          change_id: c.change_id, status: 'rejected', version: null, row: null, conflict: null,
          error: { code, message: `refused: ${code}` },
        })),
      } as PushResponse;
    },
  } as unknown as Transport;
  return { transport, sent };
}

const resolver = {} as ConflictResolver;

describe('pushOnce', () => {
  it('sends a change refused with retry_later again instead of parking it', async () => {
    await tracker.create('trips', { name: 'Ski week' });
    const server = refusing('retry_later');
    const first = await pushOnce({ db, transport: server.transport, resolver, clientId: randomUUID() });
    expect(first.parked).toBe(0);
    expect(first.error).toMatchObject({ code: 'retry_later', retryable: true });
    const [entry] = await db.outbox.toArray();
    expect(entry).toMatchObject({ parked: 0, last_error: { code: 'retry_later' } });

    await pushOnce({ db, transport: server.transport, resolver, clientId: randomUUID() });
    expect(server.sent.map((batch) => batch.map((c) => c.change_id))).toEqual([[entry!.change_id], [entry!.change_id]]);
  });

  it('parks a change refused for good, with its error', async () => {
    await tracker.create('trips', { name: 'Ski week' });
    const outcome = await pushOnce({ db, transport: refusing('permission_denied').transport, resolver, clientId: randomUUID() });
    expect(outcome).toMatchObject({ parked: 1, error: null });
    expect(await db.outbox.toArray()).toMatchObject([{ parked: 1, last_error: { code: 'permission_denied' } }]);
  });
});

/**
 * A server that applies everything (version = base + 1) and answers only when
 * told to, recording what it was sent and how many requests were out at once.
 */
function holdingServer() {
  const sent: Change[][] = [];
  const answers: (() => void)[] = [];
  let out = 0;
  let mostOut = 0;
  const transport = {
    async push(_clientId: string, body: Change[] | string): Promise<PushResponse> {
      const changes = typeof body === 'string' ? (JSON.parse(body) as { changes: Change[] }).changes : body;
      sent.push(changes);
      mostOut = Math.max(mostOut, ++out);
      await new Promise<void>((resolve) => answers.push(resolve));
      out--;
      return {
        results: changes.map((c) => ({
          change_id: c.change_id, status: 'applied', version: (c.base_version ?? 0) + 1,
          row: { id: c.id, version: (c.base_version ?? 0) + 1 }, conflict: null, error: null,
        })),
      } as PushResponse;
    },
  } as unknown as Transport;
  /** Answers the oldest request once it has arrived. */
  const answer = async () => {
    await vi.waitUntil(() => answers.length > 0);
    answers.shift()!();
  };
  return { transport, sent, answer, mostOut: () => mostOut };
}

describe('pushOnce, pipelined', () => {
  it('takes the next batch while a request is out, one request at a time, FIFO across batches', async () => {
    const trip = await tracker.create('trips', { name: 'Trip' });
    const items: string[] = [];
    for (let i = 0; i < 5; i++) items.push(await tracker.create('items', { trip_id: trip, name: `item ${i}` }));
    const server = holdingServer();
    const done = pushOnce({ db, transport: server.transport, resolver, clientId: randomUUID(), limits: { maxChanges: 2, maxBytes: 1 << 20 } });
    await vi.waitUntil(() => server.sent.length === 1);
    // The second batch is marked handed to a push before the first is answered.
    const fourth = (await db.outbox.where('[entity+row_id]').equals(['items', items[2]!]).first())!.seq;
    await vi.waitUntil(async () => (await db.getMeta<number>('handed_through')) === fourth);
    // An edit of a row in flight queues behind it and is not merged into the sent change.
    await tracker.update('trips', trip, { name: 'Renamed' });
    for (let i = 0; i < 4; i++) await server.answer();
    const outcome = await done;
    expect(outcome).toMatchObject({ pushed: 7, error: null, requests: 4 });
    expect(server.mostOut()).toBe(1);
    expect(server.sent.map((b) => b.map((c) => c.id))).toEqual([[trip, items[0]], [items[1], items[2]], [items[3], items[4]], [trip]]);
    // The edit went out based on the version the trip's create got, and the view is the server's row.
    expect(server.sent[3]![0]).toMatchObject({ base_version: 1, fields: { name: 'Renamed' } });
    expect(await db.outbox.count()).toBe(0);
    expect(await db.shadows.count()).toBe(0);
    expect(await db.entity('trips').get(trip)).toMatchObject({ name: 'Renamed', version: 2 });
    expect((await db.entity('items').bulkGet(items)).map((r) => r?.version)).toEqual([1, 1, 1, 1, 1]);
  });

  it('a batch that took everything sendable is followed by no other transaction than its apply', async () => {
    const trip = await tracker.create('trips', { name: 'Trip' });
    await tracker.create('items', { trip_id: trip, name: 'one' });
    // Takes are the transactions over the outbox and meta (batch.ts takeBatch).
    const transaction = db.transaction.bind(db) as (...args: unknown[]) => Promise<unknown>;
    let takes = 0;
    vi.spyOn(db, 'transaction').mockImplementation(((...args: unknown[]) => {
      if (args[1] === db.outbox && args[2] === db.meta) takes++;
      return transaction(...args);
    }) as never);
    // Reads of the outbox in a transaction of their own (Dexie's implicit one).
    const where = db.outbox.where.bind(db.outbox);
    let alone = 0;
    vi.spyOn(db.outbox, 'where').mockImplementation(((index: string) => {
      if (!Dexie.currentTransaction) alone++;
      return where(index);
    }) as never);
    const server = holdingServer();
    const done = pushOnce({ db, transport: server.transport, resolver, clientId: randomUUID() });
    await server.answer();
    expect(await done).toMatchObject({ pushed: 2, remaining: 0, error: null, requests: 1 });
    // What remains is counted in the apply's transaction, not in one more.
    expect(alone).toBe(0);
    // The batch, and the one taken while its request was out (empty, nothing left behind).
    expect(takes).toBe(2);
  });

  it('drops what was applied and nothing between: a parked change in the middle of a batch stays', async () => {
    const trip = await tracker.create('trips', { name: 'Trip' });
    const parked = await tracker.create('items', { trip_id: trip, name: 'parked' });
    const after = await tracker.create('items', { trip_id: trip, name: 'after' });
    const middle = (await db.outbox.where('[entity+row_id]').equals(['items', parked]).first())!;
    await db.outbox.update(middle.seq, { parked: 1, attempts: 1 });
    const server = holdingServer();
    const done = pushOnce({ db, transport: server.transport, resolver, clientId: randomUUID() });
    await server.answer();
    expect(await done).toMatchObject({ pushed: 2, error: null });
    expect(server.sent.map((b) => b.map((c) => c.id))).toEqual([[trip, after]]);
    expect((await db.outbox.toArray()).map((e) => e.row_id)).toEqual([parked]);
  });

  it('a resent change with an edit queued behind it before the push: the edit is rebased and stays in view', async () => {
    const trip = await tracker.create('trips', { name: 'Trip' });
    await db.outbox.toCollection().modify({ attempts: 1 }); // sent once, the answer lost
    await tracker.update('trips', trip, { destination: 'Oslo' });
    const server = holdingServer();
    const done = pushOnce({ db, transport: server.transport, resolver, clientId: randomUUID(), limits: { maxChanges: 1, maxBytes: 1 << 20 } });
    await server.answer();
    await server.answer();
    expect(await done).toMatchObject({ pushed: 2, error: null });
    expect(server.sent[1]![0]).toMatchObject({ id: trip, base_version: 1, fields: { destination: 'Oslo' } });
    expect(await db.entity('trips').get(trip)).toMatchObject({ name: 'Trip', destination: 'Oslo', version: 2 });
  });
});

/** A transport that answers every change `applied` at `version` (a replayed first result, say). */
function applying(version: number): Transport {
  return {
    async push(_clientId: string, body: Change[] | string): Promise<PushResponse> {
      const changes = typeof body === 'string' ? (JSON.parse(body) as { changes: Change[] }).changes : body;
      return {
        results: changes.map((c) => ({
          change_id: c.change_id, status: 'applied', version, conflict: null, error: null,
          row: { id: c.id, version, created_at: '2026-12-01T00:00:00Z', updated_at: '2026-12-01T00:00:00Z', deleted_at: null },
        })),
      } as PushResponse;
    },
  } as unknown as Transport;
}

describe('pushOnce and a newer server state', () => {
  // A push applied on the server whose answer was lost is sent again and
  // answered with its first result. Meanwhile the device may have pulled a
  // newer state of the row (someone deleted it): the old result must not
  // bring the row back (the full fault run's divergent devices).
  it('an applied result older than the server row the device holds does not replace it', async () => {
    const trip = await tracker.create('trips', { name: 'Ski week' });
    const item = await tracker.create('items', { trip_id: trip, name: 'Wax' });
    const deleted = {
      id: item, trip_id: trip, name: 'Wax', version: 2, created_at: '2026-12-01T00:00:00Z',
      updated_at: '2026-12-01T00:01:00Z', deleted_at: '2026-12-01T00:01:00Z',
    };
    // Sent once already (its answer lost), then the pull brought the delete.
    await db.outbox.filter((e) => e.row_id === item).modify({ attempts: 1 });
    await db.transaction('rw', db.syncTables, () => setServerRow(db, 'items', item, trip, deleted));

    const outcome = await pushOnce({ db, transport: applying(1), resolver, clientId: randomUUID() });
    expect(outcome.error).toBeNull();
    expect(await db.outbox.count()).toBe(0);
    expect(await db.entity('items').get(item)).toBeUndefined();
    expect(await db.entity('trips').get(trip)).toMatchObject({ version: 1 });
  });
});
