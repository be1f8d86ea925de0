// The measures of the client engine in Chromium (3, 4, 6, 8): each signs up
// its own user, seeds through SQL, and drives the real engine (bundled from
// packages/sync) in one browser context per device.
import { launch, peakHeap, type BenchBrowser, type Device } from '../lib/browser.ts';
import { chromiumCpu, cpuSince, perThousand } from '../lib/cpu.ts';
import type { FloorWay } from '../browser/entry.ts';
import { asUser, connect, createTrip, one, type Sql } from '../lib/db.ts';
import { BENCH_PASSWORD, callSync, signUp, type ApiUser } from '../lib/http.ts';
import { rotate } from '../lib/rounds.ts';
import { describeRequests } from '../lib/server-log.ts';
import { figure, ratios, summarize } from '../lib/stats.ts';
import type { BenchContext, Measure, MeasureOutput } from '../lib/types.ts';

const INITIAL_ROWS = 100_000;
/** The engine's initial sync stops here when slower than this allows (the run must end within 20 minutes). */
const INITIAL_BUDGET_MS = Number(process.env.PACKSYNC_BENCH_INITIAL_BUDGET_S ?? 150) * 1000;
const STREAM_EDITS = 200;
const LOCAL_EDITS = 500;
const QUEUE = 10_000;
const CURVE_SLICE = 1000;
/** Rows per floor variant and round, and rounds (rotated). */
const VARIANT_ROWS = 10_000;
const VARIANT_ROUNDS = 3;
/** Ways of writing the same rows into IndexedDB, each against the engine's way (`default`) in the same rounds. */
const FLOOR_WAYS: [id: string, label: string, way: FloorWay][] = [
  ['default', 'the engine\'s way: a put per row, 1000 a transaction, default durability, trip_id index', {}],
  ['strict', 'durability \'strict\' (fsync before complete)', { durability: 'strict' }],
  ['relaxed', 'durability \'relaxed\' asked for explicitly', { durability: 'relaxed' }],
  ['add', 'add instead of put (the store is fresh)', { add: true }],
  ['no_index', 'no trip_id index', { index: false }],
  ['tx_100', '100 rows a transaction', { rowsPerTx: 100 }],
  ['tx_10000', '10 000 rows a transaction', { rowsPerTx: 10_000 }],
  ['in_flight_4', 'four transactions queued at once', { inFlight: 4 }],
  ['dexie', 'Dexie bulkPut (the engine\'s library) instead of raw puts', { dexie: true }],
  ['packed_100', '100 rows packed into one record (a different storage layout)', { rowsPerRecord: 100 }],
];

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
    // HTTP alone, the engine, HTTP alone again: the engine run is long, so one,
    // with the baseline taken on both sides of it.
    const http: number[] = [];
    const httpPull = async (label: string) => {
      const out = await pullAll(ctx, user.token);
      http.push(out.rows / (out.ms / 1000));
      ctx.progress(`HTTP pull alone (${label}): ${out.rows} rows in ${(out.ms / 1000).toFixed(1)} s`);
    };
    await httpPull('before');
    const d = await device(false);
    const mark = ctx.serverLog.mark();
    const cpu0 = chromiumCpu();
    const out = await d.call('initialSync', INITIAL_BUDGET_MS);
    const engineCpu = cpuSince(cpu0);
    const split = describeRequests(ctx.serverLog.since(mark, user.id), out.ms);
    const engine = [out.items / (out.ms / 1000)];
    const timings = await d.call('metrics');
    // The floor, in the same page right after: bare IndexedDB puts of as many rows of the same shape.
    const cpu1 = chromiumCpu();
    const floorMs = await d.call('idbFloor', out.items);
    const floorCpu = cpuSince(cpu1);
    const floor = [out.items / (floorMs / 1000)];
    ctx.progress(`IndexedDB floor: ${out.items} bare puts in ${(floorMs / 1000).toFixed(1)} s`);
    // Other ways of writing the same rows, rotated rounds each beside the engine's way.
    const rates = new Map<string, number[]>();
    const wayCpu = new Map<string, string>();
    for (let r = 0; r < VARIANT_ROUNDS; r++) {
      for (const [id, , way] of rotate(FLOOR_WAYS, r)) {
        const c = chromiumCpu();
        const ms = await d.call('idbFloor', VARIANT_ROWS, way);
        if (r === VARIANT_ROUNDS - 1) wayCpu.set(id, perThousand(cpuSince(c), VARIANT_ROWS));
        rates.set(id, [...(rates.get(id) ?? []), VARIANT_ROWS / (ms / 1000)]);
      }
    }
    const median = (xs: number[]) => figure({ id: 'x', label: 'x', unit: 'rows/s', samples: xs }).value;
    ctx.progress(`floor variants (median rows/s): ${FLOOR_WAYS.map(([id]) => `${id} ${Math.round(median(rates.get(id)!))}`).join(', ')}`);
    await d.call('stop');
    await d.close();
    ctx.progress(`engine: ${out.items} items in IndexedDB in ${(out.ms / 1000).toFixed(1)} s${out.done ? '' : ' (budget spent, not done)'}`);
    if (out.done && out.items < INITIAL_ROWS) throw new Error(`initial sync left ${out.items} of ${INITIAL_ROWS} items in IndexedDB`);
    await httpPull('after');
    const httpMedian = figure({ id: 'x', label: 'x', unit: 'rows/s', samples: http }).value;
    const reference = rates.get('default')!;
    return {
      chromium: browser.version,
      figures: [
        figure({ id: 'initial_sync.rows_per_s', label: 'initial sync into IndexedDB, end to end', unit: 'rows/s', samples: engine,
          goal: { direction: 'at_least', value: 50_000, source: 'issue #12 (PowerSync publishes 27 600)' },
          baseline: 'the same pulls over HTTP without a client, same run (next figure)' }),
        figure({ id: 'initial_sync.http_pull_rows_per_s', label: 'the same pulls over HTTP alone (no client)', unit: 'rows/s', samples: http,
          baseline: 'server + function + HTTP: the ceiling for the engine' }),
        figure({ id: 'initial_sync.engine_share', label: 'engine end to end ÷ HTTP pull alone', unit: '× HTTP pull', samples: ratios(engine, [httpMedian]),
          baseline: 'how much of the server\'s pace the client keeps' }),
        figure({ id: 'initial_sync.idb_floor_rows_per_s', label: 'bare IndexedDB puts of as many rows (no network, no engine)', unit: 'rows/s', samples: floor,
          baseline: 'a put per row, 1000 a transaction, default durability, trip_id index: the engine\'s schema and way; the floor_way figures try others against it' }),
        figure({ id: 'initial_sync.engine_vs_idb_floor', label: 'engine end to end ÷ bare IndexedDB puts', unit: '× floor', samples: ratios(engine, floor),
          baseline: 'how close the engine (network, parse, overlay, cursor) comes to writing the rows alone' }),
        figure({ id: 'initial_sync.engine_cpu_ms_per_1000', label: 'Chromium CPU per 1000 rows, engine (renderer + browser process)', unit: 'ms',
          samples: [(engineCpu.renderer + engineCpu.browser) / (out.items / 1000)], baseline: `${perThousand(engineCpu, out.items)}; the floor: ${perThousand(floorCpu, out.items)}` }),
        figure({ id: 'initial_sync.idb_floor_cpu_ms_per_1000', label: 'Chromium CPU per 1000 rows, bare IndexedDB puts', unit: 'ms',
          samples: [(floorCpu.renderer + floorCpu.browser) / (out.items / 1000)], baseline: perThousand(floorCpu, out.items) }),
        ...FLOOR_WAYS.filter(([id]) => id !== 'default').map(([id, label]) => figure({
          id: `initial_sync.floor_way.${id}`, label: `IndexedDB floor written another way: ${label}`, unit: '× the engine\'s way',
          samples: ratios(rates.get(id)!, reference),
          baseline: `${Math.round(median(rates.get(id)!))} rows/s vs ${Math.round(median(reference))} (medians of ${VARIANT_ROUNDS} rounds of ${VARIANT_ROWS.toLocaleString('en-US')} rows); Chromium CPU per 1000 rows (last round) ${wayCpu.get(id)} vs ${wayCpu.get('default')}`,
        })),
      ],
      notes: [
        `${INITIAL_ROWS.toLocaleString('en-US')} items (plus the trip and its membership) from a null cursor in 1000-row pages; engine time from start() to status.initialSync.done, items counted in IndexedDB after. HTTP alone before and after the engine run.`,
        `Where the engine's time went: ${split}.`,
        'Chromium CPU is read from /proc for the browser\'s processes (bench/lib/cpu.ts): the renderer runs the page (the engine, JSON, structured clone, one request object per put), the browser process IndexedDB\'s backing store. Every put costs both sides a fixed amount whatever the row\'s size, so packing rows into fewer records (floor_way.packed_100) is the only way here well past the floor; of the other ways only dropping the index or Dexie changes the CPU a row costs (see each figure\'s CPU), and their wall-clock ratios scatter around 1 on a loaded machine. Chromium ≥ 121 commits readwrite transactions with relaxed durability by default (no fsync), so default and relaxed are the same; the engine asks for relaxed for pulled pages and push results and strict for everything else (edits).',
        ...(out.done ? [] : [`The engine run was stopped after ${INITIAL_BUDGET_MS / 1000} s with ${out.items.toLocaleString('en-US')} of ${INITIAL_ROWS.toLocaleString('en-US')} items in IndexedDB; the figure is the rate over those (the pages are alike, so the rate holds for the rest).`]),
      ],
      evidence: { 'engine metrics after the initial sync (pull_ms is the whole catch-up)': JSON.stringify(timings, null, 2) },
    };
  }),
};

export const streamLatency: Measure = {
  name: 'stream_latency',
  title: '4. A write on device A → in device B\'s IndexedDB via the stream',
  run: (ctx) => setting(ctx, 'stream', 1, async ({ user, ids, device, browser }): Promise<MeasureOutput> => {
    const id = ids[0]!;
    const a = await device(true);
    const b = await device(true);
    await a.call('start');
    await b.call('start');
    const latencies: number[] = [];
    const legs = new Map<string, number[]>();
    const warmUp = 5;
    let mark = 0;
    for (let i = 0; i < STREAM_EDITS + warmUp; i++) {
      const quantity = 2 + i;
      if (i === warmUp) mark = ctx.serverLog.mark();
      await a.call('takeTrace');
      await b.call('takeTrace');
      await b.call('arm', id, quantity);
      const t0 = await a.call('edit', id, quantity);
      const t1 = await b.call('arrival');
      if (i >= warmUp) {
        latencies.push(t1 - t0);
        for (const [leg, ms] of breakdown(t0, t1, await a.call('takeTrace'), await b.call('takeTrace'))) {
          legs.set(leg, [...(legs.get(leg) ?? []), ms]);
        }
      }
      if ((i + 1) % 50 === 0) ctx.progress(`${i + 1 - warmUp}/${STREAM_EDITS} edits`);
    }
    const legText = [...legs].map(([leg, ms]) => `${leg} ${summarize(ms).median.toFixed(1)}`).join(', ');
    ctx.progress(`legs (p50 ms): ${legText}`);
    const engineTimings = { deviceA: await a.call('metrics'), deviceB: await b.call('metrics') };
    const split = describeRequests(ctx.serverLog.since(mark, user.id), latencies.reduce((x, y) => x + y, 0));
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
      notes: [`${STREAM_EDITS} edits of one item, one at a time after ${warmUp} warm-up edits; from just before A's engine.update() to B's engine.watch() seeing the new value (both devices are Chromium contexts of one browser, so their clocks are one). The path: A's local write, push over HTTP, commit, NOTIFY, the function's stream poke to B, B's pull, B's IndexedDB write, liveQuery.`,
        `Over the ${STREAM_EDITS} edits: ${split}.`,
        `The path leg by leg, p50 ms over the edits (page timestamps: A's fetch and B's, pokes as B's engine reads them, B's IndexedDB commit): ${legText}.`],
      evidence: { 'engine metrics of both devices after the edits (push_ms on A and pull_ms on B are the two legs)': JSON.stringify(engineTimings, null, 2) },
    };
  }),
};

type Trace = { kind: string; at: number }[];

/**
 * One edit's path, leg by leg, from both pages' traces (bench/browser/entry.ts):
 * A's edit → A's push sent → answered → poke read on B → B's pull sent →
 * answered → B's commit of items → B's watch sees it. A leg whose end is
 * missing (say B pulled before a poke came) is left out of that edit.
 */
function breakdown(t0: number, arrived: number, a: Trace, b: Trace): [string, number][] {
  const first = (trace: Trace, kind: string, after: number) => trace.find((e) => e.kind === kind && e.at >= after)?.at;
  const points: [string, number | undefined][] = [['start', t0]];
  const at = (name: string, trace: Trace, kind: string) => {
    const after = points[points.length - 1]![1] ?? t0;
    points.push([name, first(trace, kind, after)]);
  };
  at('edit', a, 'edit_done');
  at('to push sent', a, 'push_sent');
  at('push', a, 'push_answered');
  points.push(['poke on B after push answered', first(b, 'poke', points[3]![1] ?? t0)]);
  at('B pull sent after poke', b, 'pull_sent');
  at('B pull', b, 'pull_answered');
  at('B commit', b, 'items_committed');
  points.push(['B watch', arrived]);
  const out: [string, number][] = [];
  for (let i = 1; i < points.length; i++) {
    const [name, end] = points[i]!;
    const start = points[i - 1]![1];
    if (end !== undefined && start !== undefined) out.push([name, end - start]);
  }
  // The poke may come before A hears its push answered: from push sent.
  const sent = points[2]![1];
  const poke = b.find((e) => e.kind === 'poke' && e.at >= (sent ?? t0))?.at;
  if (sent !== undefined && poke !== undefined) out.push(['poke on B after push sent', poke - sent]);
  out.push(['A pulls', a.filter((e) => e.kind === 'pull_sent').length]);
  return out;
}

export const localEdit: Measure = {
  name: 'local_edit',
  title: '6. A durable local edit (row + outbox, one Dexie transaction)',
  run: (ctx) => setting(ctx, 'local-edit', 100, async ({ sql, ids, device, browser }): Promise<MeasureOutput> => {
    const d = await device(false);
    await d.call('start');
    await d.call('edits', ids, 20); // warm-up
    await d.call('floorEdits', 20);
    // As the app runs: the stream live, so a cycle behind an edit pushes and
    // does not pull (pokes ask for pulls). Another user with a trip of its
    // own, so the first device's pushes poke nobody here.
    const liveUser = await signUp(ctx, `local-edit-live-${Date.now()}@bench.test`);
    const liveIds = await seedItems(sql, liveUser.id, await createTrip(sql, liveUser.id, 'live trip'), 100);
    const l = await browser.device();
    await l.call('open', { url: ctx.apiUrl, anonKey: ctx.anonKey, email: liveUser.email, password: BENCH_PASSWORD, stream: true });
    await l.call('start');
    await l.call('edits', liveIds, 20); // warm-up
    // rotated: online engine, offline engine (nothing syncing behind the edits), the bare Dexie floor, online with the stream
    const online: number[] = [];
    const offline: number[] = [];
    const floor: number[] = [];
    const live: number[] = [];
    for (let r = 0; r < 3; r++) {
      for (const v of rotate(['online', 'offline', 'floor', 'live'] as const, r)) {
        const n = Math.ceil(LOCAL_EDITS / 3);
        if (v === 'floor') floor.push(...(await d.call('floorEdits', n)));
        else if (v === 'live') live.push(...(await l.call('edits', liveIds, n)));
        else {
          await d.call('network', v === 'online');
          (v === 'online' ? online : offline).push(...(await d.call('edits', ids, n)));
        }
      }
    }
    await d.call('network', true);
    await d.call('syncNow');
    await d.call('stop');
    await l.call('syncNow');
    await l.call('stop');
    const ms = online;
    const p95 = (xs: number[]) => figure({ id: 'x', label: 'x', unit: 'ms', headline: 'p95', samples: xs }).value;
    return {
      chromium: browser.version,
      figures: [
        figure({ id: 'local_edit.p95', label: 'durable local edit (engine.update resolves), p95', unit: 'ms', headline: 'p95', samples: ms,
          goal: { direction: 'at_most', value: 3, source: 'issue #12' } }),
        figure({ id: 'local_edit.p50', label: 'durable local edit, p50', unit: 'ms', headline: 'p50', samples: ms }),
        figure({ id: 'local_edit.offline_p95', label: 'durable local edit offline (no sync behind it), p95', unit: 'ms', headline: 'p95', samples: offline,
          goal: { direction: 'at_most', value: 3, source: 'issue #12' } }),
        figure({ id: 'local_edit.live_p95', label: 'durable local edit with sync and the stream live (as the app runs), p95', unit: 'ms', headline: 'p95', samples: live,
          goal: { direction: 'at_most', value: 3, source: 'issue #12' } }),
        figure({ id: 'local_edit.floor_p95', label: 'floor: bare Dexie transaction (row put + outbox add), p95', unit: 'ms', headline: 'p95', samples: floor,
          baseline: 'same page, same rounds: what IndexedDB itself costs' }),
        figure({ id: 'local_edit.vs_floor', label: 'engine edit p95 ÷ bare Dexie floor p95 (online)', unit: '× floor', samples: [p95(online) / p95(floor)] }),
      ],
      notes: [`${LOCAL_EDITS} updates of 100 synced items in three rotated rounds of four variants: the engine online without the stream (it pushes behind the edits and, with no stream to poke it, pulls after each push), the engine offline, a bare Dexie transaction writing a row and an outbox entry in a database of its own, and the engine online with its stream live (another user and trip, another browser context: pushes behind the edits, no pull unless poked), as the app runs.`],
      evidence: {},
    };
  }),
};

export const offlineQueue: Measure = {
  name: 'offline_queue',
  title: '8. A 10 000-change offline queue drained',
  run: (ctx) => setting(ctx, 'queue', 0, async ({ sql, user, trip, device, browser }): Promise<MeasureOutput> => {
    const d = await device(false);
    await d.call('start');
    // Queueing through engine.create, timed per slice: does a create cost more as the queue grows?
    const { perSlice: curve, queued } = await d.call('queue', trip, QUEUE, CURVE_SLICE);
    if (queued !== QUEUE) throw new Error(`queued ${queued} of ${QUEUE}`);
    ctx.progress(`queued ${queued} changes offline: ${curve.map((x) => x.toFixed(1)).join(' → ')} ms a create, per ${CURVE_SLICE}`);
    const mark = ctx.serverLog.mark();
    const cpu0 = chromiumCpu();
    const { result, peakBytes, startBytes } = await peakHeap(d.page, () => d.call('drain'));
    const drainCpu = cpuSince(cpu0);
    const split = describeRequests(ctx.serverLog.since(mark, user.id), result.ms);
    const timings = await d.call('metrics');
    await d.call('stop');
    const { n } = one(await sql<{ n: number }[]>`select count(*)::int as n from public.items where trip_id = ${trip}`);
    if (result.pending !== 0 || n !== QUEUE) throw new Error(`drain left ${result.pending} queued; the server has ${n} of ${QUEUE}`);
    ctx.progress(`drained ${result.queued} in ${(result.ms / 1000).toFixed(1)} s`);
    return {
      chromium: browser.version,
      figures: [
        figure({ id: 'offline_queue.drain_s', label: `${QUEUE.toLocaleString('en-US')} queued changes drained (online → outbox empty)`, unit: 's', samples: [result.ms / 1000] }),
        figure({ id: 'offline_queue.changes_per_s', label: 'drain rate', unit: 'changes/s', samples: [QUEUE / (result.ms / 1000)] }),
        figure({ id: 'offline_queue.chromium_cpu_ms_per_1000', label: 'Chromium CPU per 1000 changes drained (renderer + browser process)', unit: 'ms',
          samples: [(drainCpu.renderer + drainCpu.browser) / (QUEUE / 1000)], baseline: perThousand(drainCpu, QUEUE) }),
        figure({ id: 'offline_queue.create_ms', label: 'queueing offline: engine.create, mean per slice of 1000', unit: 'ms', samples: curve }),
        figure({ id: 'offline_queue.peak_heap_mb', label: 'the page\'s peak JS heap while draining', unit: 'MiB', samples: [peakBytes / 2 ** 20],
          baseline: `${(startBytes / 2 ** 20).toFixed(1)} MiB before going online (queue built)` }),
        figure({ id: 'offline_queue.create_slowdown', label: `engine.create offline: ms a create at queue depth ${QUEUE - CURVE_SLICE}–${QUEUE} ÷ at 0–${CURVE_SLICE}`, unit: '×',
          samples: [curve.at(-1)! / curve[0]!], goal: { direction: 'at_most', value: 1.2, source: 'bench: queueing must not slow as the queue grows' },
          baseline: `ms a create per slice of ${CURVE_SLICE}: ${curve.map((x) => x.toFixed(1)).join(', ')}` }),
      ],
      notes: [
        `Where the drain's time went: ${split}.`,
        'The issue sets no goal for the drain: time and peak memory are reported. Heap sampled every 100 ms through the DevTools protocol (Performance.getMetrics JSHeapUsedSize). Every queued item is checked on the server afterwards.',
        `Queue: ${QUEUE.toLocaleString('en-US')} engine.create calls offline, timed per slice of ${CURVE_SLICE} (create_ms, create_slowdown); the drain starts when the network comes back.`,
      ],
      evidence: { 'engine metrics after the drain (push_take_ms, push_request_ms and push_apply_ms overlap: the push is pipelined)': JSON.stringify(timings, null, 2) },
    };
  }),
};
