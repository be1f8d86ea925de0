// Every error that crosses the wire has one shape: what kind of failure it
// is (`type`, which decides how the client reacts), a stable `code` to branch
// on, a message a person can act on, and whether retrying can help.
import { z } from 'zod';

/**
 * `rate` (429): too many streams, pushes or other requests in flight for one user; wait for
 * the Retry-After header, then retry as-is.
 */
export const ERROR_TYPES = ['network', 'auth', 'validation', 'conflict', 'rate', 'storage', 'unknown'] as const;
export type ErrorType = (typeof ERROR_TYPES)[number];

/**
 * The codes the server sends, by type. Clients add their own `network`
 * codes (`offline`, `timeout`) locally; they never arrive over the wire.
 */
export const ERROR_CODES = [
  // validation (4xx): fix the request, do not retry it as-is
  'invalid_json',
  'invalid_request',
  'invalid_argument',
  'body_too_large',
  'too_many_changes',
  'cursor_invalid',
  'unsupported_protocol',
  'not_found',
  'method_not_allowed',
  'invite_failed',
  // auth (401/403): refresh the session, then retry
  'missing_apikey',
  'invalid_apikey',
  'missing_token',
  'invalid_token',
  'token_expired',
  'not_authenticated',
  'forbidden',
  'client_forbidden',
  'permission_denied',
  // rate (429): wait for Retry-After
  'too_many_streams',
  'too_many_pushes',
  'too_many_requests',
  // storage (5xx): the database is unreachable, busy or failed
  'database_unavailable',
  'storage_error',
  // unknown (500)
  'internal_error',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export const wireError = z.strictObject({
  type: z.enum(ERROR_TYPES),
  code: z.enum(ERROR_CODES),
  message: z.string(),
  retryable: z.boolean(),
});
export type WireError = z.infer<typeof wireError>;

/** The body of every non-2xx response of the `sync` function. */
export const errorResponse = z.strictObject({ error: wireError });
export type ErrorResponse = z.infer<typeof errorResponse>;
