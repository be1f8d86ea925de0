// Measure 2: push over HTTP (gateway + sync function) ÷ the same pushes
// called straight on SQL, at concurrency 1 and 4, each worker its own user,
// trip and client, 500 new items a request. Both sides are timed from this
// process, request sent to answer read, commit included, so the ratio is what
// the HTTP layer costs. Variants alternate first/second round by round.
import { asUser, connect, createTrip, type Sql } from '../lib/db.ts';
import { callSync, newItemChanges, signUp, type ApiUser } from '../lib/http.ts';
import { rotate } from '../lib/rounds.ts';
import { figure, ratios } from '../lib/stats.ts';
import type { BenchContext, Figure, Measure } from '../lib/types.ts';

const BATCH = 500;
const ROUNDS = Number(process.env.PACKSYNC_BENCH_ROUNDS ?? 5);
const REQUESTS_PER_WORKER = 4;
const SINGLE_EDITS = 40;
const CONCURRENCY = [1, 4] as const;
type Variant = 'http' | 'sql';

interface Worker {
  user: ApiUser;
  trip: string;
  client: string;
}

/** Runs `perWorker` pushes on each worker at once; returns the wall time and every request's latency. */
async function burst(variant: Variant, workers: readonly Worker[], perWorker: number, ctx: BenchContext, sql: Sql) {
  const latencies: number[] = [];
  const t0 = performance.now();
  await Promise.all(workers.map(async (w) => {
    for (let i = 0; i < perWorker; i++) {
      const changes = newItemChanges(w.trip, BATCH, variant);
      const t = performance.now();
      if (variant === 'http') {
        await callSync(ctx, w.user.token, 'push', { client_id: w.client, changes });
      } else {
        await asUser(sql, w.user.id, (tx) => tx`select public.push_changes(${w.client}, ${tx.json(changes as never)})::text`);
      }
      latencies.push(performance.now() - t);
    }
  }));
  return { ms: performance.now() - t0, latencies };
}

export const pushHttp: Measure = {
  name: 'push_http',
  title: '2. Push over HTTP ÷ straight SQL',
  async run(ctx) {
    const maxWorkers = Math.max(...CONCURRENCY);
    const sql = connect(ctx.dbUrl, maxWorkers + 1);
    try {
      const stamp = Date.now();
      const workers: Worker[] = [];
      for (let i = 0; i < maxWorkers; i++) {
        const user = await signUp(ctx, `push-http-${stamp}-${i}@bench.test`);
        workers.push({ user, trip: await createTrip(sql, user.id, `HTTP bench ${i}`), client: crypto.randomUUID() });
      }
      // warm-up: every worker's connection, the function's pool, plans
      await burst('http', workers, 1, ctx, sql);
      await burst('sql', workers, 1, ctx, sql);
      const figures: Figure[] = [];
      for (const c of CONCURRENCY) {
        const active = workers.slice(0, c);
        const wall: Record<Variant, number[]> = { http: [], sql: [] };
        const latencies: Record<Variant, number[]> = { http: [], sql: [] };
        for (let r = 0; r < ROUNDS; r++) {
          for (const v of rotate<Variant>(['http', 'sql'], r)) {
            const out = await burst(v, active, REQUESTS_PER_WORKER, ctx, sql);
            wall[v].push(out.ms);
            latencies[v].push(...out.latencies);
          }
          ctx.progress(`concurrency ${c}: round ${r + 1}/${ROUNDS}: http/sql throughput ${(wall.sql.at(-1)! / wall.http.at(-1)!).toFixed(2)}`);
        }
        figures.push(figure({
          id: `push_http.c${c}.ratio`,
          label: `push over HTTP ÷ straight SQL, concurrency ${c}`,
          unit: '× SQL',
          samples: ratios(wall.sql, wall.http),
          goal: { direction: 'at_least', value: 0.8, source: 'issue #12' },
          baseline: `the same 500-change pushes through postgres.js from ${c} session(s), same rounds`,
        }));
        for (const [headline, q] of [['p50', 'p50'], ['p95', 'p95']] as const) {
          figures.push(figure({
            id: `push_http.c${c}.http_${q}`,
            label: `HTTP push request (500 changes), concurrency ${c}, ${q}`,
            unit: 'ms',
            headline,
            samples: latencies.http,
            baseline: `SQL ${q}: ${figure({ id: 'x', label: 'x', unit: 'ms', headline, samples: latencies.sql }).value.toFixed(1)} ms`,
          }));
        }
      }
      // One change a request, one at a time: the fixed cost of a call, which
      // bounds how fast a single edit can travel (measure 4).
      const single: Record<Variant, number[]> = { http: [], sql: [] };
      const w = workers[0]!;
      for (let r = 0; r < SINGLE_EDITS; r++) {
        for (const v of rotate<Variant>(['http', 'sql'], r)) {
          const changes = newItemChanges(w.trip, 1, 'single');
          const t = performance.now();
          if (v === 'http') await callSync(ctx, w.user.token, 'push', { client_id: w.client, changes });
          else await asUser(sql, w.user.id, (tx) => tx`select public.push_changes(${w.client}, ${tx.json(changes as never)})::text`);
          single[v].push(performance.now() - t);
        }
      }
      figures.push(figure({ id: 'push_http.single.http_p50', label: 'push of ONE change over HTTP, p50', unit: 'ms', headline: 'p50', samples: single.http,
        baseline: 'context for measure 4 (a write travelling to another device)' }));
      figures.push(figure({ id: 'push_http.single.sql_p50', label: 'push_changes of ONE change straight on SQL, p50', unit: 'ms', headline: 'p50', samples: single.sql,
        baseline: 'the fixed cost of a push_changes call, from this process (commit included)' }));
      return {
        figures,
        notes: [`${ROUNDS} rounds × ${REQUESTS_PER_WORKER} requests per worker per variant; each worker is its own signed-up user with its own trip, so workers do not contend on rows. Ratio = SQL wall time ÷ HTTP wall time of the same round.`],
        evidence: {},
      };
    } finally {
      await sql.end({ timeout: 5 });
    }
  },
};
