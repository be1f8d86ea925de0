// Sign-out, one database per user, second tab, health and metrics.
import { afterAll, describe, expect, it } from 'vitest';
import { databaseName } from './db.ts';
import { closeDb, device, serverRows, signUp, Switch } from './testing/harness.ts';

afterAll(closeDb);

describe('lifecycle', () => {
  it('sign-out refuses while changes are unsynced, and with discardUnsynced wipes the user\'s database', async () => {
    const alice = await signUp('alice');
    const d = await device(alice.client);
    d.net.set(false);
    await d.engine.create('trips', { name: 'Unsynced' });
    expect(await d.engine.signOut()).toEqual({ signedOut: false, pending: 1 });
    expect(await d.engine.list('trips')).toHaveLength(1); // nothing touched

    expect(await d.engine.signOut({ discardUnsynced: true })).toEqual({ signedOut: true, pending: 1 });
    const names = (await d.indexedDB.databases()).map((db) => db.name);
    expect(names).not.toContain(databaseName(alice.id));
    expect((await alice.client.auth.getSession()).data.session).toBeNull();
  });

  it('keeps one database per signed-in user on a shared browser', async () => {
    const alice = await signUp('alice');
    const bob = await signUp('bob');
    const a = await device(alice.client);
    const b = await device(bob.client, {}, a.indexedDB);
    await a.engine.create('trips', { name: "Alice's" });
    expect(await b.engine.list('trips')).toEqual([]);
    const names = (await a.indexedDB.databases()).map((db) => db.name).sort();
    expect(names).toEqual([databaseName(alice.id), databaseName(bob.id)].sort());
    await a.engine.stop();
    await b.engine.stop();
  });

  it('a second tab does not sync itself: it asks the syncing tab, and sees its writes', async () => {
    const alice = await signUp('alice');
    const first = await device(alice.client);
    const net2 = new Switch();
    net2.on = false; // the second tab's own fetch fails: whatever syncs for it is the first tab
    const second = first.reopen({ fetch: net2.fetch, network: net2 });
    await second.start();
    const trip = await second.create('trips', { name: 'From the second tab' });
    expect(await first.engine.get('trips', trip)).toMatchObject({ name: 'From the second tab' });
    const summary = await second.syncNow(); // delegated to the first tab over the broadcast channel
    expect(summary.error).toBeNull();
    expect(await serverRows('trips', trip)).toHaveLength(1);
    await first.engine.stop();
    // The lock passes on: the second tab syncs now, with its own network.
    net2.set(true);
    await second.create('items', { trip_id: trip, name: 'Later' });
    expect((await second.syncNow()).error).toBeNull();
    expect(await serverRows('items', trip)).toHaveLength(1);
    await second.stop();
  });

  it('health and metrics describe the engine', async () => {
    const alice = await signUp('alice');
    const d = await device(alice.client);
    const trip = await d.engine.create('trips', { name: 'Metrics' });
    await d.engine.create('items', { trip_id: trip, name: 'A' });
    await d.engine.syncNow();
    const health = await d.engine.health();
    expect(health.status).toBe('healthy');
    expect(health.checks.map((c) => c.name)).toEqual(expect.arrayContaining(['indexeddb', 'queue', 'network', 'server', 'conflicts']));
    const m = d.engine.metrics();
    expect(m.counters['operations{entity=items,op=upsert,status=applied}']).toBe(1);
    expect(m.timings.sync_ms!.count).toBeGreaterThanOrEqual(1);
    expect(m.gauges.queue_depth).toBe(0);
    d.net.set(false);
    await d.engine.syncNow();
    expect((await d.engine.health()).checks.find((c) => c.name === 'network')).toMatchObject({ level: 'degraded' });
    await d.engine.stop();
  });
});
