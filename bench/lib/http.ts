// The API as a client sees it: sign-up through the auth endpoint (a real
// access token) and calls of the sync function with supabase-js's headers.
import { PROTOCOL_HEADER, PROTOCOL_VERSION } from '../../packages/protocol/src/index.ts';
import type { BenchContext } from './types.ts';

/** Every bench user's password (the browser devices sign in with it). */
export const BENCH_PASSWORD = 'bench password 1234';

export interface ApiUser {
  id: string;
  email: string;
  token: string;
}

export async function signUp(ctx: Pick<BenchContext, 'apiUrl' | 'anonKey'>, email: string): Promise<ApiUser> {
  const response = await fetch(`${ctx.apiUrl}/auth/v1/signup`, {
    method: 'POST',
    headers: { apikey: ctx.anonKey, 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: BENCH_PASSWORD }),
  });
  const body = (await response.json()) as { access_token?: string; user?: { id: string } };
  if (!response.ok || !body.access_token || !body.user) throw new Error(`sign-up of ${email}: ${response.status} ${JSON.stringify(body)}`);
  return { id: body.user.id, email, token: body.access_token };
}

/** POST /functions/v1/sync/<route>; a non-200 answer is an error (the bench only sends valid requests). */
export async function callSync(ctx: Pick<BenchContext, 'apiUrl' | 'anonKey'>, token: string, route: string, body: unknown): Promise<string> {
  const response = await fetch(`${ctx.apiUrl}/functions/v1/sync/${route}`, {
    method: 'POST',
    headers: {
      apikey: ctx.anonKey,
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      [PROTOCOL_HEADER]: String(PROTOCOL_VERSION),
    },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`sync/${route} ${response.status}: ${text.slice(0, 300)}`);
  return text;
}

/** A push of `n` new items into a trip, as the engine would send it. */
export function newItemChanges(tripId: string, n: number, label = 'item') {
  return Array.from({ length: n }, (_, i) => ({
    change_id: crypto.randomUUID(),
    entity: 'items',
    op: 'upsert',
    id: crypto.randomUUID(),
    base_version: null,
    fields: { trip_id: tripId, name: `${label} ${i}`, quantity: 1 + (i % 5) },
  }));
}
