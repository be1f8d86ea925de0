import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import postgres from 'postgres';
import { PROTOCOL_HEADER, PROTOCOL_VERSION } from '../../protocol/src/index.ts';
import { LOCAL_ANON_KEY, repoRoot } from './config.ts';
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

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * Resolves when process `pid` has ended. It is not our child, so Node gets no
 * exit event for it; `tail --pid` exits when the process does, and its exit
 * is the event.
 */
function ended(pid: number): { done: Promise<void>; cancel: () => void } {
  const watcher = spawn('tail', [`--pid=${pid}`, '-s', '0.05', '-f', '/dev/null'], { stdio: 'ignore' });
  return { done: new Promise((resolve) => watcher.once('exit', () => resolve())), cancel: () => watcher.kill() };
}

/** Waits until every one of `pids` has ended, at most `withinMs`, and returns those still alive. */
async function survivors(pids: number[], withinMs: number): Promise<number[]> {
  const watchers = pids.filter(alive).map(ended);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const budget = new Promise<void>((resolve) => (timer = setTimeout(resolve, withinMs)));
  await Promise.race([Promise.all(watchers.map((w) => w.done)), budget]);
  clearTimeout(timer);
  for (const w of watchers) w.cancel();
  return pids.filter(alive);
}

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

    const started = [...processesMentioning(dataDir), ...processesMentioning(dbUrlNeedle)];
    if (group) process.kill(-child.pid!, signal);
    else child.kill(signal);
    await exited(child);
    // Wait on the processes themselves, not on a clock: each must be gone.
    expect(await survivors(started, 10_000)).toEqual([]);
    expect(processesMentioning(dataDir)).toEqual([]);
    expect(processesMentioning(dbUrlNeedle)).toEqual([]);
    expect(await portOpen(dbPort)).toBe(false);
    expect(await portOpen(apiPort)).toBe(false);
  });
});

describe('the stack killed outright', () => {
  // SIGKILL runs no exit handler: nothing in the stack can stop its workers.
  // Each worker watches its stdin, a pipe only the stack holds, and ends when
  // it closes. Watch mode on, as people run it (Deno's watcher must not keep
  // the process alive either).
  it('leaves no function worker behind after a SIGKILL of the stack process', async () => {
    const dataDir = path.join(tmp, 'stack-db-kill');
    const [dbPort, apiPort] = [await freePort(), await freePort()];
    // node with tsx's loader, not the tsx CLI: SIGKILL must hit the process that owns the workers.
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/stack.ts'], {
      cwd: repoRoot,
      env: { ...process.env, CI: '', PACKSYNC_DB_PORT: String(dbPort), PACKSYNC_API_PORT: String(apiPort), PACKSYNC_DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    await waitForLine(child, 'Packsync local stack is ready');
    const postgresPids = processesMentioning(dataDir);
    const workers = processesMentioning(`127.0.0.1:${dbPort}/postgres`).filter((pid) => !postgresPids.includes(pid));
    expect(workers.length).toBeGreaterThan(0);

    child.kill('SIGKILL');
    await exited(child);
    const leftWorkers = await survivors(workers, 10_000);
    // Postgres is orphaned by design (the next start takes over, tested below); end it here.
    const orphan = Number(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    process.kill(orphan, 'SIGQUIT');
    expect(await survivors([orphan], 10_000)).toEqual([]);
    expect(leftWorkers).toEqual([]);
  }, 120_000);
});

describe('npm run stack, stopped by its service manager', () => {
  // SIGTERM to the whole process group while the app is busy: Postgres (in
  // smart shutdown, waiting for sessions to end), the stack and the `sync`
  // worker (holding a stream and a push that waits on a row lock) all get
  // it at once. Every process must be gone within a few seconds.
  it('ends every process within seconds of one group SIGTERM, with a stream open and a push in flight', async () => {
    const dataDir = path.join(tmp, 'stack-db-busy');
    const [dbPort, apiPort] = [await freePort(), await freePort()];
    const child = spawn('npm', ['run', 'stack'], {
      cwd: repoRoot,
      // Watch mode on, as people run it.
      env: { ...process.env, CI: '', PACKSYNC_DB_PORT: String(dbPort), PACKSYNC_API_PORT: String(apiPort), PACKSYNC_DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    await waitForLine(child, 'Packsync local stack is ready');
    const api = `http://127.0.0.1:${apiPort}`;
    const sql = postgres(`postgresql://postgres:postgres@127.0.0.1:${dbPort}/postgres`, { max: 2, onnotice: () => {} });
    const signUp = await fetch(`${api}/auth/v1/signup`, {
      method: 'POST',
      headers: { apikey: LOCAL_ANON_KEY, 'content-type': 'application/json' },
      body: JSON.stringify({ email: `busy-${crypto.randomUUID()}@packsync.test`, password: 'correct horse' }),
    });
    const token = ((await signUp.json()) as { access_token: string }).access_token;
    const headers = { apikey: LOCAL_ANON_KEY, authorization: `Bearer ${token}`, [PROTOCOL_HEADER]: String(PROTOCOL_VERSION), 'content-type': 'application/json' };
    const tripId = crypto.randomUUID();
    const change = (entity: string, fields: Record<string, unknown>) =>
      ({ change_id: crypto.randomUUID(), entity, op: 'upsert', id: entity === 'trips' ? tripId : crypto.randomUUID(), base_version: null, fields });
    const push = (changes: unknown[]) =>
      fetch(`${api}/functions/v1/sync/push`, { method: 'POST', headers, body: JSON.stringify({ client_id: crypto.randomUUID(), changes }) });
    expect((await push([change('trips', { name: 'Busy' })])).status).toBe(200);

    const stream = await fetch(`${api}/functions/v1/sync/stream`, { headers });
    expect(stream.status).toBe(200);
    const reader = stream.body!.getReader();
    await reader.read(); // `ready`
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => (locked = r));
    const holder = sql.begin(async (tx) => {
      await tx`select id from public.trips where id = ${tripId} for update`;
      locked();
      await released;
    }).catch(() => {});
    await isLocked;
    const inFlight = push([change('items', { trip_id: tripId, name: 'Tent', category: 'misc', quantity: 1, packed: false })]).catch(() => null);
    for (;;) {
      const [row] = await sql`select count(*)::int as n from pg_stat_activity where application_name = 'packsync-sync' and wait_event_type = 'Lock'`;
      if (row!.n > 0) break;
    }

    const started = [...processesMentioning(dataDir), ...processesMentioning(`127.0.0.1:${dbPort}/postgres`)];
    process.kill(-child.pid!, 'SIGTERM');
    // Our own session goes away as a client would; the stack must not wait on the app's.
    release();
    await holder;
    await sql.end({ timeout: 1 });
    await exited(child);
    await Promise.all([inFlight, reader.cancel().catch(() => {})]);
    expect(await survivors(started, 8_000)).toEqual([]);
    expect(await portOpen(dbPort)).toBe(false);
    expect(await portOpen(apiPort)).toBe(false);
  }, 120_000);
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
