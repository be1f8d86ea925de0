// Recovery: the server refuses the cursor (full resync, outbox kept, no
// refetch loop), the mirror diverges from the server (checksum → the trip is
// fetched again), a server version below the device's, and a stored row that
// fails validation.
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import type { SyncEngineOptions } from './options.ts';
import { closeDb, device, mirror, serverMirror, serverRows, signIn, signUp } from './testing/harness.ts';

afterAll(closeDb);

async function tripOnTwoDevices(options: Partial<SyncEngineOptions> = {}) {
  const alice = await signUp('alice');
  const a = await device(alice.client, options);
  const b = await device(await signIn(alice));
  const trip = await a.engine.create('trips', { name: 'Recovery' });
  const items: string[] = [];
  for (const name of ['Tent', 'Stove', 'Rope']) items.push(await a.engine.create('items', { trip_id: trip, name }));
  await a.engine.syncNow();
  await b.engine.syncNow();
  return { a, b, trip, items };
}

describe('recovery', () => {
  it('cursor_invalid → one full resync that keeps the outbox', async () => {
    const { a, b, trip, items } = await tripOnTwoDevices();
    await b.engine.delete('items', items[2]!);
    await b.engine.syncNow();
    a.net.set(false);
    await a.engine.update('items', items[0]!, { packed: true });
    // Refused for good (a person of no trip), so still queued when the resync runs: it must stay visible.
    const parked = await a.engine.create('items', { trip_id: trip, name: 'Orphan', person_id: randomUUID() });
    await a.engine.db!.setMeta('cursor', 'v1:99999999999:0'); // ahead of the database: it was restored
    a.net.set(true);
    expect((await a.engine.syncNow()).error).toBeNull();
    expect(a.engine.metrics().counters.full_resyncs).toBe(1);
    const server = await serverMirror(trip);
    expect(server.items!.find((i) => i.id === items[0])).toMatchObject({ packed: true });
    expect(await a.engine.get('items', parked)).toMatchObject({ name: 'Orphan' });
    expect((await a.engine.outbox.list()).map((e) => [e.row_id, e.parked])).toEqual([[parked, 1]]);
    await a.engine.outbox.discard((await a.engine.outbox.list())[0]!.seq);
    expect(await mirror(a.engine, trip)).toEqual(server); // the deleted row is gone, the edit made it
    await a.engine.stop();
    await b.engine.stop();
  });

  it('a full resync cut off after its first page starts again: a row deleted before it began does not stay', async () => {
    // The snapshot does not have the deleted row and the log after it starts
    // later, so only the resync's last step (rows it did not see go) removes
    // it. A resync that stopped half-way used to leave its snapshot cursor
    // behind, and the next ordinary pull finished the snapshot without that
    // step: the row stayed on this device only.
    let pulls = 0;
    let failPull = 0;
    const cutting: typeof fetch = async (input, init) => {
      if (String(input).endsWith('/pull') && ++pulls === failPull) throw new TypeError('fetch failed (connection reset)');
      return fetch(input, init);
    };
    const { a, b, trip, items } = await tripOnTwoDevices({ fetch: cutting, pullPageSize: 2 });
    await b.engine.delete('items', items[1]!);
    await b.engine.syncNow();
    await a.engine.db!.setMeta('cursor', 'v1:99999999999:0'); // refused: a full resync follows
    // The refused cursor, the first snapshot page, then the second page's request fails.
    failPull = pulls + 3;
    expect((await a.engine.syncNow()).error?.type).toBe('network');
    expect((await a.engine.syncNow()).error).toBeNull();
    expect(await a.engine.get('items', items[1]!)).toBeUndefined();
    expect(await mirror(a.engine, trip)).toEqual(await serverMirror(trip));
    await a.engine.stop();
    await b.engine.stop();
  });

  it('no refetch loop when the server keeps asking for a reset: one resync attempt, then an error', async () => {
    const alice = await signUp('alice');
    let pulls = 0;
    const refusing: typeof fetch = async (input, init) => {
      if (String(input).endsWith('/pull')) {
        pulls++;
        return new Response(JSON.stringify({ error: { type: 'validation', code: 'cursor_invalid', message: 'no', retryable: false } }), { status: 400 });
      }
      return fetch(input, init);
    };
    const d = await device(alice.client, { fetch: refusing });
    await d.engine.syncNow(); // the first sync (from null) is refused too
    await d.engine.db!.setMeta('cursor', 'v1:1:0');
    pulls = 0;
    const summary = await d.engine.syncNow();
    expect(summary.error?.code).toBe('cursor_invalid');
    expect(pulls).toBe(2); // the refused cursor, then once from null
    expect(d.engine.status.get().state).toBe('error');
    await d.engine.stop();
  });

  it('a checksum mismatch after catch-up fetches the divergent trip again', async () => {
    const { a, b, trip, items } = await tripOnTwoDevices({ verifyEveryMs: 0 });
    await a.engine.db!.entity('items').delete(items[1]!); // the device lost a row (a bug, a bad restore)
    await b.engine.update('trips', trip, { destination: 'Lyon' });
    await b.engine.syncNow();
    expect((await a.engine.syncNow()).error).toBeNull();
    const counters = a.engine.metrics().counters;
    expect(counters.checksum_mismatches).toBe(1);
    expect(counters.trip_resyncs).toBe(1);
    expect(await mirror(a.engine, trip)).toEqual(await serverMirror(trip));
    await a.engine.stop();
    await b.engine.stop();
  });

  it('a trip is fetched again by a snapshot of that trip that the server takes, not by a full resync', async () => {
    // The engine's trip cursor named the snapshot's first entity by number
    // after the server had moved to names: the server refused it
    // (cursor_invalid) and every refetch became a full resync of every trip.
    const pulls: { cursor: string | null; status: number }[] = [];
    const recording: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (String(input).endsWith('/pull')) pulls.push({ cursor: (JSON.parse(String(init?.body)) as { cursor: string | null }).cursor, status: response.status });
      return response;
    };
    const { a, b, trip, items } = await tripOnTwoDevices({ verifyEveryMs: 0, fetch: recording });
    await a.engine.db!.entity('items').delete(items[1]!);
    await b.engine.update('trips', trip, { destination: 'Lyon' });
    await b.engine.syncNow();
    pulls.length = 0;
    expect((await a.engine.syncNow()).error).toBeNull();
    expect(a.engine.metrics().counters.trip_resyncs).toBe(1);
    expect(pulls.filter((p) => p.status !== 200)).toEqual([]);
    expect(pulls.filter((p) => p.cursor === null)).toEqual([]);
    expect(pulls.some((p) => p.cursor?.includes(`:${trip}:`))).toBe(true);
    expect(await mirror(a.engine, trip)).toEqual(await serverMirror(trip));
    await a.engine.stop();
    await b.engine.stop();
  });

  it('a server version lower than the device has is not applied; the trip is fetched again', async () => {
    const { a, b, trip, items } = await tripOnTwoDevices();
    const stored = (await a.engine.db!.entity('items').get(items[0]!))!;
    await a.engine.db!.entity('items').put({ ...stored, version: 50, name: 'From the future' });
    await b.engine.update('items', items[0]!, { quantity: 2 });
    await b.engine.syncNow();
    expect((await a.engine.syncNow()).error).toBeNull();
    expect(a.engine.metrics().counters.trip_resyncs).toBeGreaterThanOrEqual(1);
    const [server] = (await serverRows('items', trip)).filter((r) => r.id === items[0]);
    expect(server).toMatchObject({ quantity: 2, version: 2, name: 'Tent' });
    expect(await a.engine.get('items', items[0]!)).toEqual(server);
    await a.engine.stop();
    await b.engine.stop();
  });

  it('a stored row that fails validation is fetched again; the edit made on it still goes through', async () => {
    const { a, trip, items } = await tripOnTwoDevices();
    const stored = (await a.engine.db!.entity('items').get(items[0]!))!;
    await a.engine.db!.entity('items').put({ ...stored, name: '   ' }); // blank: the model refuses it
    await a.engine.update('items', items[0]!, { packed: true });
    expect((await a.engine.syncNow()).error).toBeNull();
    expect(a.engine.metrics().counters['invalid_local_rows{entity=items}']).toBe(1);
    const [server] = (await serverRows('items', trip)).filter((r) => r.id === items[0]);
    expect(server).toMatchObject({ name: 'Tent', packed: true });
    expect(await a.engine.get('items', items[0]!)).toEqual(server);
    await a.engine.stop();
  });
});
