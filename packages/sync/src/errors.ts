// The engine's one error class. Every failure the engine reports — a refused
// edit, a wire error, a dead network — is a SyncError with the protocol's six
// types, a stable code, a message that says what to do, and whether a retry
// can help. Loops never throw these; they return them (see sync-service.ts).
import type { ErrorType } from '@packsync/protocol';

/** Wire codes plus the ones only the client produces. */
export type SyncErrorCode =
  | string // every wire code (ERROR_CODES) and push result codes pass through unchanged
  | 'offline'
  | 'timeout'
  | 'invalid_input'
  | 'not_found'
  | 'read_only'
  | 'not_started'
  | 'no_session'
  | 'bad_response';

export class SyncError extends Error {
  override readonly name = 'SyncError';
  constructor(
    readonly type: ErrorType,
    readonly code: SyncErrorCode,
    message: string,
    readonly retryable: boolean,
    /** HTTP status when the error came over the wire. */
    readonly status?: number,
    /** Milliseconds the server asked us to wait (Retry-After). */
    readonly retryAfterMs?: number,
    readonly inner?: unknown,
  ) {
    super(message);
  }

  toJSON() {
    return { type: this.type, code: this.code, message: this.message, retryable: this.retryable };
  }
}

/** Bad input to create/update/delete: nothing was written. */
export const invalidInput = (message: string, inner?: unknown) =>
  new SyncError('validation', 'invalid_input', message, false, undefined, undefined, inner);

export const notFound = (entity: string, id: string) =>
  new SyncError('validation', 'not_found', `No ${entity} row ${id} on this device: it was deleted or never synced here.`, false);

export const offline = (inner?: unknown) =>
  new SyncError('network', 'offline', 'The server cannot be reached; changes stay queued and sync when online.', true,
    undefined, undefined, inner);

export const notStarted = () =>
  new SyncError('unknown', 'not_started', 'Call engine.start() first (it opens the signed-in user\'s database).', false);

export const noSession = () =>
  new SyncError('auth', 'no_session', 'No signed-in user: sign in with supabase-js before starting the engine.', false);

export const badResponse = (what: string, inner?: unknown) =>
  new SyncError('unknown', 'bad_response', `The server sent an unexpected ${what}; it has been logged.`, true,
    undefined, undefined, inner);

/** Anything caught, as a SyncError (an unknown throw is not retryable: it is a bug). */
export function asSyncError(error: unknown): SyncError {
  if (error instanceof SyncError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new SyncError('unknown', 'internal_error', message, false, undefined, undefined, error);
}
