import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import { repoRoot } from '../config.ts';

const run = promisify(execFile);
const supabaseBin = path.join(repoRoot, 'node_modules', '.bin', 'supabase');

/** Applies pending `supabase/migrations` with the real Supabase CLI. */
export async function applyMigrations(url: string): Promise<void> {
  try {
    await run(supabaseBin, ['migration', 'up', '--db-url', url, '--yes', '--workdir', repoRoot], {
      cwd: repoRoot,
      env: { ...process.env, SUPABASE_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1' },
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
    ['gen', 'types', 'typescript', '--db-url', url, '--schema', 'public', '--workdir', repoRoot],
    { cwd: repoRoot, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, SUPABASE_TELEMETRY_DISABLED: '1' } },
  );
  return stdout;
}
