// deleteShadows against a plain delete per key: on random shadows of two
// entities and a random choice of rows to delete (runs and single rows with
// kept shadows between them), exactly the chosen shadows go. Seeded
// (fast-check); PACKSYNC_PROPERTY_SEED replays it; the seed is printed.
import fc from 'fast-check';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { deleteShadows } from './apply.ts';
import { PacksyncDb } from './db.ts';

const TRIP = '10000000-0000-4000-8000-000000000001';
const id = (n: number) => `30000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
let dbs = 0;

describe('deleteShadows', () => {
  it('deletes exactly the chosen shadows of the entity', async () => {
    const seed = Number(process.env.PACKSYNC_PROPERTY_SEED ?? Date.now() % 2 ** 31);
    console.log(`deleteShadows property: seed ${seed}`);
    const arb = fc.array(fc.record({ n: fc.nat(60), entity: fc.constantFrom('items', 'people'), gone: fc.boolean() }), { maxLength: 80 });
    await fc.assert(fc.asyncProperty(arb, fc.array(fc.nat(80), { maxLength: 5 }), async (shadows, absent) => {
      const db = new PacksyncDb(`delete-shadows-${dbs++}`, { indexedDB: new IDBFactory(), IDBKeyRange });
      await db.open();
      try {
        const stored = new Map(shadows.map((s) => [`${s.entity}:${id(s.n)}`, s]));
        await db.shadows.bulkPut([...stored.values()].map((s) => ({ entity: s.entity as 'items', id: id(s.n), trip_id: TRIP, row: null })));
        // Some rows to delete have no shadow (nothing to do for them).
        const gone = [...stored.values()].filter((s) => s.entity === 'items' && s.gone).map((s) => id(s.n));
        await db.transaction('rw', db.shadows, () => deleteShadows(db, 'items', [...gone, ...absent.map((n) => id(100 + n))]));
        const left = (await db.shadows.toArray()).map((s) => `${s.entity}:${s.id}`).sort();
        const expected = [...stored.keys()].filter((k) => !gone.some((g) => k === `items:${g}`)).sort();
        expect(left).toEqual(expected);
      } finally {
        db.close();
      }
    }), { seed, numRuns: 150 });
  }, 60_000);
});
