// When the verifier compares checksums: after a snapshot at once, otherwise
// at most once per interval per trip, and a trip changed in between is
// remembered until its time comes. The server's checksum here is the
// device's own (no divergence), so only the requests are counted.
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { silentLogger } from './collaborators.ts';
import { PacksyncDb } from './db.ts';
import { Metrics } from './metrics.ts';
import type { PullOutcome } from './pull.ts';
import { FakeClock } from './testing/fake-clock.ts';
import type { Transport } from './transport.ts';
import { localChecksum, Verifier } from './verify.ts';

const tripA = '10000000-0000-4000-8000-00000000000a';
const tripB = '10000000-0000-4000-8000-00000000000b';
const MINUTE = 60_000;

function pulled(touched: string[], snapshot = false): PullOutcome {
  return { pulled: touched.length, pages: 1, revoked: [], suspect: [], touched: new Set(touched), fullResync: false, snapshot, error: null };
}

async function setup(everyMs?: number) {
  const db = new PacksyncDb(`verify-${Math.random()}`, { indexedDB: new IDBFactory(), IDBKeyRange });
  await db.open();
  for (const id of [tripA, tripB]) await db.entity('trips').put({ id, version: 1, name: 'Trip' });
  const clock = new FakeClock();
  const asked: string[][] = [];
  const verifier = new Verifier({
    db, clock, logger: silentLogger, metrics: new Metrics(), userId: 'u',
    transport: {} as Transport, // never used: nothing diverges
    token: async () => 'token',
    checksum: async (tripIds) => {
      asked.push([...tripIds].sort());
      return Object.fromEntries(await Promise.all(tripIds.map(async (t) => [t, await localChecksum(db, t)] as const)));
    },
    ...(everyMs !== undefined ? { everyMs } : {}),
  });
  return { clock, asked, verifier };
}

describe('Verifier schedule', () => {
  it('compares a snapshot at once, then a changed trip at most once per interval', async () => {
    const { clock, asked, verifier } = await setup(5 * MINUTE);
    expect(await verifier.afterCatchUp(pulled([tripA, tripB], true))).toBeNull();
    expect(asked).toEqual([[tripA, tripB]]);
    // Changes within the interval: no request, however many catch-ups.
    for (let i = 0; i < 10; i++) {
      clock.advance(10_000);
      await verifier.afterCatchUp(pulled([tripA]));
    }
    expect(asked).toHaveLength(1);
    // A catch-up that changed nothing, after the interval: the trip changed
    // meanwhile is compared now; the one that did not change is not.
    clock.advance(5 * MINUTE);
    await verifier.afterCatchUp(pulled([]));
    expect(asked).toEqual([[tripA, tripB], [tripA]]);
    await verifier.afterCatchUp(pulled([]));
    expect(asked).toHaveLength(2);
  });

  it('a snapshot is compared even within the interval', async () => {
    const { clock, asked, verifier } = await setup();
    await verifier.afterCatchUp(pulled([tripA], true));
    clock.advance(MINUTE);
    await verifier.afterCatchUp(pulled([tripA], true));
    expect(asked).toEqual([[tripA], [tripA]]);
  });

  it('interval 0 compares after every catch-up that changed the trip', async () => {
    const { asked, verifier } = await setup(0);
    await verifier.afterCatchUp(pulled([tripA]));
    await verifier.afterCatchUp(pulled([tripA]));
    await verifier.afterCatchUp(pulled([]));
    expect(asked).toEqual([[tripA], [tripA]]);
  });
});

describe('Verifier refetch', () => {
  it('a refetch cut off by the network is done after the next catch-up', async () => {
    const db = new PacksyncDb(`verify-${Math.random()}`, { indexedDB: new IDBFactory(), IDBKeyRange });
    await db.open();
    await db.setMeta('cursor', 'v1:10:0');
    const pulls: (string | null)[] = [];
    let offline = true;
    const transport = {
      async pull(cursor: string | null) {
        pulls.push(cursor);
        if (offline) throw new TypeError('fetch failed (offline)');
        return { changes: [], cursor: 'v1:11:0', has_more: false };
      },
    } as unknown as Transport;
    const verifier = new Verifier({
      db, clock: new FakeClock(), logger: silentLogger, metrics: new Metrics(), userId: 'u', transport,
      token: async () => 'token', checksum: null,
    });
    verifier.refetch(tripA);
    expect(await verifier.afterCatchUp(pulled([]))).not.toBeNull();
    offline = false;
    expect(await verifier.afterCatchUp(pulled([]))).toBeNull();
    expect(pulls).toEqual([`v1:10:0:${tripA}:trips::0`, `v1:10:0:${tripA}:trips::0`]);
    expect(await verifier.afterCatchUp(pulled([]))).toBeNull();
    expect(pulls).toHaveLength(2);
  });
});
