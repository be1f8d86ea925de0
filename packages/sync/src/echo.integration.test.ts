// No echo: a device does not pull back the rows it pushed (their push results
// set them already), and still gets everything else: later changes by
// others, merges, what a lost response or a discard leaves unknown, a reload,
// a new device's snapshot; its cursor moves past the rows left out.
// Each case ends with the device's mirror equal to the server's rows.
import { afterAll, describe, expect, it } from 'vitest';
import { closeDb, device, mirror, serverMirror, share, signIn, signUp } from './testing/harness.ts';

afterAll(closeDb);

async function tripWithItems(n = 3) {
  const alice = await signUp('alice');
  const a = await device(alice.client);
  const trip = await a.engine.create('trips', { name: 'Echo' });
  const items: string[] = [];
  for (let i = 0; i < n; i++) items.push(await a.engine.create('items', { trip_id: trip, name: `item ${i}` }));
  expect((await a.engine.syncNow()).error).toBeNull();
  return { alice, a, trip, items };
}

describe('no echo', () => {
  it('own pushes are not pulled back; with echoes asked for they are (the same run both ways)', async () => {
    const { alice, a, trip, items } = await tripWithItems();
    await a.engine.update('items', items[0]!, { quantity: 3 });
    await a.engine.create('items', { trip_id: trip, name: 'new' });
    const quiet = await a.engine.syncNow();
    expect(quiet).toMatchObject({ error: null, pushed: 2, pulled: 0 });
    expect(await mirror(a.engine, trip)).toEqual(await serverMirror(trip));

    const echoing = await device(await signIn(alice), { pullOwnChanges: true });
    expect((await echoing.engine.syncNow()).error).toBeNull(); // its first sync: the snapshot
    await echoing.engine.update('items', items[1]!, { quantity: 5 });
    expect(await echoing.engine.syncNow()).toMatchObject({ error: null, pushed: 1, pulled: 1 });
    await a.engine.stop();
    await echoing.engine.stop();
  });

  it('a later change of the same row by someone else arrives', async () => {
    const { alice, a, trip, items } = await tripWithItems();
    const b = await device(await signIn(alice));
    await b.engine.syncNow();
    await a.engine.update('items', items[0]!, { quantity: 3 });
    await a.engine.syncNow();
    await b.engine.syncNow();
    await b.engine.update('items', items[0]!, { notes: 'from b' });
    await b.engine.syncNow();
    expect(await a.engine.syncNow()).toMatchObject({ error: null, pulled: 1 });
    expect(await a.engine.get('items', items[0]!)).toMatchObject({ quantity: 3, notes: 'from b', version: 3 });
    expect(await mirror(a.engine, trip)).toEqual(await serverMirror(trip));
    await a.engine.stop();
    await b.engine.stop();
  });

  it('a merged push: the result carries the whole row; nothing is pulled back, the mirror matches', async () => {
    const { a, trip, items } = await tripWithItems();
    const bob = await signUp('bob');
    const b = await device(bob.client);
    await share(a.engine, trip, { id: bob.id, engine: b.engine });
    await a.engine.syncNow();
    a.net.set(false);
    await a.engine.update('items', items[0]!, { quantity: 7 });
    await b.engine.update('items', items[0]!, { notes: 'bob' });
    await b.engine.syncNow();
    a.net.set(true);
    const merged = await a.engine.syncNow();
    expect(merged.error).toBeNull();
    expect(await a.engine.get('items', items[0]!)).toMatchObject({ quantity: 7, notes: 'bob' });
    expect(await mirror(a.engine, trip)).toEqual(await serverMirror(trip));
    await a.engine.stop();
    await b.engine.stop();
  });

  it('a lost push response: the resend gets the stored result, and a reload keeps the mirror right', async () => {
    const { a, trip, items } = await tripWithItems();
    a.net.loseResponses = 1;
    await a.engine.update('items', items[0]!, { quantity: 4 });
    expect((await a.engine.syncNow()).error?.type).toBe('network');
    expect((await a.engine.syncNow()).error).toBeNull();
    expect(await mirror(a.engine, trip)).toEqual(await serverMirror(trip));
    await a.engine.stop();
    const reloaded = a.reopen();
    await reloaded.start();
    await reloaded.update('items', items[1]!, { packed: true });
    expect(await reloaded.syncNow()).toMatchObject({ error: null, pulled: 0 });
    expect(await mirror(reloaded, trip)).toEqual(await serverMirror(trip));
    await reloaded.stop();
  });

  it('a change sent, its answer lost, then discarded: the trip is fetched again and shows what the server applied', async () => {
    const { a, trip, items } = await tripWithItems();
    a.net.loseResponses = 1;
    await a.engine.update('items', items[0]!, { quantity: 9 });
    expect((await a.engine.syncNow()).error?.type).toBe('network');
    const [sent] = await a.engine.outbox.list();
    await a.engine.outbox.discard(sent!.seq);
    expect(await a.engine.get('items', items[0]!)).toMatchObject({ quantity: 1 }); // restored to what the device knew
    expect((await a.engine.syncNow()).error).toBeNull();
    expect(await a.engine.get('items', items[0]!)).toMatchObject({ quantity: 9 });
    expect(await mirror(a.engine, trip)).toEqual(await serverMirror(trip));
    await a.engine.stop();
  });

  it('a new device of the same user gets every pushed row in its snapshot, and a new member in theirs', async () => {
    const { alice, a, trip, items } = await tripWithItems(5);
    await a.engine.update('items', items[2]!, { packed: true });
    await a.engine.syncNow();
    const fresh = await device(await signIn(alice));
    expect((await fresh.engine.syncNow()).error).toBeNull();
    expect(await mirror(fresh.engine, trip)).toEqual(await serverMirror(trip));
    const carol = await signUp('carol');
    const c = await device(carol.client);
    await share(a.engine, trip, { id: carol.id, engine: c.engine });
    expect(await mirror(c.engine, trip)).toEqual(await serverMirror(trip));
    await a.engine.stop();
    await fresh.engine.stop();
    await c.engine.stop();
  });

  it('the cursor moves past the rows left out: pulling with echoes afterwards brings nothing old', async () => {
    const { a, trip, items } = await tripWithItems();
    for (let i = 0; i < 3; i++) await a.engine.update('items', items[i]!, { quantity: 10 + i });
    expect(await a.engine.syncNow()).toMatchObject({ error: null, pulled: 0 });
    await a.engine.stop();
    const echoing = a.reopen({ pullOwnChanges: true });
    await echoing.start();
    expect(await echoing.syncNow()).toMatchObject({ error: null, pulled: 0 });
    expect(await mirror(echoing, trip)).toEqual(await serverMirror(trip));
    await echoing.stop();
  });

  it('with the stream, a device is not poked about its own pushes: only another device\'s edit makes it pull', async () => {
    const { alice, a: setup, trip, items } = await tripWithItems();
    await setup.engine.stop();
    const live = { autoSync: true, stream: true } as const;
    const [laptop, phone] = [await device(await signIn(alice), live), await device(await signIn(alice), live)];
    const arrived = (d: typeof laptop, id: string, quantity: number) => new Promise<void>((resolve) => {
      const stop = d.engine.watch(() => d.engine.get('items', id), (row) => row?.quantity === quantity && (stop(), resolve()));
    });
    const synced = (d: typeof laptop) => new Promise<void>((resolve) => {
      if (d.engine.status.get().initialSync.done) return resolve();
      const stop = d.engine.status.subscribe((st) => st.initialSync.done && (stop(), resolve()));
    });
    await Promise.all([synced(laptop), synced(phone)]);
    // Both caught up and hearing pokes: an edit on the phone reaches the laptop.
    await Promise.all([arrived(laptop, items[0]!, 2), phone.engine.update('items', items[0]!, { quantity: 2 })]);
    const pulls = () => laptop.net.requests.filter((url) => url.endsWith('/sync/pull')).length;
    const before = pulls();
    for (let q = 10; q < 15; q++) await Promise.all([arrived(phone, items[1]!, q), laptop.engine.update('items', items[1]!, { quantity: q })]);
    await Promise.all([arrived(laptop, items[2]!, 7), phone.engine.update('items', items[2]!, { quantity: 7 })]);
    // Five own edits and one of the phone's: one pull for the phone's edit (one
    // more at most, when a poke came in during a pull); poked about its own
    // edits too, the laptop pulled after each of them.
    expect(pulls() - before).toBeGreaterThanOrEqual(1);
    expect(pulls() - before).toBeLessThanOrEqual(2);
    expect(await mirror(laptop.engine, trip)).toEqual(await serverMirror(trip));
    await laptop.engine.stop();
    await phone.engine.stop();
  });
});
