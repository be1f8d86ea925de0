// `npm test`: every suite against a throw-away stack on its own ports and in a
// temporary data folder, so a running dev stack is untouched. The stack is
// stopped afterwards, also when a suite fails or the run is interrupted.
//   npm test                 all suites
//   npm test -- pgtap deno   only the named suites (types, pgtap, deno, vitest, e2e)
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, createWriteStream } from 'node:fs';
import { chmod, mkdtemp, rm, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { defaultConfig, freePort, repoRoot, startStack, type StackConfig } from '../packages/stack/src/index.ts';
import { onShutdown } from './shutdown.ts';

// Fixed by default; overridable so two checkouts can run their tests at once.
const TEST_PORTS = {
  dbPort: Number(process.env.PACKSYNC_TEST_DB_PORT ?? 55322),
  apiPort: Number(process.env.PACKSYNC_TEST_API_PORT ?? 55321),
};

interface Suite {
  name: string;
  /** Why the suite has nothing to run, or undefined when it has. */
  missing: () => string | undefined;
  command: (config: StackConfig) => [string, string[]];
}

const bin = (name: string) => path.join(repoRoot, 'node_modules', '.bin', name);
const pgtapFiles = () => listFiles('supabase/tests/database', /\.test\.sql$/);

const suites: Suite[] = [
  {
    name: 'types',
    missing: () => undefined,
    command: () => ['sh', ['-c', `${bin('tsc')} -p tsconfig.json && cd web && ${bin('svelte-check')} --tsconfig ./tsconfig.json --fail-on-warnings`]],
  },
  {
    name: 'pgtap',
    missing: () => (pgtapFiles().length === 0 ? 'no supabase/tests/database/*.test.sql' : undefined),
    command: (c) => ['pg_prove', ['-h', '127.0.0.1', '-p', String(c.dbPort), '-U', 'postgres', '-d', 'postgres', ...pgtapFiles()]],
  },
  {
    name: 'deno',
    missing: () => (listFiles('supabase/functions', /\.test\.ts$/, true).length === 0 ? 'no supabase/functions/**/*.test.ts' : undefined),
    command: () => ['sh', ['-c', `${bin('deno')} lint --config supabase/functions/deno.json supabase/functions && ` +
      `${bin('deno')} test --allow-all --no-prompt --node-modules-dir=manual --config supabase/functions/deno.json supabase/functions`]],
  },
  {
    name: 'vitest',
    missing: () => undefined,
    command: () => [bin('vitest'), ['run']],
  },
  {
    name: 'e2e',
    missing: () => (existsSync(path.join(repoRoot, 'web', 'playwright.config.ts')) ? undefined : 'no web/playwright.config.ts'),
    command: () => [bin('playwright'), ['test', '--config', 'web/playwright.config.ts']],
  },
];

const wanted = process.argv.slice(2);
const unknown = wanted.filter((w) => !suites.some((s) => s.name === w));
if (unknown.length > 0) {
  console.error(`Unknown suite(s): ${unknown.join(', ')}. Suites: ${suites.map((s) => s.name).join(', ')}`);
  process.exit(2);
}
const selected = suites.filter((s) => wanted.length === 0 || wanted.includes(s.name));

// The web app's generated tsconfig and types exist only after a sync; a fresh
// clone has none, and its unit tests and type check need them.
if (selected.some((s) => s.name !== 'pgtap' && s.name !== 'deno')) {
  await run(bin('svelte-kit'), ['sync'], { ...process.env }, path.join(repoRoot, 'web'));
}

const dataRoot = await mkdtemp(path.join(os.tmpdir(), 'packsync-test-'));
// mkdtemp makes a 0700 folder; Postgres runs as the `postgres` user and must enter it.
await chmod(dataRoot, 0o755);
await mkdir(path.join(repoRoot, '.packsync'), { recursive: true });
const stackLogPath = path.join(repoRoot, '.packsync', 'test-stack.log');
const stackLog = createWriteStream(stackLogPath);
const config = defaultConfig({
  ...TEST_PORTS,
  dataDir: path.join(dataRoot, 'db'),
  log: (line) => stackLog.write(`${line}\n`),
});

console.log(`packsync: starting a throw-away stack (db ${config.dbPort}, api ${config.apiPort}, log ${path.relative(repoRoot, stackLogPath)})`);
const stack = await startStack(config, { ephemeral: true }).catch(async (error) => {
  await rm(dataRoot, { recursive: true, force: true });
  console.error(`packsync: the test stack did not start (see ${path.relative(repoRoot, stackLogPath)}):`, error);
  process.exit(1);
});
const cleanup = async () => {
  await stack.stop();
  await rm(dataRoot, { recursive: true, force: true });
};
onShutdown(cleanup);

const env = {
  ...process.env,
  PGPASSWORD: 'postgres',
  PACKSYNC_DB_URL: stack.dbUrl,
  PACKSYNC_API_URL: stack.apiUrl,
  PACKSYNC_ANON_KEY: config.anonKey,
  PACKSYNC_SERVICE_ROLE_KEY: config.serviceRoleKey,
  PACKSYNC_JWT_SECRET: config.jwtSecret,
  PACKSYNC_WEB_TEST_PORT: String(await freePort()),
};

const results: { name: string; outcome: 'passed' | 'failed' | 'skipped'; detail: string }[] = [];
try {
  for (const suite of selected) {
    const missing = suite.missing();
    if (missing) {
      results.push({ name: suite.name, outcome: 'skipped', detail: missing });
      continue;
    }
    const [cmd, args] = suite.command(config);
    console.log(`\n=== ${suite.name}: ${path.basename(cmd)} ${args.join(' ')}`);
    const started = Date.now();
    const code = await run(cmd, args, env);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    results.push({ name: suite.name, outcome: code === 0 ? 'passed' : 'failed', detail: `exit ${code}, ${seconds} s` });
  }
} finally {
  await cleanup();
}

console.log('\n=== summary');
for (const r of results) console.log(`  ${r.name.padEnd(8)} ${r.outcome.padEnd(8)} ${r.detail}`);
const failed = results.filter((r) => r.outcome === 'failed').length;
const passed = results.filter((r) => r.outcome === 'passed').length;
console.log(`suites: ${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);

function run(cmd: string, args: string[], environment: NodeJS.ProcessEnv, cwd = repoRoot): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, env: environment, stdio: 'inherit' });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
    child.on('error', (error) => {
      console.error(`${cmd}: ${error.message}`);
      resolve(127);
    });
  });
}

function listFiles(dir: string, pattern: RegExp, recursive = false): string[] {
  const root = path.join(repoRoot, dir);
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive, withFileTypes: false })
    .map(String)
    .filter((f) => pattern.test(f) && !f.includes('node_modules'))
    .sort()
    .map((f) => path.join(dir, f));
}
