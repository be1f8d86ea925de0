// HTTP to the `sync` edge function: one method per route, every answer a
// value or a SyncError (never a raw fetch failure). Bodies are checked with
// the protocol's schemas, so a server that drifts from the wire is caught
// here and not deep in the engine.
import {
  PROTOCOL_HEADER,
  PROTOCOL_VERSION,
  pullResponse,
  pushResponse,
  type Change,
  type PullResponse,
  type PushResponse,
} from '@packsync/protocol';
import type { ErrorType } from '@packsync/protocol';
import type { Clock } from './collaborators.ts';
import { badResponse, offline, SyncError } from './errors.ts';

export type Fetch = typeof globalThis.fetch;

export interface TransportDeps {
  url: string;
  anonKey: string;
  fetch: Fetch;
  clock: Clock;
  /** A current access token (refreshed before expiry by the session). */
  token(): Promise<string>;
}

const KNOWN_TYPES: readonly ErrorType[] = ['network', 'auth', 'validation', 'conflict', 'storage', 'unknown'];

export class Transport {
  constructor(private readonly deps: TransportDeps) {}

  private endpoint(route: string): string {
    return `${this.deps.url.replace(/\/+$/, '')}/functions/v1/sync/${route}`;
  }

  async headers(): Promise<Record<string, string>> {
    return {
      authorization: `Bearer ${await this.deps.token()}`,
      apikey: this.deps.anonKey,
      [PROTOCOL_HEADER]: String(PROTOCOL_VERSION),
    };
  }

  /** Sends `body` as a JSON POST; the raw Response on 2xx, a SyncError otherwise. */
  async post(route: string, body: string, signal?: AbortSignal): Promise<Response> {
    let response: Response;
    try {
      response = await this.deps.fetch(this.endpoint(route), {
        method: 'POST',
        headers: { ...(await this.headers()), 'content-type': 'application/json' },
        body,
        ...(signal ? { signal } : {}),
      });
    } catch (error) {
      if (error instanceof SyncError) throw error;
      throw offline(error);
    }
    if (!response.ok) throw await errorFrom(response, this.deps.clock);
    return response;
  }

  async get(route: string, signal?: AbortSignal): Promise<Response> {
    let response: Response;
    try {
      response = await this.deps.fetch(this.endpoint(route), { headers: await this.headers(), ...(signal ? { signal } : {}) });
    } catch (error) {
      if (error instanceof SyncError) throw error;
      throw offline(error);
    }
    if (!response.ok) throw await errorFrom(response, this.deps.clock);
    return response;
  }

  async push(clientId: string, changes: Change[] | string): Promise<PushResponse> {
    const body = typeof changes === 'string' ? changes : pushBody(clientId, changes);
    return parseJson(await this.post('push', body), pushResponse.parse, 'push response');
  }

  /** `clientId`: leave out rows this client pushed (the server's echo of them). */
  async pull(cursor: string | null, limit: number, clientId?: string): Promise<PullResponse> {
    const body = JSON.stringify(clientId === undefined ? { cursor, limit } : { cursor, limit, client_id: clientId });
    return parseJson(await this.post('pull', body), pullResponse.parse, 'pull response');
  }

  /** Routes whose schemas live on other branches' packages: answered as plain JSON. */
  async call<T>(route: string, body: unknown): Promise<T> {
    return parseJson(await this.post(route, JSON.stringify(body)), (v) => v as T, `${route} response`);
  }
}

export function pushBody(clientId: string, changes: readonly Change[]): string {
  return JSON.stringify({ client_id: clientId, changes });
}

async function parseJson<T>(response: Response, parse: (value: unknown) => T, what: string): Promise<T> {
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    throw offline(error);
  }
  try {
    return parse(JSON.parse(text));
  } catch (error) {
    throw badResponse(what, error);
  }
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date. */
export function retryAfterMs(header: string | null, now: number): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * A non-2xx response as a SyncError. The body is read leniently (a type this
 * version does not know, e.g. a newer server's `rate`, still counts): what
 * decides retrying is the server's `retryable`, else the status.
 */
export async function errorFrom(response: Response, clock: Clock): Promise<SyncError> {
  const wait = retryAfterMs(response.headers.get('retry-after'), clock.now());
  let body: { error?: { type?: unknown; code?: unknown; message?: unknown; retryable?: unknown } } | null = null;
  try {
    body = JSON.parse(await response.text());
  } catch {
    body = null;
  }
  const e = body?.error;
  const status = response.status;
  const statusRetryable = status === 429 || status === 408 || status >= 500;
  const type: ErrorType = KNOWN_TYPES.includes(e?.type as ErrorType)
    ? (e!.type as ErrorType)
    : status === 401 || status === 403 ? 'auth' : status === 429 || status >= 500 ? 'storage' : 'unknown';
  return new SyncError(
    type,
    typeof e?.code === 'string' ? e.code : `http_${status}`,
    typeof e?.message === 'string' ? e.message : `The server answered ${status}.`,
    typeof e?.retryable === 'boolean' ? e.retryable : statusRetryable,
    status,
    wait,
  );
}
