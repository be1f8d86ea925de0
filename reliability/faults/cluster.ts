// What a fault run runs on: a stack of its own (so it can be restarted: all
// of it over the same data folder, the `sync` function's process alone by a
// SIGKILL, or Postgres alone), the fault
// proxy in front of it, users, and devices: an engine over its own
// fake-indexeddb with a real supabase-js session whose fetch goes through a
// network switch (offline spells) and the proxy.
import { createWriteStream } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import postgres from 'postgres';
import WebSocket from 'ws';
import { createSyncEngine, silentLogger, type SyncEngine } from '../../packages/sync/src/index.ts';
import { Switch } from '../../packages/sync/src/testing/harness.ts';
import { defaultConfig, startStack, type RunningStack, type StackConfig } from '../../packages/stack/src/index.ts';
import { freePort } from '../../packages/stack/src/net.ts';
import type { Stack, User } from '../support/stack.ts';
import { DEVICE_HEADER } from './proxy.ts';

export type RestartKind = 'stack' | 'function' | 'database';

export interface ClusterStack {
  config: StackConfig;
  /** The stack as the support helpers take it (direct, not through the proxy). */
  direct: Stack;
  apiUrl: () => string;
  sql: postgres.Sql;
  /** `stack`: everything stops and starts; `function`: the sync worker is SIGKILLed; `database`: Postgres alone restarts. */
  restart(kind: RestartKind): Promise<void>;
  /**
   * Runs an operator query (a device's checksum) unless Postgres is being
   * restarted (then null); a restart waits for those under way. postgres.js
   * throws an uncatchable TypeError when a connection closes with a small
   * write still buffered (porsager/postgres#1154, #1208): a 10 000-op run
   * ended "passed, 1 error" on it (seed 811841286).
   */
  operator<T>(query: (sql: postgres.Sql) => Promise<T>): Promise<T | null>;
  restarts: Record<RestartKind, number>;
  stop(): Promise<void>;
}

/** A throw-away stack on free ports; `restart` stops Postgres, auth and the functions and starts them again. */
export async function startClusterStack(jwtExpirySeconds: number, logFile: string): Promise<ClusterStack> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'packsync-faults-'));
  await chmod(root, 0o755);
  const log = createWriteStream(logFile, { flags: 'a' });
  const config = defaultConfig({
    dbPort: await freePort(), apiPort: await freePort(), dataDir: path.join(root, 'db'), jwtExpirySeconds,
    log: (line) => log.write(`${line}\n`),
  });
  let running: RunningStack | null = await startStack(config, { ephemeral: true });
  // The operator connection survives restarts: postgres.js reconnects on the next query.
  const sql = postgres(running.dbUrl, { max: 4, onnotice: () => {} });
  let restarting = false;
  const underWay = new Set<Promise<unknown>>();
  const restartOnce = async (kind: RestartKind) => {
    if (kind === 'function') await running?.killFunction('sync');
    else if (kind === 'database') await running?.restartDatabase();
    else {
      await running?.stop();
      running = null;
      running = await startStack(config, { ephemeral: true });
    }
  };
  const self: ClusterStack = {
    config,
    direct: { dbUrl: running.dbUrl, apiUrl: running.apiUrl, anonKey: config.anonKey, serviceRoleKey: config.serviceRoleKey, jwtSecret: config.jwtSecret },
    apiUrl: () => `http://127.0.0.1:${config.apiPort}`,
    sql,
    restarts: { stack: 0, function: 0, database: 0 },
    operator(query) {
      if (restarting) return Promise.resolve(null);
      const done = query(sql);
      underWay.add(done);
      void done.catch(() => {}).finally(() => underWay.delete(done));
      return done;
    },
    async restart(kind) {
      // Postgres closes every connection: no operator query may be writing then.
      if (kind !== 'function') {
        restarting = true;
        await Promise.allSettled([...underWay]);
      }
      try {
        await restartOnce(kind);
      } finally {
        restarting = false;
      }
      self.restarts[kind]++;
    },
    async stop() {
      await sql.end({ timeout: 2 }).catch(() => {});
      await running?.stop();
      running = null;
      log.end();
      await rm(root, { recursive: true, force: true });
    },
  };
  return self;
}

/**
 * Offline is a property of the device: the engine package's test switch (its
 * fetch fails as a browser's does, its monitor says so), counting spells.
 */
export class NetworkSwitch extends Switch {
  spells = 0;
  /** The device's index, sent with every request so the proxy's wire log can tell devices apart. */
  device: number | null = null;

  constructor() {
    super();
    const unmarked = this.fetch;
    this.fetch = (input, init) => {
      const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
      if (this.device !== null) headers.set(DEVICE_HEADER, String(this.device));
      return unmarked(input, { ...init, headers });
    };
  }

  override set(on: boolean): void {
    if (on === this.on) return;
    if (!on) this.spells++;
    super.set(on);
  }
}

export type ClusterUser = Pick<User, 'id' | 'email' | 'password'>;

export class Device {
  engine: SyncEngine;
  readonly net = new NetworkSwitch();
  readonly indexedDB = new IDBFactory();
  readonly supabase: SupabaseClient;
  reloads = 0;

  private constructor(readonly index: number, readonly user: ClusterUser, private readonly url: string, private readonly anonKey: string,
    private readonly checksum: (tripIds: string[], token: string) => Promise<Record<string, string> | null>) {
    this.net.device = index;
    this.supabase = createClient(url, anonKey, {
      auth: { persistSession: false, autoRefreshToken: false },
      global: { fetch: this.net.fetch },
      // Node 20 has no global WebSocket; realtime is unused but built eagerly.
      realtime: { transport: WebSocket as never },
    });
    this.engine = this.make();
  }

  static async open(index: number, user: ClusterUser, url: string, anonKey: string,
    checksum: (tripIds: string[], token: string) => Promise<Record<string, string> | null>): Promise<Device> {
    const device = new Device(index, user, url, anonKey, checksum);
    const { error } = await device.supabase.auth.signInWithPassword({ email: user.email, password: user.password });
    if (error) throw new Error(`device ${index}: sign-in failed: ${error.message}`);
    await device.engine.start();
    return device;
  }

  private make(): SyncEngine {
    return createSyncEngine({
      supabase: this.supabase, url: this.url, anonKey: this.anonKey, indexedDB: this.indexedDB, IDBKeyRange,
      fetch: this.net.fetch, network: this.net, logger: silentLogger, stream: true, checksum: this.checksum, pushDelayMs: 5,
    });
  }

  /**
   * A page reload mid-sync: the old instance is abandoned without waiting for
   * it (its stop runs in the background, as a closing tab's work is cut),
   * and a new instance opens the same IndexedDB.
   */
  async reload(): Promise<void> {
    const old = this.engine;
    void old.stop().catch(() => {});
    this.engine = this.make();
    this.reloads++;
    await this.engine.start();
  }
}

/** The server's per-trip checksums as the caller (the local stack has no PostgREST to serve the RPC); none while Postgres restarts. */
export function sqlChecksum(stack: Pick<ClusterStack, 'operator'>) {
  return async (tripIds: string[], token: string): Promise<Record<string, string> | null> => {
    const claims = Buffer.from(token.split('.')[1] ?? '', 'base64url').toString();
    const rows = await stack.operator((sql) => sql.begin(async (tx) => {
      await tx`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', ${claims}, true)`;
      return tx`select trip_id::text, checksum from public.trip_checksums(${tripIds}::uuid[])`;
    }));
    return rows && Object.fromEntries(rows.map((r) => [r.trip_id as string, r.checksum as string]));
  };
}
