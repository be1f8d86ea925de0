// Invariants 1 and 3: no acknowledged edit is lost — not by a lost response,
// a reload mid-sync, a tab closing before a sync, or the first sign-in on a
// device — and a change is applied at most once whatever the retries.
import { afterAll, describe, expect, it } from 'vitest';
import { closeDb, db, device, mirror, serverMirror, serverRows, signIn, signUp } from './testing/harness.ts';

afterAll(closeDb);

const logCount = async (rowId: string) =>
  Number((await db()`select count(*) as n from public.change_log where row_id = ${rowId}`)[0]!.n);

describe('delivery', () => {
  it('a push whose response was lost is resent with the same change id and applied once', async () => {
    const alice = await signUp('alice');
    const laptop = await device(alice.client);
    const trip = await laptop.engine.create('trips', { name: 'Paris' });
    const item = await laptop.engine.create('items', { trip_id: trip, name: 'Scarf' });
    await laptop.engine.syncNow();

    laptop.net.loseResponses = 1;
    await laptop.engine.update('items', item, { quantity: 4 });
    const lost = await laptop.engine.syncNow();
    expect(lost.error?.type).toBe('network');
    expect(laptop.net.loseResponses).toBe(0);
    const [queued] = await laptop.engine.outbox.list();
    expect(queued).toMatchObject({ row_id: item, attempts: 1 });

    expect((await laptop.engine.syncNow()).error).toBeNull();
    const [server] = await serverRows('items', trip);
    expect(server).toMatchObject({ quantity: 4, version: 2 });
    expect(await logCount(item)).toBe(2); // the insert and ONE update
    expect(await laptop.engine.get('items', item)).toEqual(server);
    await laptop.engine.stop();
  });

  it('a new engine over the same IndexedDB mid-sync (a reload) loses nothing and duplicates nothing', async () => {
    const alice = await signUp('alice');
    const tab = await device(alice.client);
    const trip = await tab.engine.create('trips', { name: 'Reload' });
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) ids.push(await tab.engine.create('items', { trip_id: trip, name: `item ${i}` }));
    tab.net.holdPushes = true;
    void tab.engine.syncNow(); // the server applies the push; its answer never arrives
    await waitUntil(() => tab.net.held === 1);
    await tab.engine.update('items', ids[0]!, { packed: true }); // made after the push left
    await tab.engine.stop(); // the tab closes

    tab.net.holdPushes = false;
    const reloaded = tab.reopen();
    await reloaded.start();
    expect((await reloaded.outbox.list()).length).toBeGreaterThan(0);
    expect((await reloaded.syncNow()).error).toBeNull();
    const server = await serverMirror(trip);
    expect(server.items).toHaveLength(20);
    expect(server.items!.find((i) => i.id === ids[0])).toMatchObject({ packed: true });
    // Applied at most once: one log row per version, whichever batch carried what.
    for (const row of server.items!) expect(await logCount(row.id as string)).toBe(row.version);
    expect(await mirror(reloaded, trip)).toEqual(server);
    await reloaded.stop();
  });

  it('mutations are durable when create resolves: a tab closed before any sync loses nothing', async () => {
    const alice = await signUp('alice');
    const tab = await device(alice.client);
    tab.net.set(false);
    const trip = await tab.engine.create('trips', { name: 'Closed tab' });
    const item = await tab.engine.create('items', { trip_id: trip, name: 'Charger', category: 'electronics' });
    await tab.engine.stop();

    tab.net.set(true);
    const next = tab.reopen();
    await next.start();
    expect(await next.get('items', item)).toMatchObject({ name: 'Charger' });
    expect((await next.syncNow()).error).toBeNull();
    expect((await serverRows('items', trip))[0]).toMatchObject({ id: item, name: 'Charger' });
    await next.stop();
  });

  it('local data is not lost around the first sign-in: edits made before the first sync survive the initial snapshot', async () => {
    const alice = await signUp('alice');
    const laptop = await device(alice.client);
    const old = await laptop.engine.create('trips', { name: 'Made on the laptop' });
    await laptop.engine.syncNow();

    const phoneClient = await signIn(alice);
    const phone = await device(phoneClient, {}, undefined, Object.assign(new (await import('./testing/harness.ts')).Switch(), { on: false }));
    expect(phone.engine.status.get().initialSync.done).toBe(false);
    const fresh = await phone.engine.create('trips', { name: 'Made on the phone before its first sync' });
    phone.net.set(true);
    expect((await phone.engine.syncNow()).error).toBeNull();
    expect(phone.engine.status.get().initialSync).toMatchObject({ done: true });
    expect((await phone.engine.list('trips')).map((t) => t.id).sort()).toEqual([old, fresh].sort());
    expect(await serverRows('trips', fresh)).toHaveLength(1);
    await laptop.engine.stop();
    await phone.engine.stop();
  });

  it('10 000 changes queued offline drain in batches of at most 1000', async () => {
    const alice = await signUp('alice');
    const d = await device(alice.client);
    d.net.set(false);
    // Ten trips of 1000: fake-indexeddb's index upkeep is linear in rows
    // sharing an index key (trip_id), which a browser's is not.
    const trips: string[] = [];
    for (let t = 0; t < 10; t++) trips.push(await d.engine.create('trips', { name: `Big ${t}` }));
    for (let i = 0; i < 10_000; i++) await d.engine.create('items', { trip_id: trips[i % 10]!, name: `thing ${i}` });
    expect(d.engine.status.get().pending).toBeGreaterThan(0);
    d.net.set(true);
    const pushesBefore = d.net.requests.filter((u) => u.endsWith('/push')).length;
    expect((await d.engine.syncNow()).error).toBeNull();
    const pushes = d.net.requests.filter((u) => u.endsWith('/push')).length - pushesBefore;
    expect(pushes).toBeGreaterThanOrEqual(11);
    expect(Number((await db()`select count(*) as n from public.items where trip_id = any(${trips}::uuid[])`)[0]!.n)).toBe(10_000);
    expect(await d.engine.outbox.list()).toEqual([]);
    expect((await d.engine.list('items')).length).toBe(10_000);
    await d.engine.stop();
  }, 600_000);
});

async function waitUntil(predicate: () => boolean): Promise<void> {
  // Event-driven wait on the test's own request counter (no wall-clock budget).
  while (!predicate()) await new Promise((resolve) => setImmediate(resolve));
}
