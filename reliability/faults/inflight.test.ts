// Found by the fault runner, pinned here deterministically: an edit made
// while the push carrying its row's create is in flight must not be lost,
// whether that push's answer arrives, is lost after the server applied it,
// or the push never reached the server. The push is held at the network
// until the edit has resolved (an event, not a sleep).
import { randomUUID } from 'node:crypto';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { describe, expect } from 'vitest';
import { createSyncEngine, silentLogger } from '../../packages/sync/src/index.ts';
import { testClient } from '../../packages/stack/src/testing.ts';
import { attack } from '../attacks/pending-fixes.ts';
import { ownTrip } from '../support/own-trip.ts';

const w = ownTrip('inflight');
const s = w.s;

type Outcome = 'answered' | 'answer_lost' | 'never_sent' | 'not_held';

/** A fetch that holds the first push until `release()`, then delivers it as `outcome` says. */
function heldFetch(outcome: Outcome) {
  let release!: () => void;
  const released = new Promise<void>((r) => { release = r; });
  let sent!: () => void;
  const pushSent = new Promise<void>((r) => { sent = r; });
  let held = false;
  const fetchFn: typeof fetch = async (input, init) => {
    const url = String(input instanceof Request ? input.url : input);
    if (!held && outcome !== 'not_held' && url.endsWith('/sync/push')) {
      held = true;
      sent();
      await released;
      if (outcome === 'never_sent') throw new TypeError('fetch failed (connection refused)');
      const response = await fetch(input, init);
      if (outcome === 'answer_lost') {
        await response.arrayBuffer();
        throw new TypeError('fetch failed (connection reset after the server answered)');
      }
      return response;
    }
    return fetch(input, init);
  };
  return { fetchFn, pushSent, release };
}

describe('an edit while its row\'s create is in flight', () => {
  const named: Record<Outcome, string> = {
    answered: 'the push is on the wire and answered',
    answer_lost: 'the push is on the wire and its answer lost',
    never_sent: 'the push is on the wire and never reaches the server',
    // No hold: the edit lands while syncNow is taking the batch from the
    // outbox, before the push is on the wire (where the runner lost edits).
    not_held: 'syncNow has just started',
  };
  for (const outcome of ['answered', 'answer_lost', 'never_sent', 'not_held'] as const) {
    attack(outcome === 'not_held' ? 'engine-edit-during-create-push' : 'none', `is kept when ${named[outcome]}`, async () => {
      const supabase = testClient(s);
      const { error } = await supabase.auth.signInWithPassword({ email: w.user.email, password: w.user.password });
      expect(error).toBeNull();
      const held = heldFetch(outcome);
      const engine = createSyncEngine({
        supabase, url: s.apiUrl, anonKey: s.anonKey, indexedDB: new IDBFactory(), IDBKeyRange, fetch: held.fetchFn,
        logger: silentLogger, stream: false, checksum: null,
      });
      await engine.start();
      try {
        await engine.syncNow(); // the trip arrives
        const id = await engine.create('items', { trip_id: w.trip, name: 'first' });
        const syncing = engine.syncNow();
        if (outcome !== 'not_held') await held.pushSent;
        const renamed = `second ${randomUUID().slice(0, 6)}`;
        await engine.update('items', id, { name: renamed });
        held.release();
        await syncing;
        for (let i = 0; i < 3; i++) await engine.syncNow();
        const [row] = await w.sql`select name from public.items where id = ${id}`;
        expect({ server: row?.name, local: (await engine.get('items', id))?.name }).toEqual({ server: renamed, local: renamed });
      } finally {
        await engine.stop();
      }
    });
  }
});
