// The measures of the client engine in Chromium (3, 4, 6, 8): each signs up
// its own user, seeds through SQL, and drives the real engine (bundled from
// packages/sync) in one browser context per device.
import { launch, peakHeap, type BenchBrowser, type Device } from '../lib/browser.ts';
import { asUser, connect, createTrip, one, type Sql } from '../lib/db.ts';
import { BENCH_PASSWORD, callSync, signUp, type ApiUser } from '../lib/http.ts';
import { rotate } from '../lib/rounds.ts';
import { figure, ratios } from '../lib/stats.ts';
import type { BenchContext, Measure, MeasureOutput } from '../lib/types.ts';

const INITIAL_ROWS = 100_000;
const STREAM_EDITS = 200;
const LOCAL_EDITS = 500;
const QUEUE = 10_000;

async function seedItems(sql: Sql, user: string, trip: string, n: number): Promise<string[]> {
  const rows = await asUser(sql, user, (tx) => tx<{ id: string }[]>`insert into public.items (trip_id, name, quantity)
    select ${trip}, 'item ' || g, 1 from generate_series(1, ${n}) g returning id`);
  return rows.map((r) => r.id);
}

/** A signed-up user with one trip of n items, a browser, and cleanup. */
async function setting<T>(ctx: BenchContext, label: string, n: number, body: (s: { sql: Sql; user: ApiUser; trip: string; ids: string[]; browser: BenchBrowser; device: (stream: boolean) => Promise<Device> }) => Promise<T>): Promise<T> {
  const sql = connect(ctx.dbUrl, 2);
  const browser = await launch();
  try {
    const user = await signUp(ctx, `${label}-${Date.now()}@bench.test`);
    const trip = await createTrip(sql, user.id, `${label} trip`);
    if (n > 0) ctx.progress(`seeding ${n.toLocaleString('en-US')} items`);
    const ids = n > 0 ? await seedItems(sql, user.id, trip, n) : [];
    await sql`vacuum analyze public.items, public.change_log`;
    const device = async (stream: boolean) => {
      const d = await browser.device();
      await d.call('open', { url: ctx.apiUrl, anonKey: ctx.anonKey, email: user.email, password: BENCH_PASSWORD, stream });
      return d;
    };
    return await body({ sql, user, trip, ids, browser, device });
  } finally {
    await browser.close();
    await sql.end({ timeout: 5 });
  }
}

/** Pulls everything over HTTP from a null cursor, as the engine's first sync does, without a client behind it. */
async function pullAll(ctx: BenchContext, token: string): Promise<{ ms: number; rows: number }> {
  const t0 = performance.now();
  let cursor: string | null = null;
  let rows = 0;
  for (;;) {
    const page = JSON.parse(await callSync(ctx, token, 'pull', { cursor, limit: 1000 })) as { changes: unknown[]; cursor: string | null; has_more: boolean };
    rows += page.changes.length;
    cursor = page.cursor;
    if (!page.has_more) break;
  }
  return { ms: performance.now() - t0, rows };
}

export const initialSync: Measure = {
  name: 'initial_sync',
  title: '3. Initial sync of 100 000 rows into IndexedDB (Chromium, real engine)',
  run: (ctx) => setting(ctx, 'initial-sync', INITIAL_ROWS, async ({ user, device, browser }): Promise<MeasureOutput> => {
    const engine: number[] = [];
    const http: number[] = [];
    let landed = 0;
    for (let r = 0; r < 2; r++) {
      for (const v of rotate(['engine', 'http'] as const, r)) {
        if (v === 'http') {
          const out = await pullAll(ctx, user.token);
          http.push(out.rows / (out.ms / 1000));
          ctx.progress(`round ${r + 1}: HTTP pull alone: ${out.rows} rows in ${(out.ms / 1000).toFixed(1)} s`);
        } else {
          const d = await device(false);
          const out = await d.call('initialSync');
          await d.call('stop');
          await d.close();
          landed = out.items;
          if (out.items < INITIAL_ROWS) throw new Error(`initial sync left ${out.items} of ${INITIAL_ROWS} items in IndexedDB`);
          engine.push(out.items / (out.ms / 1000));
          ctx.progress(`round ${r + 1}: engine: ${out.items} items in IndexedDB in ${(out.ms / 1000).toFixed(1)} s`);
        }
      }
    }
    return {
      chromium: browser.version,
      figures: [
        figure({ id: 'initial_sync.rows_per_s', label: 'initial sync into IndexedDB, end to end', unit: 'rows/s', samples: engine,
          goal: { direction: 'at_least', value: 50_000, source: 'issue #12 (PowerSync publishes 27 600)' },
          baseline: 'the same pulls over HTTP without a client, same run (next figure)' }),
        figure({ id: 'initial_sync.http_pull_rows_per_s', label: 'the same pulls over HTTP alone (no client)', unit: 'rows/s', samples: http,
          baseline: 'server + function + HTTP: the ceiling for the engine' }),
        figure({ id: 'initial_sync.engine_share', label: 'engine end to end ÷ HTTP pull alone', unit: '× HTTP pull', samples: ratios(engine, http),
          baseline: 'how much the client adds on top of the server' }),
      ],
      notes: [`${landed.toLocaleString('en-US')} items (plus the trip and its membership) from a null cursor, 1000-row pages; engine time from start() to status.initialSync.done, counted in IndexedDB after. Two rounds, engine and HTTP-only alternating first.`],
      evidence: {},
    };
  }),
};

export const streamLatency: Measure = {
  name: 'stream_latency',
  title: '4. A write on device A → in device B\'s IndexedDB via the stream',
  run: (ctx) => setting(ctx, 'stream', 1, async ({ ids, device, browser }): Promise<MeasureOutput> => {
    const id = ids[0]!;
    const a = await device(true);
    const b = await device(true);
    await a.call('start');
    await b.call('start');
    const latencies: number[] = [];
    const warmUp = 5;
    for (let i = 0; i < STREAM_EDITS + warmUp; i++) {
      const quantity = 2 + i;
      await b.call('arm', id, quantity);
      const t0 = await a.call('edit', id, quantity);
      const t1 = await b.call('arrival');
      if (i >= warmUp) latencies.push(t1 - t0);
      if ((i + 1) % 50 === 0) ctx.progress(`${i + 1 - warmUp}/${STREAM_EDITS} edits`);
    }
    await a.call('stop');
    await b.call('stop');
    return {
      chromium: browser.version,
      figures: [
        figure({ id: 'stream_latency.p50', label: 'write on A → in B\'s IndexedDB, p50', unit: 'ms', headline: 'p50', samples: latencies,
          goal: { direction: 'at_most', value: 10, source: 'issue #12 (Electric publishes 6 ms)' } }),
        figure({ id: 'stream_latency.p99', label: 'write on A → in B\'s IndexedDB, p99', unit: 'ms', headline: 'p99', samples: latencies,
          goal: { direction: 'at_most', value: 100, source: 'issue #12' } }),
      ],
      notes: [`${STREAM_EDITS} edits of one item, one at a time after ${warmUp} warm-up edits; from just before A's engine.update() to B's engine.watch() seeing the new value (both devices are Chromium contexts of one browser, so their clocks are one). The path: A's local write, push over HTTP, commit, NOTIFY, the function's stream poke to B, B's pull, B's IndexedDB write, liveQuery.`],
      evidence: {},
    };
  }),
};

export const localEdit: Measure = {
  name: 'local_edit',
  title: '6. A durable local edit (row + outbox, one Dexie transaction)',
  run: (ctx) => setting(ctx, 'local-edit', 100, async ({ ids, device, browser }): Promise<MeasureOutput> => {
    const d = await device(false);
    await d.call('start');
    await d.call('edits', ids, 20); // warm-up
    const ms = await d.call('edits', ids, LOCAL_EDITS);
    await d.call('stop');
    return {
      chromium: browser.version,
      figures: [
        figure({ id: 'local_edit.p95', label: 'durable local edit (engine.update resolves), p95', unit: 'ms', headline: 'p95', samples: ms,
          goal: { direction: 'at_most', value: 3, source: 'issue #12' } }),
        figure({ id: 'local_edit.p50', label: 'durable local edit, p50', unit: 'ms', headline: 'p50', samples: ms }),
      ],
      notes: [`${LOCAL_EDITS} updates of 100 synced items, one at a time, online (the engine pushes behind them as the app's would).`],
      evidence: {},
    };
  }),
};

export const offlineQueue: Measure = {
  name: 'offline_queue',
  title: '8. A 10 000-change offline queue drained',
  run: (ctx) => setting(ctx, 'queue', 0, async ({ sql, trip, device, browser }): Promise<MeasureOutput> => {
    const d = await device(false);
    await d.call('start');
    const { result, peakBytes, startBytes } = await peakHeap(d.page, () => d.call('drain', trip, QUEUE));
    await d.call('stop');
    const { n } = one(await sql<{ n: number }[]>`select count(*)::int as n from public.items where trip_id = ${trip}`);
    if (result.pending !== 0 || n !== QUEUE) throw new Error(`drain left ${result.pending} queued; the server has ${n} of ${QUEUE}`);
    ctx.progress(`queued ${result.queued} in ${(result.queuedMs / 1000).toFixed(1)} s, drained in ${(result.ms / 1000).toFixed(1)} s`);
    return {
      chromium: browser.version,
      figures: [
        figure({ id: 'offline_queue.drain_s', label: `${QUEUE.toLocaleString('en-US')} queued changes drained (online → outbox empty)`, unit: 's', samples: [result.ms / 1000] }),
        figure({ id: 'offline_queue.changes_per_s', label: 'drain rate', unit: 'changes/s', samples: [QUEUE / (result.ms / 1000)] }),
        figure({ id: 'offline_queue.peak_heap_mb', label: 'the page\'s peak JS heap while draining', unit: 'MiB', samples: [peakBytes / 2 ** 20],
          baseline: `${(startBytes / 2 ** 20).toFixed(1)} MiB before going online (queue built)` }),
        figure({ id: 'offline_queue.queue_s', label: `queueing ${QUEUE.toLocaleString('en-US')} creates offline`, unit: 's', samples: [result.queuedMs / 1000] }),
      ],
      notes: ['The issue sets no goal for the drain: time and peak memory are reported. Heap sampled every 100 ms through the DevTools protocol (Performance.getMetrics JSHeapUsedSize). Every queued item is checked on the server afterwards.'],
      evidence: {},
    };
  }),
};
