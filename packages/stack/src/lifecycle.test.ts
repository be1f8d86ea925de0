import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from './config.ts';
import { startPostgres } from './db/postgres.ts';
import { freePort, portOpen } from './net.ts';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'packsync-lifecycle-'));
  await chmod(tmp, 0o755);
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

/** Pids of live processes whose command line or environment mentions `needle`. */
function processesMentioning(needle: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      const env = readFileSync(`/proc/${entry}/environ`, 'utf8');
      if (cmd.includes(needle) || env.includes(needle)) pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

function waitForLine(child: ChildProcess, text: string, timeoutMs = 90_000): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`no "${text}" within ${timeoutMs} ms:\n${seen}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes(text)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`exited with ${code} before "${text}":\n${seen}`)));
  });
}

const exited = (child: ChildProcess) => new Promise((resolve) => child.once('exit', resolve));

describe('npm run stack', () => {
  // Through npm itself, as people run it. SIGTERM to npm's pid alone, as a
  // service manager sends it (npm forwards it to the script, which must not be
  // swallowed by a shell on the way); SIGINT to the whole process group, as
  // Ctrl-C in a terminal sends it (Postgres and Deno get it at the same time).
  it.each([
    ['SIGTERM to the stack', 'SIGTERM', false],
    ['Ctrl-C to its process group', 'SIGINT', true],
  ] as const)('stops Postgres and every function worker on %s, leaving no process behind', async (_, signal, group) => {
    const dataDir = path.join(tmp, `stack-db-${signal}`);
    const [dbPort, apiPort] = [await freePort(), await freePort()];
    const child = spawn('npm', ['run', 'stack'], {
      cwd: repoRoot,
      env: { ...process.env, CI: 'true', PACKSYNC_DB_PORT: String(dbPort), PACKSYNC_API_PORT: String(apiPort), PACKSYNC_DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: group,
    });
    await waitForLine(child, 'Packsync local stack is ready');
    expect(await portOpen(dbPort)).toBe(true);
    expect(await portOpen(apiPort)).toBe(true);
    expect(processesMentioning(dataDir).length).toBeGreaterThan(0);
    // Function workers get the database URL in their environment.
    const dbUrlNeedle = `127.0.0.1:${dbPort}/postgres`;
    expect(processesMentioning(dbUrlNeedle).length).toBeGreaterThan(0);

    if (group) process.kill(-child.pid!, signal);
    else child.kill(signal);
    await exited(child);
    await new Promise((r) => setTimeout(r, 200));
    expect(processesMentioning(dataDir)).toEqual([]);
    expect(processesMentioning(dbUrlNeedle)).toEqual([]);
    expect(await portOpen(dbPort)).toBe(false);
    expect(await portOpen(apiPort)).toBe(false);
  });
});

describe('Postgres crash recovery', () => {
  it('starts despite a stale postmaster.pid', async () => {
    const dataDir = path.join(tmp, 'stale-db');
    const port = await freePort();
    const first = await startPostgres({ dataDir, port, log: () => {}, ephemeral: true });
    await first.stop();
    writeFileSync(path.join(dataDir, 'postmaster.pid'), `999999\n${dataDir}\n`);
    const second = await startPostgres({ dataDir, port, log: () => {}, ephemeral: true });
    await second.stop();
  });

  it('takes over from an orphaned server whose parent was killed', async () => {
    const dataDir = path.join(tmp, 'orphan-db');
    const port = await freePort();
    // node with tsx's loader, not the tsx CLI: SIGKILL must hit the process
    // that owns Postgres, not a wrapper whose child would live on.
    const owner = spawn(process.execPath, ['--import', 'tsx', 'packages/stack/fixtures/start-postgres.ts', dataDir, String(port)], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    await waitForLine(owner, 'ready');
    owner.kill('SIGKILL');
    await exited(owner);
    const orphan = Number(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    expect(processesMentioning(dataDir)).toContain(orphan);

    const server = await startPostgres({ dataDir, port, log: () => {}, ephemeral: true });
    expect(processesMentioning(dataDir)).not.toContain(orphan);
    await server.stop();
    expect(processesMentioning(dataDir)).toEqual([]);
  });
});
