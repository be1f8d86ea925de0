// Measure 1: push_changes ÷ the write-with-audit floor, for three shapes of
// 500-change batches, variants rotated round by round so drift and neighbours'
// load hit them alike. The ratio is the floor's time over push's time in the
// same round (throughput of push as a share of the floor's).
import path from 'node:path';
import { repoRoot } from '../../packages/stack/src/index.ts';
import { asUser, connect, createTrip, createUser, one, runFile, type Sql } from '../lib/db.ts';
import { byDuration, nestedPlans } from '../lib/explain.ts';
import { figure, ratios, sum } from '../lib/stats.ts';
import type { Figure, Measure } from '../lib/types.ts';
import { rotate } from '../lib/rounds.ts';

const BATCH = 500;
const ROUNDS = Number(process.env.PACKSYNC_BENCH_ROUNDS ?? 5);
const BATCHES_PER_ROUND = Number(process.env.PACKSYNC_BENCH_BATCHES ?? 6);
const SEED_ITEMS = 50_000;

type Variant = 'push' | 'floor' | 'bare' | 'shipped';
type Shape = 'new' | 'mixed' | 'merged';
const VARIANTS: Variant[] = ['push', 'floor', 'bare', 'shipped'];
const SHAPES: { shape: Shape; goal: number; expected: string }[] = [
  { shape: 'new', goal: 0.45, expected: 'applied' },
  { shape: 'mixed', goal: 0.45, expected: 'applied' },
  { shape: 'merged', goal: 0.35, expected: 'merged' },
];
const LABEL: Record<Variant, string> = {
  push: 'push_changes',
  floor: 'floor (upsert + log CTE)',
  bare: 'bare upsert alone',
  shipped: 'items as shipped (upsert, triggers on)',
};

/** Seeds 50 000 items and ~100 000 log rows, and the floor's copies of both. */
async function seed(sql: Sql, progress: (l: string) => void) {
  await runFile(sql, path.join(repoRoot, 'bench', 'sql', 'push-floor.sql'));
  const user = await createUser(sql, `push-floor-${Date.now()}@bench.test`);
  const trip = await createTrip(sql, user, 'Push floor bench');
  progress(`seeding ${SEED_ITEMS} items (and their log rows)`);
  await asUser(sql, user, async (tx) => {
    await tx`insert into public.items (trip_id, name, quantity)
      select ${trip}, 'seed ' || g, 1 + g % 5 from generate_series(1, ${SEED_ITEMS}) g`;
  });
  // a second log row per item: the log is twice the table, as after some use
  await asUser(sql, user, async (tx) => {
    await tx`update public.items set notes = 'seeded' where trip_id = ${trip}`;
  });
  await sql`insert into bench.items_floor select * from public.items where trip_id = ${trip}`;
  await sql`insert into bench.items_bare select * from public.items where trip_id = ${trip}`;
  await sql`insert into bench.log_floor overriding system value select * from public.change_log`;
  await sql`select setval(pg_get_serial_sequence('bench.log_floor', 'seq'), (select max(seq) from bench.log_floor))`;
  await sql`vacuum analyze public.items, public.change_log, bench.items_floor, bench.items_bare, bench.log_floor`;
  const { items, log } = one(await sql<{ items: number; log: number }[]>`
    select (select count(*)::int from public.items) as items, (select count(*)::int from public.change_log) as log`);
  progress(`seeded: ${items} items, ${log} log rows`);
  // What a row costs on disk, table and indexes (for docs/scaling.md).
  const bytes = one(await sql<{ item: number; log: number }[]>`
    select round(pg_total_relation_size('public.items')::numeric / ${items})::int as item,
      round(pg_total_relation_size('public.change_log')::numeric / ${log})::int as log`);
  return { user, trip, items, log, bytes };
}

async function batch(sql: Sql, user: string, trip: string, client: string, variant: Variant, shape: Shape, expected: string): Promise<number> {
  const input = await asUser(sql, user, async (tx) => {
    return one(await tx<{ input: unknown }[]>`select bench.prepare(${variant}, ${shape}, ${trip}, ${BATCH}) as input`).input;
  });
  return asUser(sql, user, async (tx) => {
    const allFields = shape !== 'merged';
    const rows = variant === 'push'
      ? await tx<{ ms: number }[]>`select bench.timed_push(${client}, ${tx.json(input as never)}, ${expected}) as ms`
      : await tx<{ ms: number }[]>`select ${tx.unsafe(`bench.timed_${variant}`)}(${trip}, ${tx.json(input as never)}, ${allFields}) as ms`;
    return one(rows).ms;
  });
}

export const pushFloor: Measure = {
  name: 'push_floor',
  title: '1. push_changes ÷ the write-with-audit floor',
  async run(ctx) {
    const sql = connect(ctx.dbUrl, 2);
    try {
      const seeded = await seed(sql, ctx.progress);
      const client = crypto.randomUUID();
      const figures: Figure[] = [];
      const notes: string[] = [];
      for (const { shape, goal, expected } of SHAPES) {
        // warm-up: one untimed batch per variant (plans, caches)
        for (const v of VARIANTS) await batch(sql, seeded.user, seeded.trip, client, v, shape, expected);
        const perRound: Record<Variant, number[]> = { push: [], floor: [], bare: [], shipped: [] };
        for (let r = 0; r < ROUNDS; r++) {
          const order = rotate(VARIANTS, r);
          const times: Record<Variant, number[]> = { push: [], floor: [], bare: [], shipped: [] };
          for (let b = 0; b < BATCHES_PER_ROUND; b++) {
            for (const v of order) times[v].push(await batch(sql, seeded.user, seeded.trip, client, v, shape, expected));
          }
          for (const v of VARIANTS) perRound[v].push(sum(times[v]));
          ctx.progress(`${shape}: round ${r + 1}/${ROUNDS} (order ${order.join(', ')}): push/floor ${(sum(times.floor) / sum(times.push)).toFixed(2)}`);
        }
        figures.push(figure({
          id: `push_floor.${shape}.ratio`,
          label: `push ÷ floor, ${shape} (${BATCH}-change batches)`,
          unit: '× floor',
          samples: ratios(perRound.floor, perRound.push),
          goal: { direction: 'at_least', value: goal, source: 'issue #12' },
          baseline: `floor: upsert + log CTE into logged copies, same run, ${ROUNDS} rotated rounds × ${BATCHES_PER_ROUND} batches`,
        }));
        const rowsPerRound = BATCH * BATCHES_PER_ROUND;
        for (const v of VARIANTS) {
          figures.push(figure({
            id: `push_floor.${shape}.${v}`,
            label: `${LABEL[v]}, ${shape}`,
            unit: 'rows/s',
            samples: perRound[v].map((ms) => rowsPerRound / (ms / 1000)),
            baseline: 'server-side time of the statement; context for the ratio',
          }));
        }
      }
      notes.push(`On disk after seeding (table + indexes): ${seeded.bytes.item} bytes an item, ${seeded.bytes.log} bytes a log row (an insert's log row carries the new values, an update's the changed ones).`);
      notes.push(`Seeded ${seeded.items} items and ${seeded.log} log rows before the first batch; each batch is its own transaction, timed inside the server (clock_timestamp around the one statement), commit excluded for every variant.`);
      notes.push('Floor = one INSERT … SELECT FROM unnest(…) ON CONFLICT DO UPDATE into a logged copy of items without triggers, RLS or foreign keys, plus a data-modifying CTE writing one log row per written row (entity, row, trip, op, version, actor, client, change id, changed fields, new values) into a copy of change_log with its indexes.');
      // Where a push's time goes: every nested statement of one more push per
      // shape (auto_explain, timing on; rolled back).
      const evidence: Record<string, string> = {};
      for (const { shape } of SHAPES) {
        const input = await asUser(sql, seeded.user, async (tx) =>
          one(await tx<{ input: unknown }[]>`select bench.prepare('push', ${shape}, ${seeded.trip}, ${BATCH})::text as input`).input);
        const { plans } = await nestedPlans(ctx.dbUrl, seeded.user,
          `select public.push_changes('${client}', '${String(input).replace(/'/g, "''")}'::jsonb) is not null`, { buffers: false });
        evidence[`push_changes, ${shape}: nested statements by time (auto_explain)`] = byDuration(plans);
      }
      return { figures, notes, evidence };
    } finally {
      await sql.end({ timeout: 5 });
    }
  },
};
