// The function's one error class and the mapping from whatever went wrong
// (bad input, a refused token, a Postgres error, a dead connection) to the
// wire shape `{ type, code, message, retryable }`. Messages say what to do;
// they never carry SQL text, stack traces or tokens.
import type { ErrorCode, ErrorResponse, ErrorType } from '@packsync/protocol';

export class SyncError extends Error {
  override readonly name = 'SyncError';
  constructor(
    readonly status: number,
    readonly type: ErrorType,
    readonly code: ErrorCode,
    message: string,
    readonly retryable: boolean,
    /** Seconds for the Retry-After header (429, 503). */
    readonly retryAfter?: number,
    readonly inner?: unknown,
  ) {
    super(message);
  }

  toWire(): ErrorResponse {
    return { error: { type: this.type, code: this.code, message: this.message, retryable: this.retryable } };
  }
}

export const validation = (code: ErrorCode, message: string, status = 400) =>
  new SyncError(status, 'validation', code, message, false);

export const unauthorized = (code: ErrorCode, message: string) => new SyncError(401, 'auth', code, message, false);

/** 429: wait for Retry-After, then send the same request again. */
export const rateLimited = (code: ErrorCode, message: string, retryAfterSeconds: number) =>
  new SyncError(429, 'rate', code, message, true, retryAfterSeconds);

export const tooManyPushes = (max: number) =>
  rateLimited('too_many_pushes', `At most ${max} pushes per user at once: wait for the one in flight, then retry.`, 1);

export const tooManyRequests = (max: number) =>
  rateLimited('too_many_requests', `At most ${max} pulls, checksums, history or invite requests per user at once: wait for those in flight, then retry.`, 1);

export const databaseUnavailable = (inner?: unknown) =>
  new SyncError(503, 'storage', 'database_unavailable', 'The database is unreachable or busy; retry shortly.', true, 2, inner);

export const internalError = (inner?: unknown) =>
  new SyncError(500, 'unknown', 'internal_error', 'Something went wrong on the server; it has been logged.', false, undefined, inner);

/** What postgres.js throws for an error the server reported (it has a SQLSTATE). */
interface PgServerError {
  code: string;
  message: string;
  severity?: string;
}

function isPgServerError(error: unknown): error is PgServerError {
  return (
    typeof error === 'object' && error !== null &&
    typeof (error as PgServerError).code === 'string' && /^[0-9A-Z]{5}$/.test((error as PgServerError).code) &&
    typeof (error as PgServerError).severity === 'string'
  );
}

// The SQL core raises argument errors with a stable code word first
// ("invalid_argument: client_id must be a uuid"); what follows is written for
// people, so it is passed on, trimmed.
const SQL_CODE_WORDS: Record<string, (detail: string) => SyncError> = {
  invalid_argument: (d) => validation('invalid_argument', d || 'An argument was refused by the database.'),
  too_many_changes: (d) => validation('too_many_changes', d || 'Too many changes in one push.', 413),
  cursor_invalid: () =>
    validation('cursor_invalid', 'The cursor is unknown or too old: drop local state and pull from a null cursor (full resync).'),
  not_authenticated: () => unauthorized('not_authenticated', 'No signed-in user: sign in and retry.'),
  client_forbidden: () =>
    new SyncError(403, 'auth', 'client_forbidden', 'This client_id belongs to another user: generate a new client id for this user.', false),
  permission_denied: (d) => new SyncError(403, 'auth', 'forbidden', d || 'You may not do that.', false),
};

/**
 * Any error from a database call, as a SyncError. Errors without a SQLSTATE
 * come from the connection (refused, reset, timed out): the database is
 * unavailable and a retry can help.
 */
export function fromDatabaseError(error: unknown): SyncError {
  if (error instanceof SyncError) return error;
  if (!isPgServerError(error)) return databaseUnavailable(error);
  const word = /^([a-z_]+)(?::\s*(.*))?$/s.exec(error.message);
  const mapped = word && SQL_CODE_WORDS[word[1]!];
  if (mapped) return mapped((word[2] ?? '').slice(0, 500));
  const state = error.code;
  const cls = state.slice(0, 2);
  if (state === '42501') return new SyncError(403, 'auth', 'forbidden', 'You may not do that.', false, undefined, error);
  // Serialization failure, deadlock, lock or statement timeout, too many
  // connections, shutdown, connection exceptions: transient.
  if (['40', '53', '55', '57', '08'].includes(cls)) return databaseUnavailable(error);
  // Data and constraint errors outside push_changes' per-change handling:
  // the arguments were unusable.
  if (cls === '22' || cls === '23') {
    return validation('invalid_argument', 'The database refused the request arguments.');
  }
  return new SyncError(500, 'storage', 'storage_error', 'The database failed to process the request; retry later.', true, undefined, error);
}

/**
 * invite_member's refusals: one generic `invite_failed` for anything about
 * the invitee (unknown e-mail, already a member, oneself), so the route does
 * not reveal who has an account; `permission_denied` for a non-owner.
 */
export function inviteError(error: unknown): SyncError {
  if (isPgServerError(error)) {
    if (error.message.startsWith('invite_failed')) {
      return new SyncError(422, 'validation', 'invite_failed',
        'The invitation could not be sent: check the e-mail address (the person needs an account and may already be a member).', false);
    }
    if (error.code === '42501' || error.message.startsWith('permission_denied')) {
      return new SyncError(403, 'auth', 'permission_denied', 'Only an owner of the trip may invite people.', false);
    }
  }
  return fromDatabaseError(error);
}

/** trip_history's refusals: a cursor it did not issue is the caller's mistake, not a reason to resync. */
export function historyError(error: unknown): SyncError {
  if (isPgServerError(error) && error.message.startsWith('cursor_invalid')) {
    return validation('cursor_invalid', 'The `before` cursor was not issued by /sync/history: start again with `before: null`.');
  }
  return fromDatabaseError(error);
}

/** Describe an unexpected error for the log only (never for a response). */
export function describeForLog(error: unknown): Record<string, unknown> {
  const inner = error instanceof SyncError ? error.inner : error;
  if (inner === undefined) return {};
  if (isPgServerError(inner)) return { cause: { sqlstate: inner.code, message: inner.message } };
  if (inner instanceof Error) return { cause: { name: inner.name, message: inner.message, code: (inner as { code?: unknown }).code } };
  return { cause: String(inner) };
}
