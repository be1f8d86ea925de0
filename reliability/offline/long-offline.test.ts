// #13.4 Long-offline realities: a week offline until the refresh window has
// passed (sign in again, the queue survives and drains); a client clock an
// hour ahead or behind; a 10 000-change queue that drains with bounded memory.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTrip, operator, signUp, stack, type Sql, type User } from '../support/stack.ts';
import { recordFigures } from '../support/figures.ts';
import { offsetClock, openDevice, statusReaches } from './device.ts';

const s = stack();
const DAY = 24 * 3600 * 1000;
let sql: Sql;

beforeAll(() => { sql = operator(s); });
afterAll(() => sql.end());

async function serverNames(tripId: string): Promise<Set<string>> {
  const rows = await sql`select name from public.items where trip_id = ${tripId} and deleted_at is null`;
  return new Set(rows.map((r) => r.name as string));
}

describe('a week offline', () => {
  it('an expired session pauses sync; signing in again drains the queue without losing it', async () => {
    const user = await signUp(s, 'week');
    const trip = await createTrip(s, user);
    const device = await openDevice(s, user);
    const { engine } = device;

    device.net.set(false);
    const names = Array.from({ length: 50 }, (_, i) => `offline ${i} ${randomUUID().slice(0, 4)}`);
    for (const name of names) await engine.create('items', { trip_id: trip, name });
    // A week passes: the access token is long expired, and the refresh window
    // (session lifetime) has passed on the server, which ends the sessions.
    device.clock.offsetMs = 7 * DAY;
    await sql`delete from auth.sessions where user_id = ${user.id}`;
    device.net.set(true);

    const summary = await engine.syncNow();
    expect(summary.ok).toBe(false);
    await statusReaches(engine, (st) => st.state === 'paused_auth');
    expect(engine.status.get().pending).toBe(names.length);
    expect((await engine.outbox.list()).length).toBe(names.length);

    // The user signs in again (the server's clock and the client's agree again).
    device.clock.offsetMs = 0;
    await device.signIn();
    await engine.syncNow();
    await statusReaches(engine, (st) => st.pending === 0 && st.state === 'idle');
    expect(await serverNames(trip)).toEqual(new Set(names));
    await engine.stop();
  });
});

describe('a client clock an hour off', () => {
  for (const hours of [1, -1]) {
    it(`${hours > 0 ? 'ahead' : 'behind'}: edits sync, concurrent edits conflict as with a right clock, both devices converge`, async () => {
      const [a, b] = await Promise.all([signUp(s, 'clock-a'), signUp(s, 'clock-b')]);
      const trip = await createTrip(s, a);
      const skewed = await openDevice(s, a, offsetClock(hours * 3600 * 1000));
      const item = await skewed.engine.create('items', { trip_id: trip, name: 'Charger' });
      expect((await skewed.engine.syncNow()).ok).toBe(true);

      // Another device of the same user, with a right clock.
      const right = await openDevice(s, a);
      expect((await right.engine.get('items', item))?.name).toBe('Charger');
      skewed.net.set(false);
      await skewed.engine.update('items', item, { notes: 'skewed' });
      await right.engine.update('items', item, { notes: 'right' });
      await right.engine.syncNow();
      skewed.net.set(true);
      await skewed.engine.syncNow();
      await right.engine.syncNow();

      const [row] = await sql`select notes from public.items where id = ${item}`;
      expect(row!.notes).toBe('right');
      const conflicts = await skewed.engine.conflicts.list();
      expect(conflicts.map((c) => [c.row_id, c.mine.notes])).toEqual([[item, 'skewed']]);
      expect((await skewed.engine.get('items', item))?.notes).toBe((await right.engine.get('items', item))?.notes);
      await skewed.engine.stop();
      await right.engine.stop();
      void b;
    });
  }
});

// 10 000 in the full run (test:faults); 2 000 in `npm test`, where fake-indexeddb writes take most of the time.
const COUNT = Number(process.env.PACKSYNC_QUEUE_CHANGES ?? 2000);

describe(`a ${COUNT}-change queue`, () => {
  it('drains completely, and the heap grows by a bounded amount while it does', async () => {
    const user = await signUp(s, 'queue');
    const trip = await createTrip(s, user);
    const device = await openDevice(s, user);
    device.net.set(false);
    for (let i = 0; i < COUNT; i++) await device.engine.create('items', { trip_id: trip, name: `q${i}` });
    expect((await device.engine.outbox.list()).length).toBe(COUNT);

    global.gc?.();
    const before = process.memoryUsage().heapUsed;
    let peak = before;
    const sample = setInterval(() => { peak = Math.max(peak, process.memoryUsage().heapUsed); }, 20);
    const started = performance.now();
    device.net.set(true);
    try {
      await device.engine.syncNow();
      await statusReaches(device.engine, (st) => st.pending === 0);
    } finally {
      clearInterval(sample);
    }
    const seconds = (performance.now() - started) / 1000;
    const names = await serverNames(trip);
    const missing = Array.from({ length: COUNT }, (_, i) => `q${i}`).filter((n) => !names.has(n));
    const outbox = await device.engine.outbox.list();
    expect({ missing, outbox: outbox.map((e) => ({ row: e.row_id, parked: e.parked, error: e.last_error })) }).toEqual({ missing: [], outbox: [] });
    const growthMiB = (peak - before) / 2 ** 20;
    console.log(`queue: ${COUNT} changes drained in ${seconds.toFixed(1)} s; heap ${(before / 2 ** 20).toFixed(0)} MiB before, peak +${growthMiB.toFixed(0)} MiB while draining`);
    recordFigures('queue', { changes: COUNT, seconds, heapBeforeMiB: before / 2 ** 20, peakGrowthMiB: growthMiB });
    // Bounded: the drain works in batches, so it must not hold the whole queue several times over.
    // 10 000 small changes are ~3 MiB of JSON; 256 MiB would mean copies per change, not per batch.
    expect(growthMiB).toBeLessThan(256);
    await device.engine.stop();
  }, 1_800_000); // building 10 000 offline edits one by one takes minutes on a loaded machine
});
