// Invariant 2: every client converges to the server state once it is online
// and idle — two devices of one user and a second member, edits made
// offline, against the real test stack.
import { afterAll, describe, expect, it } from 'vitest';
import { closeDb, device, mirror, serverMirror, serverRows, share, signIn, signUp } from './testing/harness.ts';

afterAll(closeDb);

describe('two engines', () => {
  it('converge: what one device writes, the other reads after a sync', async () => {
    const alice = await signUp('alice');
    const laptop = await device(alice.client);
    const phone = await device(await signIn(alice));

    const trip = await laptop.engine.create('trips', { name: 'Lisbon' });
    const socks = await laptop.engine.create('items', { trip_id: trip, name: 'Socks', quantity: 2 });
    expect((await laptop.engine.get('items', socks))?.name).toBe('Socks');

    const first = await laptop.engine.syncNow();
    expect(first.error).toBeNull();
    expect(await laptop.engine.outbox.list()).toEqual([]);

    await phone.engine.syncNow();
    expect(await phone.engine.get('items', socks)).toMatchObject({ name: 'Socks', quantity: 2, category: 'misc', version: 1 });
    expect((await phone.engine.list('trip_members', { trip_id: trip })).map((m) => m.role)).toEqual(['owner']);

    await phone.engine.update('items', socks, { packed: true });
    await phone.engine.syncNow();
    await laptop.engine.syncNow();
    expect(await laptop.engine.get('items', socks)).toMatchObject({ packed: true, version: 2 });

    const [server] = await serverRows('items', trip);
    expect(await laptop.engine.get('items', socks)).toEqual(server);
    expect(await phone.engine.get('items', socks)).toEqual(server);
    expect(laptop.engine.status.get()).toMatchObject({ state: 'idle', pending: 0, parked: 0 });

    await laptop.engine.stop();
    await phone.engine.stop();
  });

  it('syncs by itself: an edit reaches the server and the other device without syncNow', async () => {
    const alice = await signUp('alice');
    const laptop = await device(alice.client, { autoSync: true });
    const phone = await device(await signIn(alice), { autoSync: true, stream: true });
    const streamed = new Promise<void>((resolve) => phone.engine.status.subscribe((s) => s.initialSync.done && resolve()));
    await streamed;
    const trip = await laptop.engine.create('trips', { name: 'By itself' });
    // The phone hears of it through the stream's poke and pulls.
    await new Promise<void>((resolve) => {
      const stop = phone.engine.watch(() => phone.engine.get('trips', trip), (row) => row && (stop(), resolve()));
    });
    expect(await serverRows('trips', trip)).toHaveLength(1);
    await laptop.engine.stop();
    await phone.engine.stop();
  });

  it('two devices of one user and a second member edit offline, reconnect and converge', async () => {
    const alice = await signUp('alice');
    const bob = await signUp('bob');
    const laptop = await device(alice.client);
    const phone = await device(await signIn(alice));
    const bobs = await device(bob.client);

    const trip = await laptop.engine.create('trips', { name: 'Alps', destination: 'Chamonix' });
    const person = await laptop.engine.create('people', { trip_id: trip, name: 'Alice', kind: 'adult' });
    const boots = await laptop.engine.create('items', { trip_id: trip, person_id: person, name: 'Boots', category: 'gear' });
    await laptop.engine.syncNow();
    await share(laptop.engine, trip, { id: bob.id, engine: bobs.engine });
    await phone.engine.syncNow();
    expect(await bobs.engine.get('items', boots)).toMatchObject({ name: 'Boots' });

    for (const d of [laptop, phone, bobs]) d.net.set(false);
    await laptop.engine.update('items', boots, { quantity: 2 });
    await laptop.engine.create('items', { trip_id: trip, name: 'Gloves', category: 'clothing' });
    await phone.engine.update('trips', trip, { destination: 'Zermatt' });
    const phoneItem = await phone.engine.create('items', { trip_id: trip, name: 'Map' });
    await phone.engine.delete('items', phoneItem); // created and deleted offline: nothing to send
    await bobs.engine.update('items', boots, { packed: true });
    await bobs.engine.create('people', { trip_id: trip, name: 'Bob', kind: 'adult' });
    const offline = await laptop.engine.syncNow();
    expect(offline.error?.type).toBe('network');
    expect(laptop.engine.status.get().state).toBe('offline');

    for (const d of [laptop, phone, bobs]) d.net.set(true);
    for (const d of [laptop, phone, bobs, laptop, phone]) expect((await d.engine.syncNow()).error).toBeNull();

    const server = await serverMirror(trip);
    expect(server.items!.map((i) => i.name).sort()).toEqual(['Boots', 'Gloves']);
    expect(server.items!.find((i) => i.id === boots)).toMatchObject({ quantity: 2, packed: true });
    expect(server.trips![0]).toMatchObject({ destination: 'Zermatt' });
    for (const d of [laptop, phone, bobs]) expect(await mirror(d.engine, trip)).toEqual(server);
    for (const d of [laptop, phone, bobs]) await d.engine.stop();
  });

  it('merges edits of different fields of one row made on two devices (disjoint-field merge)', async () => {
    const alice = await signUp('alice');
    const laptop = await device(alice.client);
    const phone = await device(await signIn(alice));
    const trip = await laptop.engine.create('trips', { name: 'Rome' });
    const item = await laptop.engine.create('items', { trip_id: trip, name: 'Hat' });
    await laptop.engine.syncNow();
    await phone.engine.syncNow();

    laptop.net.set(false);
    await laptop.engine.update('items', item, { notes: 'the straw one' });
    await phone.engine.update('items', item, { quantity: 3 });
    await phone.engine.syncNow();
    laptop.net.set(true);
    const summary = await laptop.engine.syncNow();
    expect(summary).toMatchObject({ error: null, conflicts: 0 });
    await phone.engine.syncNow();

    const [server] = await serverRows('items', trip);
    expect(server).toMatchObject({ notes: 'the straw one', quantity: 3, version: 3 });
    expect(await laptop.engine.get('items', item)).toEqual(server);
    expect(await phone.engine.get('items', item)).toEqual(server);
    expect(await laptop.engine.conflicts.list()).toEqual([]);
    await laptop.engine.stop();
    await phone.engine.stop();
  });
});
