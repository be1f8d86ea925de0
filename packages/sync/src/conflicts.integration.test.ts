// Conflicts the server reports (both sides changed a field to different
// values): settled by per-field policy where that is safe, otherwise left
// for the user and resolved through conflicts.resolve.
import { afterAll, describe, expect, it } from 'vitest';
import { closeDb, device, serverRows, signIn, signUp } from './testing/harness.ts';

afterAll(closeDb);

async function twoDevicesWithItem() {
  const alice = await signUp('alice');
  const laptop = await device(alice.client);
  const phone = await device(await signIn(alice));
  const trip = await laptop.engine.create('trips', { name: 'Oslo' });
  const item = await laptop.engine.create('items', { trip_id: trip, name: 'Hat', quantity: 1 });
  await laptop.engine.syncNow();
  await phone.engine.syncNow();
  return { laptop, phone, trip, item };
}

/** The laptop's offline notes and name edit meets the phone's synced one: a conflict on both fields on the laptop. */
async function notesAndNameConflict() {
  const devices = await twoDevicesWithItem();
  const { laptop, phone, item } = devices;
  laptop.net.set(false);
  await laptop.engine.update('items', item, { notes: 'wool', name: 'Beanie' });
  await phone.engine.update('items', item, { notes: 'cotton', name: 'Cap' });
  await phone.engine.syncNow();
  laptop.net.set(true);
  await laptop.engine.syncNow();
  return devices;
}

describe('conflicts', () => {
  it('settles a true conflict by policy: packed — true wins, quantity — larger wins', async () => {
    const { laptop, phone, trip, item } = await twoDevicesWithItem();
    laptop.net.set(false);
    await laptop.engine.update('items', item, { quantity: 3 });
    await phone.engine.update('items', item, { packed: true, quantity: 2 });
    await phone.engine.syncNow();
    await laptop.engine.update('items', item, { packed: false });
    laptop.net.set(true);
    const summary = await laptop.engine.syncNow();
    expect(summary.error).toBeNull();
    expect(laptop.engine.metrics().counters['operations{entity=items,op=upsert,status=conflict}']).toBeGreaterThanOrEqual(1);
    await phone.engine.syncNow();

    const [server] = await serverRows('items', trip);
    expect(server).toMatchObject({ packed: true, quantity: 3 });
    expect(await laptop.engine.get('items', item)).toEqual(server);
    expect(await phone.engine.get('items', item)).toEqual(server);
    expect(await laptop.engine.conflicts.list()).toEqual([]);
    const counters = laptop.engine.metrics().counters;
    expect(counters['conflicts_resolved{entity=items,policy=true_wins}']).toBe(1);
    expect(counters['conflicts_resolved{entity=items,policy=larger_wins}']).toBe(1);
    await laptop.engine.stop();
    await phone.engine.stop();
  });

  it('leaves a conflict the policies cannot settle for the user, who resolves it', async () => {
    const { laptop, phone, trip, item } = await notesAndNameConflict();

    // The device shows the server's values while the conflict waits.
    expect(await laptop.engine.get('items', item)).toMatchObject({ notes: 'cotton', name: 'Cap' });
    const [conflict, ...more] = await laptop.engine.conflicts.list();
    expect(more).toEqual([]);
    expect(conflict).toMatchObject({
      entity: 'items', row_id: item, trip_id: trip, state: 'open',
      mine: { notes: 'wool', name: 'Beanie' }, theirs: { notes: 'cotton', name: 'Cap' }, base: { notes: '', name: 'Hat' },
      policy: { notes: 'ask', name: 'theirs_offer_mine' },
    });
    expect(conflict!.fields.sort()).toEqual(['name', 'notes']);
    expect(conflict!.confidence).toBeLessThan(0.5);
    expect(laptop.engine.status.get().conflicts).toBe(1);

    await laptop.engine.conflicts.resolve(conflict!.id, { notes: 'wool and cotton' });
    expect(await laptop.engine.conflicts.list()).toEqual([]);
    expect((await laptop.engine.syncNow()).error).toBeNull();
    await phone.engine.syncNow();
    const [server] = await serverRows('items', trip);
    expect(server).toMatchObject({ notes: 'wool and cotton', name: 'Cap' });
    expect(await phone.engine.get('items', item)).toEqual(server);
    expect(await laptop.engine.get('items', item)).toEqual(server);
    await laptop.engine.stop();
    await phone.engine.stop();
  });

  it('an edit of a field waiting in a conflict answers it: resolving mine later does not write the older value back', async () => {
    const { laptop, phone, trip, item } = await notesAndNameConflict();
    expect((await laptop.engine.conflicts.list()).map((c) => c.fields.sort())).toEqual([['name', 'notes']]);

    // The user writes new notes: they sync cleanly (the device shows the
    // server's version), and the conflict keeps only the name.
    await laptop.engine.update('items', item, { notes: 'linen' });
    const [conflict, ...more] = await laptop.engine.conflicts.list();
    expect(more).toEqual([]);
    expect(conflict).toMatchObject({ fields: ['name'], mine: { name: 'Beanie' }, theirs: { name: 'Cap' },
      policy: { name: 'theirs_offer_mine' }, state: 'offered' });
    expect(conflict!.mine).not.toHaveProperty('notes');
    expect((await laptop.engine.syncNow()).error).toBeNull();

    await laptop.engine.conflicts.resolve(conflict!.id, 'mine');
    expect((await laptop.engine.syncNow()).error).toBeNull();
    const [server] = await serverRows('items', trip);
    expect(server).toMatchObject({ notes: 'linen', name: 'Beanie' });

    // Editing every field a conflict holds answers all of it.
    await phone.engine.syncNow();
    laptop.net.set(false);
    await laptop.engine.update('items', item, { notes: 'silk' });
    await phone.engine.update('items', item, { notes: 'hemp' });
    await phone.engine.syncNow();
    laptop.net.set(true);
    await laptop.engine.syncNow();
    expect((await laptop.engine.conflicts.list()).map((c) => c.fields)).toEqual([['notes']]);
    await laptop.engine.update('items', item, { notes: 'silk and hemp' });
    expect(await laptop.engine.conflicts.list()).toEqual([]);
    // The status counts follow the store (it is watched): resolves once it shows none.
    await new Promise<void>((resolve) => {
      const off = laptop.engine.status.subscribe((s) => s.conflicts === 0 && (queueMicrotask(() => off()), resolve()));
    });
    expect((await laptop.engine.syncNow()).error).toBeNull();
    expect((await serverRows('items', trip))[0]).toMatchObject({ notes: 'silk and hemp' });
    await laptop.engine.stop();
    await phone.engine.stop();
  });

  it('an edit does not answer a conflict that asks whether a deleted row should go', async () => {
    const { laptop, phone, item } = await twoDevicesWithItem();
    laptop.net.set(false);
    await laptop.engine.delete('items', item);
    await phone.engine.update('items', item, { name: 'Cap' });
    await phone.engine.syncNow();
    laptop.net.set(true);
    await laptop.engine.syncNow();
    const [asked] = await laptop.engine.conflicts.list();
    expect(asked).toMatchObject({ fields: ['name'], mine: { deleted_at: 'deleted' }, state: 'open' });
    // The row is shown again (the server's); the user edits it: the question stays theirs to answer.
    await laptop.engine.update('items', item, { name: 'Beanie' });
    expect(await laptop.engine.conflicts.list()).toEqual([asked]);
    await laptop.engine.stop();
    await phone.engine.stop();
  });

  it("resolves 'mine' by sending the device's values on top of the server's version", async () => {
    const { laptop, phone, trip, item } = await twoDevicesWithItem();
    laptop.net.set(false);
    await laptop.engine.update('items', item, { notes: 'mine' });
    await phone.engine.update('items', item, { notes: 'theirs' });
    await phone.engine.syncNow();
    laptop.net.set(true);
    await laptop.engine.syncNow();
    const [conflict] = await laptop.engine.conflicts.list();
    await laptop.engine.conflicts.resolve(conflict!.id, 'mine');
    await laptop.engine.syncNow();
    expect((await serverRows('items', trip))[0]).toMatchObject({ notes: 'mine' });
    await laptop.engine.stop();
    await phone.engine.stop();
  });

  it('an edit of a row someone deleted resolves to the delete, and keeping mine re-creates it', async () => {
    const { laptop, phone, trip, item } = await twoDevicesWithItem();
    laptop.net.set(false);
    await laptop.engine.update('items', item, { notes: 'keep me' });
    await phone.engine.delete('items', item);
    await phone.engine.syncNow();
    laptop.net.set(true);
    await laptop.engine.syncNow();
    expect(await laptop.engine.get('items', item)).toBeUndefined();
    const [conflict] = await laptop.engine.conflicts.list();
    expect(conflict).toMatchObject({ row_id: item, state: 'offered', fields: ['deleted_at'] });

    await laptop.engine.conflicts.resolve(conflict!.id, 'mine');
    await laptop.engine.syncNow();
    const live = await serverRows('items', trip);
    expect(live).toHaveLength(1);
    expect(live[0]).toMatchObject({ name: 'Hat', notes: 'keep me' });
    expect(live[0]!.id).not.toBe(item);
    await laptop.engine.stop();
    await phone.engine.stop();
  });
});
