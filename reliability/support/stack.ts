// The running stack as the reliability suites see it: HTTP to the gateway
// exactly as an app sends it, and Postgres connections that act as a user the
// way PostgREST does (`set local role authenticated` + `request.jwt.claims`),
// or as the operator for the audit checks.
import { randomUUID } from 'node:crypto';
import postgres from 'postgres';
import { PROTOCOL_HEADER, PROTOCOL_VERSION } from '../../packages/protocol/src/index.ts';
import { testStack } from '../../packages/stack/src/testing.ts';

export type Stack = ReturnType<typeof testStack>;
export const stack = (): Stack => testStack();

export interface User {
  id: string;
  email: string;
  password: string;
  accessToken: string;
  refreshToken: string;
}

/** Signs a new user up through the auth API; the run id keeps e-mails unique across runs. */
export async function signUp(s: Stack, label: string): Promise<User> {
  const email = `${label}-${randomUUID().slice(0, 8)}@reliability.test`;
  const password = `pw-${randomUUID()}`;
  const response = await fetch(`${s.apiUrl}/auth/v1/signup`, {
    method: 'POST',
    headers: { apikey: s.anonKey, 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  const body = (await response.json()) as { access_token?: string; refresh_token?: string; user?: { id: string } };
  if (!response.ok || !body.access_token || !body.user) {
    throw new Error(`sign-up of ${email} failed: ${response.status} ${JSON.stringify(body)}`);
  }
  return { id: body.user.id, email, password, accessToken: body.access_token, refreshToken: body.refresh_token ?? '' };
}

export interface CallOptions {
  token?: string | null;
  apikey?: string | null;
  headers?: Record<string, string>;
  /** A raw body text (sent as is), instead of JSON of `body`. */
  raw?: string;
  method?: string;
  signal?: AbortSignal;
}

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

/** One request to `/functions/v1/sync/<route>` with the headers supabase-js would send. */
export async function callSync(s: Stack, route: string, body: unknown, options: CallOptions = {}): Promise<Answer> {
  const headers: Record<string, string> = { 'content-type': 'application/json', [PROTOCOL_HEADER]: String(PROTOCOL_VERSION) };
  const apikey = options.apikey === undefined ? s.anonKey : options.apikey;
  if (apikey !== null) headers.apikey = apikey;
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  Object.assign(headers, options.headers);
  const method = options.method ?? (route === 'stream' || route === 'health' ? 'GET' : 'POST');
  const response = await fetch(`${s.apiUrl}/functions/v1/sync/${route}`, {
    method,
    headers,
    ...(method === 'GET' || method === 'HEAD' ? {} : { body: options.raw ?? JSON.stringify(body) }),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return read(response);
}

export async function read(response: Response): Promise<Answer> {
  const text = await response.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

/** A change as the wire carries it; `fields` untyped on purpose (attacks send what the model forbids). */
export interface WireChange {
  change_id: string;
  entity: string;
  op: 'upsert' | 'delete';
  id: string;
  base_version: number | null;
  fields?: Record<string, unknown> | null;
}

export function upsert(entity: string, id: string, fields: Record<string, unknown>, baseVersion: number | null = null): WireChange {
  return { change_id: randomUUID(), entity, op: 'upsert', id, base_version: baseVersion, fields };
}

export interface PushResultLike {
  change_id: string;
  status: string;
  version: number | null;
  row: Record<string, unknown> | null;
  error: { code: string; message: string } | null;
}

export async function push(s: Stack, user: User, changes: WireChange[], clientId: string = randomUUID()): Promise<PushResultLike[]> {
  const answer = await callSync(s, 'push', { client_id: clientId, changes }, { token: user.accessToken });
  if (answer.status !== 200) throw new Error(`push answered ${answer.status}: ${answer.text.slice(0, 300)}`);
  return (answer.json as { results: PushResultLike[] }).results;
}

/** Creates a trip owned by `user` and returns its id. */
export async function createTrip(s: Stack, user: User, name = 'Trip'): Promise<string> {
  const id = randomUUID();
  const [result] = await push(s, user, [upsert('trips', id, { name })]);
  if (result?.status !== 'applied') throw new Error(`creating a trip: ${JSON.stringify(result)}`);
  return id;
}

export interface Pulled {
  entity: string;
  id: string;
  trip_id: string;
  op: string;
  version: number | null;
  row: Record<string, unknown> | null;
}

export async function pullAll(s: Stack, user: User): Promise<Pulled[]> {
  const out: Pulled[] = [];
  let cursor: string | null = null;
  for (;;) {
    const answer = await callSync(s, 'pull', { cursor, limit: 1000 }, { token: user.accessToken });
    if (answer.status !== 200) throw new Error(`pull answered ${answer.status}: ${answer.text.slice(0, 300)}`);
    const page = answer.json as { changes: Pulled[]; cursor: string; has_more: boolean };
    out.push(...page.changes);
    cursor = page.cursor;
    if (!page.has_more) return out;
  }
}

export type Sql = postgres.Sql;

/** An operator connection (the postgres role), for audit counts and setup. */
export function operator(s: Stack, max = 2): Sql {
  return postgres(s.dbUrl, { max, onnotice: () => {} });
}

/**
 * Runs `work` in one transaction as `user` the way PostgREST does on a hosted
 * project: role `authenticated`, the verified claims in `request.jwt.claims`.
 * What the work throws is returned as the error, so a test can assert on it.
 */
export async function asUser<T>(sql: Sql, user: Pick<User, 'id'>, work: (tx: postgres.TransactionSql) => Promise<T>): Promise<T> {
  const claims = JSON.stringify({ sub: user.id, role: 'authenticated', aud: 'authenticated' });
  return (await sql.begin(async (tx) => {
    await tx`set local role authenticated`;
    await tx`select set_config('request.jwt.claims', ${claims}, true)`;
    return work(tx);
  })) as T;
}

/** The SQLSTATE and message of what `work` raised, or null when it succeeded. */
export async function refusal(work: () => Promise<unknown>): Promise<{ code: string; message: string } | null> {
  try {
    await work();
    return null;
  } catch (error) {
    const e = error as { code?: string; message?: string };
    return { code: e.code ?? 'unknown', message: e.message ?? String(error) };
  }
}

/** Audit rows touching a trip or written by a user: a refused request must leave this count alone. */
export async function auditCount(sql: Sql, where: { tripIds?: string[]; actors?: string[] }): Promise<number> {
  const trips = where.tripIds ?? [];
  const actors = where.actors ?? [];
  const [row] = await sql`select count(*)::int as n from public.change_log
    where trip_id = any(${trips}::uuid[]) or actor = any(${actors}::uuid[])`;
  return row!.n as number;
}
