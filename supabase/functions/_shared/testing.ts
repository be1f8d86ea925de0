// Helpers for the function's Deno tests. They run against the stack that
// `npm test` starts and describes in PACKSYNC_* variables; without those a
// test fails with instructions instead of silently skipping.
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import postgres from 'postgres';
import {
  createStreamParser,
  PROTOCOL_HEADER,
  PROTOCOL_VERSION,
  type StreamEvent,
} from '@packsync/protocol';
import { createVerifier } from './auth.ts';
import { systemClock } from './clock.ts';
import { createDb } from './db.ts';
import { memoryLogger } from './log.ts';
import { createSyncHandler, type SyncHandlerDeps } from './sync/handler.ts';

export interface TestEnv {
  dbUrl: string;
  apiUrl: string;
  anonKey: string;
  serviceRoleKey: string;
  jwtSecret: string;
}

export function testEnv(): TestEnv {
  const need = (name: string): string => {
    const value = Deno.env.get(name);
    if (!value) {
      throw new Error(`${name} is not set: run these tests through \`npm test -- deno\` (it starts a throw-away ` +
        'stack), or start one with `npm run stack` and export PACKSYNC_DB_URL, PACKSYNC_API_URL, ' +
        'PACKSYNC_ANON_KEY, PACKSYNC_SERVICE_ROLE_KEY and PACKSYNC_JWT_SECRET yourself.');
    }
    return value;
  };
  return {
    dbUrl: need('PACKSYNC_DB_URL'),
    apiUrl: need('PACKSYNC_API_URL'),
    anonKey: need('PACKSYNC_ANON_KEY'),
    serviceRoleKey: need('PACKSYNC_SERVICE_ROLE_KEY'),
    jwtSecret: need('PACKSYNC_JWT_SECRET'),
  };
}

export const uuid = () => crypto.randomUUID();

export function supabaseClient(env: TestEnv): SupabaseClient {
  return createClient(env.apiUrl, env.anonKey, { auth: { persistSession: false, autoRefreshToken: false } });
}

export interface TestUser {
  id: string;
  email: string;
  token: string;
  client: SupabaseClient;
}

/** A new user signed up through the real auth API (unique e-mail, so runs repeat on one database). */
export async function signUp(env: TestEnv): Promise<TestUser> {
  const client = supabaseClient(env);
  const email = `sync-${uuid()}@example.test`;
  const { data, error } = await client.auth.signUp({ email, password: 'correct horse battery' });
  if (error || !data.session || !data.user) throw new Error(`sign-up failed: ${error?.message}`);
  return { id: data.user.id, email, token: data.session.access_token, client };
}

/** A handler wired like production but with a memory logger, for tests without HTTP. */
export function testHandler(env: TestEnv, overrides: Partial<SyncHandlerDeps> & { dbUrl?: string } = {}) {
  const logger = memoryLogger();
  const { dbUrl, ...rest } = overrides;
  const handler = createSyncHandler({
    db: createDb({ url: dbUrl ?? env.dbUrl, max: 2, connectTimeoutSeconds: 2 }),
    // Sessions from the stack's auth are ES256: verified with its published key set, as on hosted.
    verifier: createVerifier({
      jwtSecret: env.jwtSecret,
      apiKeys: [env.anonKey, env.serviceRoleKey],
      jwksUrl: `${env.apiUrl}/auth/v1/.well-known/jwks.json`,
      clock: systemClock,
    }),
    secretKeys: [env.serviceRoleKey],
    clock: systemClock,
    logger,
    ...rest,
  });
  return { handler, logger };
}

export interface CallOptions {
  token?: string;
  body?: unknown;
  /** Raw body text, sent as-is. */
  text?: string;
  headers?: Record<string, string>;
  method?: string;
}

/** A request as supabase-js would send it to the function. */
export function syncRequest(env: TestEnv, route: string, options: CallOptions = {}): Request {
  const method = options.method ?? (options.body !== undefined || options.text !== undefined ? 'POST' : 'GET');
  const headers: Record<string, string> = {
    apikey: env.anonKey,
    [PROTOCOL_HEADER]: String(PROTOCOL_VERSION),
    ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
    ...(method === 'POST' ? { 'content-type': 'application/json' } : {}),
    ...options.headers,
  };
  const body = options.text ?? (options.body !== undefined ? JSON.stringify(options.body) : undefined);
  return new Request(`${env.apiUrl}/functions/v1/sync/${route}`, { method, headers, ...(body !== undefined ? { body } : {}) });
}

/** Admin SQL (superuser) for setting up and checking state behind the API's back. */
export function adminSql(env: TestEnv) {
  return postgres(env.dbUrl, { prepare: false, max: 2, onnotice: () => {} });
}

/** Read SSE events from a response body until `until` returns true or `timeoutMs` passes. */
export function streamReader(response: Response) {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  const parse = createStreamParser();
  const events: StreamEvent[] = [];
  let closed = false;
  const pump = (async () => {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        events.push(...parse(value));
      }
    } catch {
      // cancelled
    }
    closed = true;
  })();
  return {
    events,
    get closed() {
      return closed;
    },
    async waitFor(predicate: (e: StreamEvent) => boolean, timeoutMs: number): Promise<StreamEvent | undefined> {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const hit = events.find(predicate);
        if (hit) return hit;
        if (closed) return undefined;
        await new Promise((r) => setTimeout(r, 5));
      }
      return events.find(predicate);
    },
    async cancel() {
      await reader.cancel().catch(() => {});
      await pump;
    },
  };
}

/** Changes that create a trip, optionally share it with another user, and add items. */
export function tripChanges(tripId: string, opts: { share?: { userId: string; role: 'editor' | 'viewer' }; items?: number } = {}) {
  const changes: Record<string, unknown>[] = [
    { change_id: uuid(), entity: 'trips', op: 'upsert', id: tripId, base_version: null, fields: { name: 'Lisbon' } },
  ];
  if (opts.share) {
    changes.push({
      change_id: uuid(), entity: 'trip_members', op: 'upsert', id: uuid(), base_version: null,
      fields: { trip_id: tripId, user_id: opts.share.userId, role: opts.share.role },
    });
  }
  for (let i = 0; i < (opts.items ?? 0); i++) {
    changes.push(itemChange(tripId, `Item ${i}`));
  }
  return changes;
}

/**
 * The invitee's change accepting the membership `tripChanges` shared with
 * them: a membership someone else creates starts `invited`, with no content
 * until the invitee sets it `active`.
 */
export function acceptChange(changes: Record<string, unknown>[]) {
  const membership = changes.find((c) => c.entity === 'trip_members');
  if (!membership) throw new Error('acceptChange: these changes share nothing');
  return { change_id: uuid(), entity: 'trip_members', op: 'upsert', id: membership.id, base_version: 1, fields: { status: 'active' } };
}

export function itemChange(tripId: string, name: string, id = uuid()) {
  return {
    change_id: uuid(), entity: 'items', op: 'upsert', id, base_version: null,
    fields: { trip_id: tripId, name, category: 'misc', quantity: 1, packed: false },
  };
}
