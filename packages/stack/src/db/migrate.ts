import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import { repoRoot } from '../config.ts';

const run = promisify(execFile);
const supabaseBin = path.join(repoRoot, 'node_modules', '.bin', 'supabase');
// The local server has no TLS; saying so keeps the CLI from printing a TLS
// warning into its output (gen types writes it to stdout).
const cliEnv = { ...process.env, PGSSLMODE: 'disable', SUPABASE_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1' };

/** Applies pending `supabase/migrations` with the real Supabase CLI. */
export async function applyMigrations(url: string): Promise<void> {
  try {
    await run(supabaseBin, ['migration', 'up', '--db-url', url, '--yes', '--workdir', repoRoot], {
      cwd: repoRoot,
      env: cliEnv,
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    const e = error as { stderr?: string; stdout?: string };
    throw new Error(`Migrations failed:\n${e.stderr || e.stdout || String(error)}`);
  }
}

/** Generated TypeScript types for the database, as `supabase gen types` prints them. */
export async function generateTypes(url: string): Promise<string> {
  const { stdout } = await run(
    supabaseBin,
    ['gen', 'types', 'typescript', `--remote=${url}`, '--schema', 'public', '--workdir', repoRoot],
    { cwd: repoRoot, maxBuffer: 16 * 1024 * 1024, env: cliEnv },
  );
  return stdout;
}
