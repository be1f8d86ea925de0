// Measure 5: what a pull costs with a 1 000 000-row change log ÷ with a
// 10 000-row log, same caller, same page size. The log grows in place and
// shrinks back (small, big, small); each phase takes many interleaved samples
// of four kinds of pull, and the buffer counts of
// EXPLAIN (ANALYZE, BUFFERS), which do not depend on the machine's load, are
// kept beside the times.
import path from 'node:path';
import { repoRoot } from '../../packages/stack/src/index.ts';
import { asUser, connect, createTrip, createUser, one, runFile, type Sql } from '../lib/db.ts';
import { nestedPlans } from '../lib/explain.ts';
import { figure, ratios } from '../lib/stats.ts';
import type { Figure, Measure } from '../lib/types.ts';

const PAGE = 1000;
const CALLER_ITEMS = 3000;
const SMALL = 10_000;
const BIG = 1_000_000;
const REPS = Number(process.env.PACKSYNC_BENCH_PULL_REPS ?? 30);

type Pull = 'page' | 'poll' | 'snapshot' | 'invited';
const PULLS: { pull: Pull; label: string }[] = [
  { pull: 'page', label: 'incremental page (1000 of the caller\'s 3000 new changes)' },
  { pull: 'poll', label: 'poll with nothing new' },
  { pull: 'snapshot', label: 'first snapshot page (null cursor)' },
  // The invitee's preview reads the trip row's log only (its partial index),
  // not the 3000 items written after the invitation.
  { pull: 'invited', label: 'an invitee\'s incremental pull (the trip\'s rename after its 3000 new items)' },
];

async function logRows(sql: Sql): Promise<number> {
  return one(await sql<{ n: number }[]>`select count(*)::int as n from public.change_log`).n;
}

/** Median server-side time of each pull kind, REPS samples each, kinds interleaved. */
async function sample(sql: Sql, users: Record<Pull, string>, cursors: Record<Pull, string | null>) {
  const times: Record<Pull, number[]> = { page: [], poll: [], snapshot: [], invited: [] };
  const served: Record<Pull, number> = { page: 0, poll: 0, snapshot: 0, invited: 0 };
  for (let i = 0; i < REPS; i++) {
    for (const { pull } of PULLS) {
      const row = await asUser(sql, users[pull], async (tx) =>
        one(await tx<{ ms: number; served: number }[]>`select * from bench.timed_pull(${cursors[pull]}, ${PAGE})`));
      times[pull].push(row.ms);
      served[pull] = row.served;
    }
  }
  return { times, served };
}

/** The plan of every statement inside pull_changes (auto_explain), and the call's total buffers. */
async function explain(dbUrl: string, user: string, cursor: string | null): Promise<string> {
  const { plans, rows } = await nestedPlans(dbUrl, user,
    `explain (analyze, buffers) select public.pull_changes(${cursor === null ? 'null' : `'${cursor}'`}, ${PAGE})`);
  const top = rows.map((r) => String(r['QUERY PLAN'])).join('\n');
  // The nested plans, then the call itself (its buffers include the nested statements').
  return [...plans, '-- the call:', top].join('\n\n');
}

function buffersOf(plan: string): number {
  // The last "Buffers:" line is the top-level call's total.
  const lines = plan.split('\n').filter((l) => l.includes('Buffers:'));
  const last = lines.at(-1) ?? '';
  const hit = Number(/shared hit=(\d+)/.exec(last)?.[1] ?? 0);
  const read = Number(/read=(\d+)/.exec(last)?.[1] ?? 0);
  return hit + read;
}

export const pullCost: Measure = {
  name: 'pull_cost',
  title: '5. Pull cost: 1 000 000-row log ÷ 10 000-row log',
  runFirst: true,
  async run(ctx) {
    const sql = connect(ctx.dbUrl, 2);
    try {
      await runFile(sql, path.join(repoRoot, 'bench', 'sql', 'pull-cost.sql'));
      const before = await logRows(sql);
      // half the small log before the caller's rows, half after
      const fillerXid = () => sql<{ x: string }[]>`select pg_current_xact_id()::text as x`.then((r) => BigInt(one(r).x));
      const xidStart = await fillerXid();
      const user = await createUser(sql, `pull-cost-${Date.now()}@bench.test`);
      const trip = await createTrip(sql, user, 'Pull bench');
      const inviteeEmail = `pull-cost-invitee-${Date.now()}@bench.test`;
      const invitee = await createUser(sql, inviteeEmail);
      await asUser(sql, user, (tx) => tx`select public.invite_member(${trip}, ${inviteeEmail}, 'viewer')`);
      const invitedAt = one(await sql<{ xid: string; seq: string }[]>`
        select xid::text, seq::text from public.change_log where trip_id = ${trip} and member_user_id = ${invitee}`);
      await asUser(sql, user, (tx) => tx`insert into public.items (trip_id, name, quantity)
        select ${trip}, 'item ' || g, 1 from generate_series(1, ${CALLER_ITEMS}) g`);
      await asUser(sql, user, (tx) => tx`update public.trips set name = 'Pull bench, renamed' where id = ${trip}`);
      // (the trip's creation, not its first item: the invitation sits between)
      const createdAt = one(await sql<{ xid: string }[]>`
        select xid::text from public.change_log where row_id = ${trip} and entity = 'trips' and op = 'insert'`);
      const xidEnd = await fillerXid();
      const callerRows = (await logRows(sql)) - before;
      const fill = async (rows: number) => {
        if (rows > 0) await sql`select bench.fill_log(${rows}, ${String(xidStart)}, ${String(xidEnd)})`;
        await sql`vacuum analyze public.change_log`;
      };
      if (before + callerRows > SMALL) throw new Error(`the log already has ${before + callerRows} rows; pull_cost needs it under ${SMALL} (it runs first)`);
      await fill(SMALL - before - callerRows);
      // cursors: just before the caller's trip; after everything (the poll);
      // the invitee's just after their invitation
      const end = one(await sql<{ xid: string; seq: string }[]>`select max(xid)::text as xid, max(seq)::text as seq from public.change_log`);
      const cursors: Record<Pull, string | null> = {
        page: `v1:${BigInt(createdAt.xid) - 1n}:0`,
        poll: `v1:${end.xid}:${end.seq}`,
        snapshot: null,
        invited: `v1:${invitedAt.xid}:${invitedAt.seq}`,
      };
      const users: Record<Pull, string> = { page: user, poll: user, snapshot: user, invited: invitee };
      // warm-up: plans and caches
      await sample(sql, users, cursors);

      // small, big, small again (the big log's filler deleted): the small
      // log's samples come from both sides of the big one, so drift in the
      // machine's load does not land on one side of the ratio.
      const phases: { rows: number; times: Record<Pull, number[]>; served: Record<Pull, number>; plan: string; invitedPlan: string }[] = [];
      let size = { total: '?', per_row: 0 };
      const smallMaxSeq = one(await sql<{ seq: string }[]>`select max(seq)::text as seq from public.change_log`).seq;
      for (const phase of ['small', 'big', 'small again'] as const) {
        if (phase === 'big') {
          ctx.progress(`growing the log to ${BIG.toLocaleString('en-US')} rows`);
          await fill(BIG - (await logRows(sql)));
        } else if (phase === 'small again') {
          ctx.progress('deleting the big log\'s filler');
          await sql`delete from public.change_log where seq > ${smallMaxSeq}`;
          await sql`vacuum analyze public.change_log`;
        }
        const rows = await logRows(sql);
        ctx.progress(`${phase}: log ${rows.toLocaleString('en-US')} rows: ${REPS} samples of each pull`);
        const { times, served } = await sample(sql, users, cursors);
        const explained = phase !== 'small again';
        phases.push({ rows, times, served, plan: explained ? await explain(ctx.dbUrl, user, cursors.page) : '',
          invitedPlan: explained ? await explain(ctx.dbUrl, invitee, cursors.invited) : '' });
        if (phase === 'big') {
          size = one(await sql<{ total: string; per_row: number }[]>`
            select pg_size_pretty(pg_total_relation_size('public.change_log')) as total,
              round(pg_total_relation_size('public.change_log')::numeric / count(*))::int as per_row from public.change_log`);
        }
      }
      const [small, big, again] = phases as [typeof phases[0], typeof phases[0], typeof phases[0]];
      const figures: Figure[] = [];
      for (const { pull, label } of PULLS) {
        const medianSmall = figure({ id: 'x', label: 'x', unit: 'ms', samples: [...small.times[pull], ...again.times[pull]] }).value;
        figures.push(figure({
          id: `pull_cost.${pull}.ratio`,
          label: `pull, ${label}: big log ÷ small log`,
          unit: '× small log',
          // each big-log sample against the small log's median (before and after)
          samples: ratios(big.times[pull], big.times[pull].map(() => medianSmall)),
          goal: { direction: 'at_most', value: 1.2, source: 'issue #12' },
          baseline: `the same pull with a ${small.rows.toLocaleString('en-US')}-row log, before and after the big one: median ${medianSmall.toFixed(2)} ms; ${big.served[pull]} changes served`,
        }));
      }
      for (const [pull, what, plan] of [['page', 'incremental page', 'plan'], ['invited', 'an invitee\'s incremental pull', 'invitedPlan']] as const) {
        const [before, after] = [buffersOf(small[plan]), buffersOf(big[plan])];
        figures.push(figure({
          id: `pull_cost.${pull}.buffers_ratio`,
          label: `pull, ${what}: buffers touched, big log ÷ small log`,
          unit: '× small log',
          samples: [after / Math.max(1, before)],
          goal: { direction: 'at_most', value: 1.2, source: 'issue #12 (load-independent view of the same goal)' },
          baseline: `shared buffers of EXPLAIN (ANALYZE, BUFFERS): ${before} small, ${after} big`,
        }));
      }
      figures.push(figure({
        id: 'pull_cost.page.rows_per_s',
        label: 'pull, incremental 1000-change pages with the big log',
        unit: 'changes/s',
        samples: big.times.page.map((ms) => big.served.page / (ms / 1000)),
        baseline: 'server-side; context for docs/scaling.md',
      }));
      figures.push(figure({
        id: 'pull_cost.snapshot.rows_per_s',
        label: 'pull, 1000-row snapshot pages with the big log',
        unit: 'rows/s',
        samples: big.times.snapshot.map((ms) => big.served.snapshot / (ms / 1000)),
        baseline: 'server-side; context for measure 3 and docs/scaling.md',
      }));
      return {
        figures,
        notes: [
          `Caller: one trip with ${CALLER_ITEMS} items (then renamed), and an invitee who was invited before the items; the rest of the log is other trips' history (20 000 trips), its transactions around the caller's. Times are server-side (clock_timestamp around pull_changes), ${REPS} samples per pull and log size, the three pulls interleaved.`,
          `At ${big.rows.toLocaleString('en-US')} rows the change log with its indexes takes ${size.total} (${size.per_row} bytes a row).`,
        ],
        evidence: {
          [`EXPLAIN (ANALYZE, BUFFERS) incremental pull, ${small.rows.toLocaleString('en-US')}-row log`]: small.plan,
          [`EXPLAIN (ANALYZE, BUFFERS) incremental pull, ${big.rows.toLocaleString('en-US')}-row log`]: big.plan,
          [`EXPLAIN (ANALYZE, BUFFERS) an invitee's incremental pull, ${small.rows.toLocaleString('en-US')}-row log`]: small.invitedPlan,
          [`EXPLAIN (ANALYZE, BUFFERS) an invitee's incremental pull, ${big.rows.toLocaleString('en-US')}-row log`]: big.invitedPlan,
        },
      };
    } finally {
      await sql.end({ timeout: 5 });
    }
  },
};
