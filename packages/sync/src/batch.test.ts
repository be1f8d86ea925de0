// nextBatch while batches are in flight: the entries in flight are skipped
// (by key at the front of a page, by value further on) and the batch, its
// runs and its blocked rows come out as if every entry had been read.
import { randomUUID } from 'node:crypto';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { beforeEach, describe, expect, it } from 'vitest';
import { nextBatch, rowKey, type InFlight } from './batch.ts';
import { PacksyncDb } from './db.ts';
import type { OutboxEntry } from './types.ts';

const TRIP = randomUUID();
let db: PacksyncDb;

beforeEach(async () => {
  db = new PacksyncDb(`batch-test-${randomUUID()}`, { indexedDB: new IDBFactory(), IDBKeyRange });
  await db.open();
});

/** One upsert per row name, in order; `parked` names are parked. */
async function queue(rows: string[], parked: string[] = []): Promise<OutboxEntry[]> {
  const ids = new Map<string, string>();
  const entries: OutboxEntry[] = [];
  for (const name of rows) {
    if (!ids.has(name)) ids.set(name, randomUUID());
    const entry = {
      change_id: randomUUID(), entity: 'items', op: 'upsert', row_id: ids.get(name)!, trip_id: TRIP, fields: { name },
      base_version: null, attempts: 0, last_error: null, parked: parked.includes(name) ? 1 : 0, queued_at: entries.length,
    } as Omit<OutboxEntry, 'seq'>;
    const seq = await db.outbox.add(entry as OutboxEntry);
    entries.push({ ...entry, seq } as OutboxEntry);
  }
  return entries;
}

const flying = (entries: OutboxEntry[]): InFlight => ({ seqs: new Set(entries.map((e) => e.seq)), rows: new Set(entries.map(rowKey)) });
const names = (entries: OutboxEntry[]) => entries.map((e) => e.fields.name);

describe('nextBatch with batches in flight', () => {
  it('skips the entries in flight, at the front and between others, and keeps the runs apart', async () => {
    const all = await queue(['a', 'b', 'c', 'd', 'e', 'f']);
    const batch = await db.transaction('r', db.outbox, () => nextBatch(db, { maxChanges: 10, maxBytes: 1 << 20 }, flying([all[0]!, all[1]!, all[3]!])));
    expect(names(batch.entries)).toEqual(['c', 'e', 'f']);
    expect(batch.runs).toEqual([[all[2]!.seq, all[2]!.seq], [all[4]!.seq, all[5]!.seq]]);
  });

  it('reads on past a page whose front is in flight, and stops at a second change of a row in flight', async () => {
    const parked = Array.from({ length: 10 }, (_, i) => `p${i}`);
    const all = await queue([...Array.from({ length: 20 }, (_, i) => `r${i}`), 'x', 'y', ...parked, 'z', 'r3', 'w'], parked);
    // A page is maxChanges + in flight = 30 entries: 20 in flight, x, y and 8 parked; z is on the next.
    const inFlight = flying(all.slice(0, 20));
    const batch = await db.transaction('r', db.outbox, () => nextBatch(db, { maxChanges: 10, maxBytes: 1 << 20 }, inFlight));
    // r3's second change waits for the first one's result.
    expect(names(batch.entries)).toEqual(['x', 'y', 'z']);
  });

  it('still holds back the rows of a parked change behind skipped entries', async () => {
    const all = await queue(['a', 'b', 'p', 'c', 'p', 'd'], ['p']);
    await db.outbox.update(all[4]!.seq, { parked: 0 }); // only the first change of p is parked
    const batch = await db.transaction('r', db.outbox, () => nextBatch(db, { maxChanges: 10, maxBytes: 1 << 20 }, flying(all.slice(0, 2))));
    expect(names(batch.entries)).toEqual(['c', 'd']);
  });
});
