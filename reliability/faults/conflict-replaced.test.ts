// Found by the fault runner (seed 804381956, PACKSYNC_FAULT_RESTARTS=3), pinned
// here deterministically: a device's second conflict on a row must not make
// its first one disappear. The device kept one conflict per row and a newer
// one replaced the older, so an edit still waiting in the older conflict (an
// `ask` field such as notes) was gone from the device, and not on the server:
// an acknowledged edit silently lost. Two devices of one user, edited in a
// fixed order; no timing involved.
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { afterAll, describe, expect, it } from 'vitest';
import { createSyncEngine, silentLogger, type SyncEngine } from '../../packages/sync/src/index.ts';
import { testClient } from '../../packages/stack/src/testing.ts';
import { ownTrip } from '../support/own-trip.ts';

const w = ownTrip('conflict-replaced');
const s = w.s;
const engines: SyncEngine[] = [];
afterAll(() => Promise.all(engines.map((e) => e.stop())));

async function device(): Promise<SyncEngine> {
  const supabase = testClient(s);
  const { error } = await supabase.auth.signInWithPassword({ email: w.user.email, password: w.user.password });
  expect(error).toBeNull();
  const engine = createSyncEngine({
    supabase, url: s.apiUrl, anonKey: s.anonKey, indexedDB: new IDBFactory(), IDBKeyRange,
    // Only syncNow syncs: the order of the two devices' pushes is the test's.
    logger: silentLogger, stream: false, checksum: null, autoSync: false,
  });
  engines.push(engine);
  await engine.start();
  return engine;
}

/** Two devices, one item, and a first conflict on `mine`: notes (policy `ask`: waits for the user). */
async function firstConflictOnNotes(mineNotes: string, theirNotes: string): Promise<{ mine: SyncEngine; theirs: SyncEngine; id: string }> {
  const mine = await device();
  const theirs = await device();
  await mine.syncNow(); // the trip arrives
  const id = await mine.create('items', { trip_id: w.trip, name: 'Hat' });
  await mine.syncNow();
  await theirs.syncNow();
  await mine.update('items', id, { notes: mineNotes });
  await theirs.update('items', id, { notes: theirNotes });
  await theirs.syncNow();
  await mine.syncNow();
  expect((await mine.conflicts.list()).map((c) => c.fields)).toEqual([['notes']]);
  return { mine, theirs, id };
}

describe('a second conflict on a row', () => {
  it('keeps the first one\'s waiting edit visible (both fields in the row\'s conflict)', async () => {
    const { mine, theirs, id } = await firstConflictOnNotes('mine: pack it', 'theirs: leave it');

    // Second conflict on the same row: name (policy `theirs_offer_mine`).
    await mine.update('items', id, { name: 'Cap' });
    await theirs.update('items', id, { name: 'Beanie' });
    await theirs.syncNow();
    await mine.syncNow();

    const [row] = await w.sql`select name, notes from public.items where id = ${id}`;
    expect(row).toEqual({ name: 'Beanie', notes: 'theirs: leave it' });
    const conflicts = await mine.conflicts.list();
    expect(conflicts).toHaveLength(1);
    const [conflict] = conflicts;
    // The notes edit is neither on the server nor settled: the user must still see it.
    expect({ fields: [...conflict!.fields].sort(), mine: conflict!.mine, theirs: conflict!.theirs, state: conflict!.state }).toEqual({
      fields: ['name', 'notes'],
      mine: { name: 'Cap', notes: 'mine: pack it' },
      theirs: { name: 'Beanie', notes: 'theirs: leave it' },
      state: 'open',
    });

    // Keeping mine sends both of the user's values.
    await mine.conflicts.resolve(conflict!.id, 'mine');
    await mine.syncNow();
    const [after] = await w.sql`select name, notes from public.items where id = ${id}`;
    expect(after).toEqual({ name: 'Cap', notes: 'mine: pack it' });
    expect(await mine.conflicts.list()).toEqual([]);
  });

  it('drops a field of the first one that the user has edited again since (their newer value stands)', async () => {
    const { mine, theirs, id } = await firstConflictOnNotes('mine: first', 'theirs');

    // The user writes the notes again (their answer) together with a name someone else also changed.
    await mine.update('items', id, { notes: 'mine: second', name: 'Cap' });
    await theirs.update('items', id, { name: 'Beanie' });
    await theirs.syncNow();
    await mine.syncNow();

    const [row] = await w.sql`select name, notes from public.items where id = ${id}`;
    expect(row).toEqual({ name: 'Beanie', notes: 'mine: second' });
    const conflicts = await mine.conflicts.list();
    expect(conflicts.map((c) => ({ fields: c.fields, mine: c.mine }))).toEqual([{ fields: ['name'], mine: { name: 'Cap' } }]);
  });
});
