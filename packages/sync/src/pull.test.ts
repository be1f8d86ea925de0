// pullUntilCaughtUp with a scripted server: every page and its cursor land
// together, and a page whose write fails stops the pull there, so the cursor
// never moves past rows that did not land (page n+1 is fetched while page n
// is written; a change that overlaps the writes too must keep this).
import { randomUUID } from 'node:crypto';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import type { PulledChange, PullResponse } from '@packsync/protocol';
import { beforeEach, describe, expect, it } from 'vitest';
import { PacksyncDb } from './db.ts';
import { pullUntilCaughtUp } from './pull.ts';
import type { Transport } from './transport.ts';

const TRIP = randomUUID();
const USER = randomUUID();
let db: PacksyncDb;

beforeEach(async () => {
  db = new PacksyncDb(`pull-test-${randomUUID()}`, { indexedDB: new IDBFactory(), IDBKeyRange });
  await db.open();
});

const item = (id: string, extra: Record<string, unknown> = {}): PulledChange => ({
  entity: 'items', id, trip_id: TRIP, op: 'upsert', version: 1,
  row: { id, trip_id: TRIP, name: `item ${id.slice(0, 4)}`, quantity: 1, version: 1, deleted_at: null, ...extra },
});

/** A server answering from pages: the cursor is the page's index. */
function serving(pages: PulledChange[][]): { transport: Transport; asked: (string | null)[] } {
  const asked: (string | null)[] = [];
  const transport = {
    async pull(cursor: string | null): Promise<PullResponse> {
      asked.push(cursor);
      const i = cursor === null ? 0 : Number(cursor.split(':')[1]);
      return { changes: pages[i]!, cursor: `page:${i + 1}`, has_more: i + 1 < pages.length };
    },
  } as unknown as Transport;
  return { transport, asked };
}

describe('pullUntilCaughtUp', () => {
  it('writes every page of a snapshot and its cursor', async () => {
    const pages = [0, 1, 2].map(() => Array.from({ length: 40 }, () => item(randomUUID())));
    const { transport } = serving(pages);
    const outcome = await pullUntilCaughtUp({ db, transport, userId: USER });
    expect(outcome.error).toBeNull();
    expect(outcome.pages).toBe(3);
    expect(outcome.pulled).toBe(120);
    expect(await db.entity('items').count()).toBe(120);
    expect(await db.getMeta('cursor')).toBe('page:3');
  });

  it('stops at a page whose write failed, its cursor unmoved', async () => {
    // Page 2 cannot be written (a row IndexedDB refuses: its key is not a valid key).
    const pages = [[item(randomUUID())], [item(randomUUID(), { id: null })], [item(randomUUID())]];
    const { transport } = serving(pages);
    const outcome = await pullUntilCaughtUp({ db, transport, userId: USER });
    expect(outcome.error).not.toBeNull();
    expect(outcome.pages).toBe(1);
    expect(await db.getMeta('cursor')).toBe('page:1');
    expect((await db.entity('items').toArray()).map((r) => r.id)).toEqual([pages[0]![0]!.id]);
  });
});
