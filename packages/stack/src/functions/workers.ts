import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../config.ts';
import { freePort } from '../net.ts';
import { importMapFor } from './config.ts';
import { FUNCTION_ENV_ALLOW } from './hosted-env.ts';

const denoBin = path.join(repoRoot, 'node_modules', '.bin', 'deno');
/**
 * util-linux's setpriv (essential on Debian) makes the kernel send the worker
 * SIGKILL when this process dies, even by SIGKILL where no exit handler runs:
 * a worker must not outlive the stack holding its port and database sessions.
 * SIGKILL, not SIGTERM: the function answers SIGTERM with Deno.exit, which in
 * watch mode ends the script but leaves Deno's watcher running; and with the
 * gateway gone there is no client left to tell.
 */
const setpriv = ['/usr/bin/setpriv', '/bin/setpriv'].find((candidate) => existsSync(candidate));
const workerShim = path.join(repoRoot, 'packages', 'stack', 'deno', 'worker.ts');

export interface WorkerOptions {
  functionsDir: string;
  /** The environment the hosted edge runtime gives a function. */
  env: Record<string, string>;
  /** supabase/config.toml's text: `[functions.<name>] import_map` picks the import map. */
  configToml?: string;
  /** Restart a worker when its code changes (development). */
  watch: boolean;
  log: (line: string) => void;
}

interface Worker {
  name: string;
  /** Chosen afresh at every (re)start, so no port range is reserved. */
  port?: number;
  process?: ChildProcess;
  ready?: Promise<void>;
}

/**
 * One Deno process per edge function, as Supabase's edge runtime runs a
 * worker per function. Workers start on first request and are restarted on
 * the next request after they die.
 */
export class FunctionWorkers {
  private readonly workers = new Map<string, Worker>();

  /** If this process exits without stop(), no worker may outlive it. */
  private readonly killOnExit = () => {
    for (const worker of this.workers.values()) worker.process?.kill('SIGKILL');
  };

  constructor(private readonly options: WorkerOptions) {
    for (const name of discoverFunctions(options.functionsDir)) this.workers.set(name, { name });
    process.once('exit', this.killOnExit);
  }

  names(): string[] {
    return [...this.workers.keys()];
  }

  /** The port of a running worker for `name`, or undefined for an unknown function. */
  async portFor(name: string): Promise<number | undefined> {
    const worker = this.workers.get(name);
    if (!worker) return undefined;
    if (!worker.process || worker.process.exitCode !== null || worker.process.signalCode !== null) {
      worker.ready = this.spawn(worker);
    }
    await worker.ready;
    return worker.port!;
  }

  /** Resolves once the running worker for `name` has exited (at once when none runs). */
  whenExited(name: string): Promise<void> {
    const child = this.workers.get(name)?.process;
    if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => child.once('exit', () => resolve()));
  }

  /** SIGKILLs the running worker for `name`, as a crash would; resolves once it has exited. */
  async kill(name: string): Promise<void> {
    const exited = this.whenExited(name);
    this.workers.get(name)?.process?.kill('SIGKILL');
    await exited;
  }

  async startAll(): Promise<void> {
    await Promise.all(this.names().map((name) => this.portFor(name)));
  }

  async stop(): Promise<void> {
    await Promise.all([...this.workers.values()].map((w) => stopProcess(w.process)));
    process.off('exit', this.killOnExit);
  }

  private async spawn(worker: Worker): Promise<void> {
    worker.port = await freePort();
    const dir = path.join(this.options.functionsDir, worker.name);
    // The import map `supabase functions deploy` would upload, so what runs
    // here is what runs there; npm packages come from the repo's node_modules.
    const importMap = importMapFor(worker.name, this.options.functionsDir, this.options.configToml ?? '');
    const args = [
      'run', '--allow-net', '--allow-read', '--allow-sys', `--allow-env=${FUNCTION_ENV_ALLOW.join(',')}`,
      '--no-prompt', '--quiet', '--node-modules-dir=manual',
    ];
    if (importMap) args.push('--config', importMap);
    if (this.options.watch) args.push(`--watch=${this.options.functionsDir}`, '--no-clear-screen');
    args.push(workerShim, path.join(dir, 'index.ts'));

    const [command, commandArgs] = setpriv ? [setpriv, ['--pdeathsig', 'SIGKILL', denoBin, ...args]] : [denoBin, args];
    const child = spawn(command, commandArgs, {
      cwd: repoRoot,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/root',
        NO_COLOR: '1',
        ...this.options.env,
        PACKSYNC_WORKER_PORT: String(worker.port),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    worker.process = child;
    const prefix = `fn:${worker.name}`;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${prefix} did not start within 60 s`)), 60_000);
      child.stdout!.on('data', (chunk: Buffer) => {
        for (const line of chunk.toString().split('\n').filter(Boolean)) {
          if (line.startsWith('packsync-worker-ready')) {
            clearTimeout(timer);
            resolve();
          } else this.options.log(`${prefix} ${line}`);
        }
      });
      child.stderr!.on('data', (chunk: Buffer) => this.options.log(`${prefix} ${chunk.toString().trimEnd()}`));
      child.on('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`${prefix} exited (${signal ?? code}) before it was ready`));
      });
    });
  }
}

/** Function folders: every folder with an index.ts whose name does not start with `_` or `.`. */
export function discoverFunctions(functionsDir: string): string[] {
  if (!existsSync(functionsDir)) return [];
  return readdirSync(functionsDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !/^[_.]/.test(d.name) && existsSync(path.join(functionsDir, d.name, 'index.ts')))
    .map((d) => d.name)
    .sort();
}

export async function stopProcess(child: ChildProcess | undefined, graceMs = 5000): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
