// The `sync` function as a plain `Request → Response` handler, built from
// its collaborators so tests can run it without HTTP. Pipeline per request:
// CORS → route → method → protocol version → apikey + JWT → body (size,
// JSON, schema) → one transaction in Postgres → JSON text back. One log
// line per request, whatever happened.
import {
  checksumRequest,
  historyRequest,
  inviteRequest,
  MAX_BODY_BYTES,
  MAX_CHANGES_PER_PUSH,
  MAX_PULL_LIMIT,
  MAX_PUSHES_IN_FLIGHT_PER_USER,
  MAX_REQUESTS_IN_FLIGHT_PER_USER,
  PROTOCOL_HEADER,
  PROTOCOL_VERSION,
  pullRequest,
  pushRequest,
  streamRequest,
} from '@packsync/protocol';
import type { z } from 'zod';
import type { UserClaims, Verifier } from '../auth.ts';
import type { Clock } from '../clock.ts';
import type { SyncDb } from '../db.ts';
import {
  describeForLog,
  fromDatabaseError,
  historyError,
  internalError,
  inviteError,
  SyncError,
  tooManyPushes,
  tooManyRequests,
  validation,
} from '../errors.ts';
import { corsHeaders, errorResponse, jsonText, readBody } from '../http.ts';
import type { LogEntry, Logger } from '../log.ts';
import { checkHealth } from './health.ts';
import { StreamHub } from './stream.ts';

export interface SyncHandlerDeps {
  db: SyncDb;
  verifier: Verifier;
  clock: Clock;
  logger: Logger;
  heartbeatMs?: number;
  maxStreamsPerUser?: number;
  healthTimeoutMs?: number;
  /** Keys that unlock /health's details (service-role and secret keys). */
  secretKeys?: string[];
  maxPushesPerUser?: number;
  /** In-flight cap per user for pull, checksum, history and invite together. */
  maxRequestsPerUser?: number;
  /** Keeps the instance alive while a stream is open (`EdgeRuntime.waitUntil` on hosted). */
  keepAlive?: (ended: Promise<void>) => void;
}

export interface SyncHandler {
  handle(request: Request): Promise<Response>;
  /** Open streams on this instance. */
  streamCount(): number;
  /** Ends streams, the LISTEN and the pool. */
  close(): Promise<void>;
}

type Route = 'push' | 'pull' | 'invite' | 'history' | 'checksum' | 'stream' | 'health';
const METHODS: Record<Route, string> = { push: 'POST', pull: 'POST', invite: 'POST', history: 'POST', checksum: 'POST', stream: 'GET', health: 'GET' };
const DEFAULT_HISTORY_LIMIT = 100;

/** `/sync/<route>` as the runtime passes it (also with a `/functions/v1` prefix). */
function routeOf(pathname: string): Route | undefined {
  const match = /^(?:\/functions\/v1)?\/sync\/([a-z]+)\/?$/.exec(pathname);
  const name = match?.[1];
  return name && Object.hasOwn(METHODS, name) ? (name as Route) : undefined;
}

export function createSyncHandler(deps: SyncHandlerDeps): SyncHandler {
  const { db, verifier, clock, logger } = deps;
  const hub = new StreamHub({
    db,
    clock,
    logger,
    headers: corsHeaders,
    ...(deps.heartbeatMs !== undefined ? { heartbeatMs: deps.heartbeatMs } : {}),
    ...(deps.maxStreamsPerUser !== undefined ? { maxStreamsPerUser: deps.maxStreamsPerUser } : {}),
    ...(deps.keepAlive ? { keepAlive: deps.keepAlive } : {}),
  });

  const secretKeys = new Set((deps.secretKeys ?? []).filter(Boolean));
  const hasSecretKey = (headers: Headers) => {
    const bearer = /^bearer\s+(\S+)\s*$/i.exec(headers.get('authorization') ?? '')?.[1];
    return secretKeys.has(headers.get('apikey') ?? '') || (bearer !== undefined && secretKeys.has(bearer));
  };
  const pushSlots = new UserSlots(deps.maxPushesPerUser ?? MAX_PUSHES_IN_FLIGHT_PER_USER, tooManyPushes);
  // The other routes that hold a database connection: without a cap, one
  // user's burst of pulls fills the pool and every other user's pull waits.
  const requestSlots = new UserSlots(deps.maxRequestsPerUser ?? MAX_REQUESTS_IN_FLIGHT_PER_USER, tooManyRequests);

  async function route(request: Request, log: LogEntry): Promise<Response> {
    const route = routeOf(new URL(request.url).pathname);
    log.route = route ?? 'unknown';
    if (!route) {
      throw validation('not_found', 'No such route: use /sync/push, /sync/pull, /sync/invite, /sync/history, /sync/checksum, /sync/stream or /sync/health.', 404);
    }
    if (request.method !== METHODS[route]) {
      throw validation('method_not_allowed', `Use ${METHODS[route]} for /sync/${route}.`, 405);
    }

    if (route === 'health') {
      const health = await checkHealth({
        db,
        clock,
        streams: () => ({ count: hub.size, listener: hub.listenerState(), held: hub.heldCount }),
        ...(deps.healthTimeoutMs !== undefined ? { timeoutMs: deps.healthTimeoutMs } : {}),
      });
      log.outcome = health.status;
      // Details (migration, lag, stream counts) are for operators only.
      const body = hasSecretKey(request.headers) ? health : { status: health.status };
      return jsonText(health.status === 'down' ? 503 : 200, JSON.stringify(body),
        health.status === 'down' ? { 'retry-after': '5' } : {});
    }

    const version = request.headers.get(PROTOCOL_HEADER);
    if (version !== String(PROTOCOL_VERSION)) {
      throw validation('unsupported_protocol', version === null
        ? `Send the protocol version in the ${PROTOCOL_HEADER} header (this server speaks ${PROTOCOL_VERSION}).`
        : `This server speaks protocol ${PROTOCOL_VERSION}, not ${version}: update the app.`);
    }

    const claims = await verifier.authenticate(request.headers);
    log.user_id = claims.sub;

    if (route === 'stream') {
      const query = parse(streamRequest, Object.fromEntries(new URL(request.url).searchParams));
      const started = clock.now();
      const response = await hub.open(claims, ({ pokes, reason }) => {
        logger.log({ ...log, status: 200, outcome: 'closed', reason, pokes, duration_ms: clock.now() - started });
      }, query.client_id).catch((error) => {
        throw fromDatabaseError(error);
      });
      log.deferred = true;
      return response;
    }

    const text = await readBody(request, MAX_BODY_BYTES);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw validation('invalid_json', 'The request body is not valid JSON.');
    }

    if (route === 'push') {
      const changes = (body as { changes?: unknown } | null)?.changes;
      if (Array.isArray(changes)) {
        log.changes = changes.length;
        if (changes.length > MAX_CHANGES_PER_PUSH) {
          throw validation('too_many_changes',
            `A push may hold at most ${MAX_CHANGES_PER_PUSH} changes (got ${changes.length}): split it.`, 413);
        }
      }
      const push = parse(pushRequest, body);
      const release = pushSlots.take(claims.sub);
      try {
        // The validated value, re-serialized: never the raw text, which may
        // hold duplicate keys the parser dropped (JSON.parse keeps the last).
        const result = await db.push(claims, push.client_id, JSON.stringify(push.changes)).catch((error) => {
          throw fromDatabaseError(error);
        });
        log.statuses = result.statuses;
        return jsonText(200, result.body);
      } finally {
        release();
      }
    }

    const release = requestSlots.take(claims.sub);
    try {
      return await query(route, body, log, claims);
    } finally {
      release();
    }
  }

  /** Pull, invite, history and checksum: one capped database request each. */
  async function query(route: Exclude<Route, 'push' | 'stream' | 'health'>, body: unknown, log: LogEntry, claims: UserClaims): Promise<Response> {
    if (route === 'invite') {
      const invite = parse(inviteRequest, body);
      const membership = await db.invite(claims, invite.trip_id, invite.email, invite.role).catch((error) => {
        throw inviteError(error);
      });
      return jsonText(200, `{"membership":${membership}}`);
    }

    if (route === 'history') {
      const history = parse(historyRequest, body);
      const page = await db.history(claims, history.trip_id, history.before, history.limit ?? DEFAULT_HISTORY_LIMIT)
        .catch((error) => {
          throw historyError(error);
        });
      log.returned = page.entries.length;
      return jsonText(200, JSON.stringify(page));
    }

    if (route === 'checksum') {
      const checksum = parse(checksumRequest, body);
      const answer = await db.checksums(claims, checksum.trip_ids).catch((error) => {
        throw fromDatabaseError(error);
      });
      return jsonText(200, answer);
    }

    const pull = parse(pullRequest, body);
    const result = await db.pull(claims, pull.cursor, pull.limit ?? MAX_PULL_LIMIT, pull.client_id).catch((error) => {
      throw fromDatabaseError(error);
    });
    log.returned = result.count;
    log.has_more = result.hasMore;
    return jsonText(200, result.body);
  }

  return {
    async handle(request) {
      if (request.method === 'OPTIONS') return new Response(null, { status: 204, headers: corsHeaders });
      const started = clock.now();
      const log: LogEntry = { ts: new Date(started).toISOString(), fn: 'sync', method: request.method };
      let response: Response;
      try {
        response = await route(request, log);
        log.outcome ??= 'ok';
      } catch (caught) {
        const error = caught instanceof SyncError ? caught : internalError(caught);
        log.outcome = 'error';
        log.error = { type: error.type, code: error.code };
        Object.assign(log, describeForLog(error));
        response = errorResponse(error, error.code === 'method_not_allowed' && log.route !== 'unknown'
          ? { allow: METHODS[log.route as Route] }
          : {});
      }
      if (log.deferred) {
        delete log.deferred;
        log.outcome = 'open';
        return response; // streams log once more when they end
      }
      log.status = response.status;
      log.duration_ms = clock.now() - started;
      logger.log(log);
      return response;
    },
    streamCount: () => hub.size,
    async close() {
      await hub.close();
      await db.close();
    },
  };
}

/**
 * At most `max` requests in flight per user on this instance. One user's
 * burst of pushes or pulls would otherwise hold every pooled connection (and
 * the pull horizon) while other users wait.
 */
class UserSlots {
  private readonly held = new Map<string, number>();
  constructor(private readonly max: number, private readonly refuse: (max: number) => SyncError) {}

  /** A slot for `userId`, or a 429 `rate` error; call the returned function once done. */
  take(userId: string): () => void {
    const count = this.held.get(userId) ?? 0;
    if (count >= this.max) throw this.refuse(this.max);
    this.held.set(userId, count + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.held.get(userId) ?? 1) - 1;
      if (left > 0) this.held.set(userId, left);
      else this.held.delete(userId);
    };
  }
}

function parse<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issues = result.error.issues.slice(0, 5).map((issue) =>
    `${issue.path.length > 0 ? issue.path.join('.') : 'body'}: ${issue.message}`);
  const more = result.error.issues.length > 5 ? ` (and ${result.error.issues.length - 5} more)` : '';
  throw validation('invalid_request', `${issues.join('; ')}${more}`);
}
