// Two devices of one user and a second member edit, sync and converge on the
// server's state (invariant 2), against the real test stack.
import { afterAll, describe, expect, it } from 'vitest';
import { closeDb, device, serverRows, signIn, signUp } from './testing/harness.ts';

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
});
