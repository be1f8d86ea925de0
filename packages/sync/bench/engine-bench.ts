// Speed figures of the engine, run by hand against a running stack:
//   PACKSYNC_API_URL=… PACKSYNC_ANON_KEY=… PACKSYNC_DB_URL=… (as for the tests)
//   npx tsx packages/sync/bench/engine-bench.ts [edits=2000] [pullRows=20000] [drain=10000]
// 1. durable local edit: engine.update → row + outbox in one transaction, p50/p95;
// 2. pulled rows applied into IndexedDB per second (pages of 1000, one
//    transaction each), from a recorded pull so only the apply is timed;
// 3. N changes queued offline drained against the stack (push + pull).
// In Node the IndexedDB is fake-indexeddb (a pure-JS implementation, much
// slower than a browser's); browser figures come from the bench suite.
import { performance } from 'node:perf_hooks';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { createSyncEngine } from '../src/engine.ts';
import { silentLogger } from '../src/collaborators.ts';
import { PacksyncDb } from '../src/db.ts';
import { pullUntilCaughtUp } from '../src/pull.ts';
import type { Transport } from '../src/transport.ts';
import { device, signUp, closeDb, Switch } from '../src/testing/harness.ts';

const [edits = 2000, pullRows = 20_000, drain = 10_000] = process.argv.slice(2).map(Number);

function percentile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

async function localEdits(): Promise<void> {
  const engine = createSyncEngine({
    supabase: { auth: fakeAuth() } as never, url: 'http://127.0.0.1:9', anonKey: 'x',
    indexedDB: new IDBFactory(), IDBKeyRange, fetch: async () => { throw new TypeError('offline'); },
    logger: silentLogger, stream: false, autoSync: false, checksum: null,
  });
  await engine.start();
  const trip = await engine.create('trips', { name: 'Bench' });
  const ids: string[] = [];
  for (let i = 0; i < 200; i++) ids.push(await engine.create('items', { trip_id: trip, name: `item ${i}` }));
  const times: number[] = [];
  for (let i = 0; i < edits; i++) {
    const t0 = performance.now();
    await engine.update('items', ids[i % ids.length]!, { quantity: (i % 50) + 1 });
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  console.log(`durable local edit (update, fake-indexeddb): n=${edits} p50=${percentile(times, 0.5).toFixed(2)} ms p95=${percentile(times, 0.95).toFixed(2)} ms max=${times[times.length - 1]!.toFixed(2)} ms`);
  await engine.stop();
}

async function pulledRows(): Promise<void> {
  const db = new PacksyncDb('bench-pull', { indexedDB: new IDBFactory(), IDBKeyRange });
  await db.open();
  const trip = crypto.randomUUID();
  const now = new Date().toISOString();
  const row = (i: number) => ({
    id: crypto.randomUUID(), version: 1, created_at: now, updated_at: now, deleted_at: null, created_by: null,
    trip_id: trip, person_id: null, name: `item ${i}`, category: 'misc', quantity: 1, packed: false, notes: '',
    day: null, rule_id: null, generated: null,
  });
  const pages = Math.ceil(pullRows / 1000);
  let page = 0;
  const transport = {
    pull: async () => {
      const changes = Array.from({ length: 1000 }, (_, i) => {
        const r = row(page * 1000 + i);
        return { entity: 'items' as const, id: r.id, trip_id: trip, op: 'upsert' as const, version: 1, row: r };
      });
      page++;
      return { changes, cursor: `v1:${page}:0`, has_more: page < pages };
    },
  } as unknown as Transport;
  const t0 = performance.now();
  const outcome = await pullUntilCaughtUp({ db, transport, userId: crypto.randomUUID() }, { cursor: 'v1:0:0' });
  const ms = performance.now() - t0;
  if (outcome.error) throw outcome.error;
  console.log(`pulled rows applied (fake-indexeddb): ${outcome.pulled} rows in ${ms.toFixed(0)} ms = ${Math.round(outcome.pulled / (ms / 1000))} rows/s`);
  db.close();
}

async function drainQueue(): Promise<void> {
  const alice = await signUp('bench');
  // Time spent waiting on the server's push answers, to tell it apart from the engine's own work.
  let serverMs = 0;
  const net = new Switch();
  const realFetch = net.fetch;
  net.fetch = async (input, init) => {
    const t = performance.now();
    try {
      return await realFetch(input, init);
    } finally {
      if (String(input).endsWith('/push')) serverMs += performance.now() - t;
    }
  };
  const d = await device(alice.client, { checksum: null }, new IDBFactory(), net);
  net.set(false);
  const trip = await d.engine.create('trips', { name: 'Drain' });
  const t0 = performance.now();
  for (let i = 0; i < drain; i++) await d.engine.create('items', { trip_id: trip, name: `thing ${i}` });
  const queued = performance.now() - t0;
  net.set(true);
  const t1 = performance.now();
  const summary = await d.engine.syncNow();
  const drained = performance.now() - t1;
  if (summary.error) throw summary.error;
  const timings = d.engine.metrics().timings;
  console.log(`queue ${drain} creates offline: ${queued.toFixed(0)} ms; drain: ${drained.toFixed(0)} ms ` +
    `(push total ${(timings.push_ms!.mean * timings.push_ms!.count).toFixed(0)} ms over ${timings.push_ms!.count} pushes, ` +
    `of which waiting for the server ${serverMs.toFixed(0)} ms; pull ${timings.pull_ms?.max.toFixed(0)} ms)`);
  await d.engine.stop();
  await closeDb();
}

function fakeAuth() {
  const session = { access_token: 'x', expires_at: Math.floor(Date.now() / 1000) + 3600, user: { id: crypto.randomUUID() } };
  return {
    getSession: async () => ({ data: { session }, error: null }),
    refreshSession: async () => ({ data: { session }, error: null }),
    onAuthStateChange: () => ({ data: { subscription: { unsubscribe() {} } } }),
  };
}

await localEdits();
await pulledRows();
if (drain > 0) await drainQueue();
