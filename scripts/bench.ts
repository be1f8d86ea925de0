// `npm run bench`: every measure against a throw-away stack on its own ports
// and in a temporary data folder; prints a table, writes
// bench/results/latest.json and renders docs/benchmarks.md with a chart per
// figure.
//   npm run bench                  all measures
//   npm run bench -- push_floor    only the named measures (the others' last results stay)
//   npm run bench -- --render      re-render docs/benchmarks.md from latest.json only
import { createWriteStream } from 'node:fs';
import { chmod, mkdtemp, mkdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { MeasureSkipped } from '../bench/lib/errors.ts';
import { machine } from '../bench/lib/machine.ts';
import { ServerLog } from '../bench/lib/server-log.ts';
import { textTable } from '../bench/lib/render.ts';
import { loadResults, mergeResults, writeOutputs } from '../bench/lib/results.ts';
import type { BenchContext, MeasureReport } from '../bench/lib/types.ts';
import { measures } from '../bench/measures/index.ts';
import { defaultConfig, freePort, repoRoot, startStack } from '../packages/stack/src/index.ts';
import { connect, one } from '../bench/lib/db.ts';
import { onShutdown } from './shutdown.ts';

const files = {
  json: path.join(repoRoot, 'bench', 'results', 'latest.json'),
  page: path.join(repoRoot, 'docs', 'benchmarks.md'),
  charts: path.join(repoRoot, 'docs', 'benchmarks'),
  findings: path.join(repoRoot, 'bench', 'findings.md'),
};
const INTRO = `
Produced by \`npm run bench\` (scripts/bench.ts, bench/**): a throw-away stack (Postgres 17 with fsync off, the
gateway and the \`sync\` function) on free ports, then each measure in turn. Every figure is a ratio against a
baseline taken in the same run, or a latency beside its goal; the machine is shared, so absolute times move
between runs and the ratios much less. Raw samples, min/median/max and the machine are in
[bench/results/latest.json](../bench/results/latest.json). \`npm run bench -- <name>\` runs one measure and keeps
the others' last results. Bars: green goal met, red missed, grey no goal; dots are the samples; the dashed line is
the goal.`;

const args = process.argv.slice(2);
const order = measures.map((m) => m.name);
if (args.includes('--render')) {
  const results = await loadResults(files.json);
  if (!results) throw new Error(`${files.json} does not exist: run npm run bench first`);
  await writeOutputs(results, files, INTRO);
  console.log(`rendered ${path.relative(repoRoot, files.page)}`);
  process.exit(0);
}
const unknown = args.filter((a) => !order.includes(a));
if (unknown.length > 0) {
  console.error(`Unknown measure(s): ${unknown.join(', ')}. Measures: ${order.join(', ')}`);
  process.exit(2);
}
const chosen = measures.filter((m) => args.length === 0 || args.includes(m.name));
const selected = [...chosen.filter((m) => m.runFirst), ...chosen.filter((m) => !m.runFirst)];

const dataRoot = await mkdtemp(path.join(os.tmpdir(), 'packsync-bench-'));
await chmod(dataRoot, 0o755);
await mkdir(path.join(repoRoot, '.packsync'), { recursive: true });
const stackLogPath = path.join(repoRoot, '.packsync', 'bench-stack.log');
const stackLog = createWriteStream(stackLogPath);
const serverLog = new ServerLog();
const config = defaultConfig({
  dbPort: Number(process.env.PACKSYNC_BENCH_DB_PORT ?? (await freePort())),
  apiPort: Number(process.env.PACKSYNC_BENCH_API_PORT ?? (await freePort())),
  dataDir: path.join(dataRoot, 'db'),
  log: (line) => {
    stackLog.write(`${line}\n`);
    serverLog.add(line);
  },
});
const started = performance.now();
const clock = () => `${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s`;
console.log(`bench: starting a throw-away stack (db ${config.dbPort}, api ${config.apiPort}, log ${path.relative(repoRoot, stackLogPath)})`);
const stack = await startStack(config, { ephemeral: true }).catch(async (error) => {
  await rm(dataRoot, { recursive: true, force: true });
  console.error(`bench: the stack did not start (see ${path.relative(repoRoot, stackLogPath)}):`, error);
  process.exit(1);
});
const cleanup = async () => {
  await stack.stop();
  await rm(dataRoot, { recursive: true, force: true });
};
onShutdown(cleanup);

const info = machine();
const sql = connect(stack.dbUrl, 1);
info.postgres = one(await sql<{ v: string }[]>`select split_part(version(), ' on ', 1) as v`).v;
await sql.end();

const reports: MeasureReport[] = [];
let failed = 0;
try {
  for (const m of selected) {
    console.log(`\n=== ${m.name}: ${m.title}`);
    const ctx: BenchContext = {
      dbUrl: stack.dbUrl,
      apiUrl: stack.apiUrl,
      anonKey: config.anonKey,
      serviceRoleKey: config.serviceRoleKey,
      progress: (line) => console.log(`${clock()}  ${m.name}: ${line}`),
      serverLog,
    };
    const t0 = performance.now();
    const base = { name: m.name, title: m.title };
    try {
      const { chromium, ...out } = await m.run(ctx);
      if (chromium) info.chromium = chromium;
      reports.push({ ...base, at: new Date().toISOString(), seconds: (performance.now() - t0) / 1000, ...out });
    } catch (error) {
      if (!(error instanceof MeasureSkipped)) {
        failed++;
        console.error(`${clock()}  ${m.name} failed:`, error);
        continue;
      }
      console.log(`${clock()}  ${m.name}: not measured: ${error.reason}`);
      reports.push({ ...base, at: new Date().toISOString(), seconds: (performance.now() - t0) / 1000, figures: [], notes: [], evidence: {}, skipped: error.reason });
    }
  }
} finally {
  await cleanup();
}

const results = mergeResults(await loadResults(files.json), reports, info, order, new Date().toISOString());
await writeOutputs(results, files, INTRO);
console.log(`\n${textTable(reports)}\n`);
console.log(`bench: ${clock()} in all; wrote ${path.relative(repoRoot, files.json)} and ${path.relative(repoRoot, files.page)}`);
process.exit(failed > 0 ? 1 : 0);
