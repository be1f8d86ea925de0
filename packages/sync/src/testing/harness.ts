// Test harness for integration tests against the real test stack: users
// signed up through supabase-js, "devices" (an engine over its own
// fake-indexeddb factory) whose network can be switched off, and direct SQL
// for checks. Not exported from the package.
import { randomUUID } from 'node:crypto';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import postgres from 'postgres';
import type { SupabaseClient } from '@supabase/supabase-js';
import { testClient, testStack } from '../../../stack/src/testing.ts';
import { createSyncEngine, type SyncEngine } from '../engine.ts';
import { silentLogger, type NetworkMonitor } from '../collaborators.ts';
import type { SyncEngineOptions } from '../options.ts';

export const stack = () => testStack();

export interface TestUser {
  id: string;
  email: string;
  password: string;
  client: SupabaseClient;
}

export async function signUp(label = 'user'): Promise<TestUser> {
  const client = testClient();
  const email = `${label}-${randomUUID().slice(0, 8)}@example.test`;
  const password = 'correct horse battery staple';
  const { data, error } = await client.auth.signUp({ email, password });
  if (error || !data.session) throw new Error(`sign-up failed: ${error?.message ?? 'no session'}`);
  return { id: data.session.user.id, email, password, client };
}

/** A second supabase-js session of the same user (another device). */
export async function signIn(user: TestUser): Promise<SupabaseClient> {
  const client = testClient();
  const { error } = await client.auth.signInWithPassword({ email: user.email, password: user.password });
  if (error) throw error;
  return client;
}

/** A network switch: while off, fetch fails as a browser's does offline and the monitor says offline. */
export class Switch implements NetworkMonitor {
  on = true;
  private listeners = new Set<(online: boolean) => void>();
  /** Requests that reached the server (for "the response was lost" tests: set `loseResponses`). */
  loseResponses = 0;
  requests: string[] = [];
  /** While set, push responses that came back are held here and never delivered (a tab closing mid-sync). */
  holdPushes = false;
  held = 0;

  online(): boolean {
    return this.on;
  }

  subscribe(fn: (online: boolean) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  set(on: boolean): void {
    this.on = on;
    this.listeners.forEach((fn) => fn(on));
  }

  fetch: typeof fetch = async (input, init) => {
    if (!this.on) throw new TypeError('fetch failed (offline)');
    const url = String(input instanceof Request ? input.url : input);
    this.requests.push(url);
    const response = await globalThis.fetch(input, init);
    if (this.holdPushes && url.endsWith('/push')) {
      await response.text();
      this.held++;
      return new Promise<Response>(() => {});
    }
    if (this.loseResponses > 0 && url.endsWith('/push')) {
      this.loseResponses--;
      await response.text();
      throw new TypeError('fetch failed (connection reset after the server answered)');
    }
    return response;
  };
}

export interface Device {
  engine: SyncEngine;
  net: Switch;
  indexedDB: IDBFactory;
  supabase: SupabaseClient;
  /** Another engine over the same IndexedDB (a reload, or a second tab). */
  reopen(options?: Partial<SyncEngineOptions>): SyncEngine;
}

export async function device(supabase: SupabaseClient, options: Partial<SyncEngineOptions> = {},
  indexedDB = new IDBFactory(), net = new Switch()): Promise<Device> {
  const s = stack();
  const make = (extra: Partial<SyncEngineOptions> = {}) => createSyncEngine({
    supabase, url: s.apiUrl, anonKey: s.anonKey, indexedDB, IDBKeyRange, fetch: net.fetch, network: net,
    logger: silentLogger, stream: false, autoSync: false, checksum: sqlChecksum, ...options, ...extra,
  });
  const engine = make();
  await engine.start();
  return { engine, net, indexedDB, supabase, reopen: make };
}

let sql: postgres.Sql | undefined;
export function db(): postgres.Sql {
  sql ??= postgres(stack().dbUrl, { max: 2, onnotice: () => {} });
  return sql;
}

export async function closeDb(): Promise<void> {
  await sql?.end();
  sql = undefined;
}

/**
 * The server's checksums read straight from SQL as the caller (the local
 * stack has no PostgREST): the same function hosted Supabase serves at
 * /rest/v1/rpc/trip_checksums.
 */
export async function sqlChecksum(tripIds: string[], token: string): Promise<Record<string, string> | null> {
  const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
  const rows = await db().begin(async (tx) => {
    await tx`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', ${JSON.stringify(claims)}, true)`;
    return tx`select trip_id::text, checksum from public.trip_checksums(${tripIds}::uuid[])`;
  });
  return Object.fromEntries(rows.map((r) => [r.trip_id as string, r.checksum as string]));
}

/** The server's live rows of a trip, as the engine's tables would hold them. */
export async function serverRows(entity: string, tripId: string): Promise<Record<string, unknown>[]> {
  const column = entity === 'trips' ? 'id' : 'trip_id';
  return db().unsafe(`select to_jsonb(t) as r from public.${entity} t where ${column} = $1 and deleted_at is null order by id`, [tripId])
    .then((rows) => rows.map((x) => JSON.parse(JSON.stringify(x.r)) as Record<string, unknown>));
}

/**
 * Shares a trip: the owner's engine creates the membership (the server makes
 * it `invited`), and the member accepts it through their engine.
 */
export async function share(owner: SyncEngine, tripId: string, member: { id: string; engine: SyncEngine }, role: 'editor' | 'viewer' = 'editor'): Promise<string> {
  const membership = await owner.create('trip_members', { trip_id: tripId, user_id: member.id, role });
  const summary = await owner.syncNow();
  if (summary.error) throw summary.error;
  await member.engine.syncNow();
  await member.engine.update('trip_members', membership, { status: 'active' });
  const accepted = await member.engine.syncNow();
  if (accepted.error || (await member.engine.outbox.list()).length) throw new Error(`accepting ${membership} failed`);
  return membership;
}

/** Every row of every entity on the device, by entity, sorted by id. */
export async function mirror(engine: SyncEngine, tripId: string): Promise<Record<string, Record<string, unknown>[]>> {
  const out: Record<string, Record<string, unknown>[]> = {};
  for (const entity of ['trips', 'trip_members', 'people', 'items', 'rule_overrides'] as const) {
    out[entity] = (await engine.list(entity, { trip_id: tripId })).sort((a, b) => a.id.localeCompare(b.id));
  }
  return out;
}

/** The same, from the server. */
export async function serverMirror(tripId: string): Promise<Record<string, Record<string, unknown>[]>> {
  const out: Record<string, Record<string, unknown>[]> = {};
  for (const entity of ['trips', 'trip_members', 'people', 'items', 'rule_overrides']) {
    out[entity] = (await serverRows(entity, tripId)).sort((a, b) => String(a.id).localeCompare(String(b.id)));
  }
  return out;
}
