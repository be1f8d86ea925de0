/**
 * Errors in GoTrue's wire shape. Clients that send `X-Supabase-Api-Version:
 * 2024-01-01` or later (supabase-js does) get `{ code, message }` and the
 * version header back; older clients get `{ code: status, error_code, msg }`.
 */
export class AuthHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'AuthHttpError';
  }
}

const API_VERSION_2024 = '2024-01-01';

export function errorResponse(error: AuthHttpError, request: Request): Response {
  const requested = request.headers.get('x-supabase-api-version');
  const modern = requested !== null && /^\d{4}-\d{2}-\d{2}$/.test(requested) && requested >= API_VERSION_2024;
  const body = modern
    ? { code: error.code, message: error.message, ...error.extra }
    : { code: error.status, error_code: error.code, msg: error.message, ...error.extra };
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (modern) headers['x-supabase-api-version'] = API_VERSION_2024;
  return new Response(JSON.stringify(body), { status: error.status, headers });
}

export const badJwt = (why: string) => new AuthHttpError(403, 'bad_jwt', `invalid JWT: unable to parse or verify signature, ${why}`);
export const noAuthorization = () => new AuthHttpError(401, 'no_authorization', 'This endpoint requires a valid Bearer token');
export const sessionNotFound = () => new AuthHttpError(403, 'session_not_found', 'Session from session_id claim in JWT does not exist');
export const validationFailed = (message: string) => new AuthHttpError(400, 'validation_failed', message);
