import { compare, hash } from 'bcryptjs';
import type { Sql } from 'postgres';
import {
  AuthHttpError, errorResponse, noAuthorization, sessionNotFound, validationFailed,
} from './errors.ts';
import { AuthStore, type UserRow } from './store.ts';
import { publicJwks, signAccessToken, verifyAccessToken, type AccessClaims, type TokenSettings } from './tokens.ts';

export interface AuthOptions {
  sql: Sql;
  tokens: TokenSettings;
  /** Seconds since the epoch; injected so tests can move time. */
  nowSeconds?: () => number;
}

const MIN_PASSWORD_LENGTH = 6; // supabase/config.toml [auth] minimum_password_length
/** bcrypt reads at most 72 bytes; GoTrue refuses longer passwords rather than cut them (api/password.go). */
const MAX_PASSWORD_BYTES = 72;
const BCRYPT_COST = 10; // GoTrue's cost
/** supabase/config.toml [auth] refresh_token_reuse_interval. */
const REFRESH_TOKEN_REUSE_INTERVAL_SECONDS = 10;
const MAX_EMAIL_LENGTH = 255;
// Compared against when the e-mail is unknown, so a miss costs what a hit costs.
const DUMMY_HASH = '$2b$10$b7OwITjk8Yu45kpWWeOCs.5n/wUfljYMR.W13LaXYPoD6o9yUcxdi';

/**
 * The part of Supabase Auth (GoTrue) that supabase-js uses: sign-up,
 * password and refresh-token grants, the current user, and logout. For the
 * local stack and tests only; hosted projects use the real GoTrue.
 */
export function createAuthHandler(options: AuthOptions): (request: Request, path: string) => Promise<Response> {
  const store = new AuthStore(options.sql);
  const now = options.nowSeconds ?? (() => Math.floor(Date.now() / 1000));

  async function issueSession(user: UserRow, sessionId: string, refreshToken: string) {
    const issuedAt = now();
    const { token, expiresAt } = await signAccessToken(options.tokens, {
      sub: user.id,
      role: 'authenticated',
      aud: 'authenticated',
      email: user.email,
      phone: '',
      session_id: sessionId,
      aal: 'aal1',
      amr: [{ method: 'password', timestamp: issuedAt }],
      app_metadata: user.raw_app_meta_data ?? {},
      user_metadata: user.raw_user_meta_data ?? {},
      is_anonymous: false,
    }, issuedAt);
    return {
      access_token: token,
      token_type: 'bearer',
      expires_in: options.tokens.expirySeconds,
      expires_at: expiresAt,
      refresh_token: refreshToken,
      user: userJson(user),
    };
  }

  async function authenticate(request: Request): Promise<AccessClaims> {
    const header = request.headers.get('authorization') ?? '';
    const match = /^bearer\s+(\S+)$/i.exec(header);
    if (!match) throw noAuthorization();
    const claims = await verifyAccessToken(options.tokens, match[1]!);
    if (!(await store.sessionExists(claims.session_id))) throw sessionNotFound();
    return claims;
  }

  const routes: Record<string, (request: Request, url: URL) => Promise<Response>> = {
    'POST /signup': async (request) => {
      const body = await readJson(request);
      const email = normalizeEmail(body.email);
      const password = typeof body.password === 'string' ? body.password : '';
      if (utf8Length(password) > MAX_PASSWORD_BYTES) {
        throw validationFailed(`Password cannot be longer than ${MAX_PASSWORD_BYTES} characters`);
      }
      if (password.length < MIN_PASSWORD_LENGTH) {
        throw new AuthHttpError(422, 'weak_password', `Password should be at least ${MIN_PASSWORD_LENGTH} characters.`, {
          weak_password: { reasons: ['length'] },
        });
      }
      const metadata = isObject(body.data) ? body.data : {};
      const user = await store.createUser(email, await hash(password, BCRYPT_COST), metadata);
      const session = await store.createSession(user.id);
      return json(await issueSession(user, session.sessionId, session.refreshToken));
    },

    'POST /token': async (request, url) => {
      const grant = url.searchParams.get('grant_type');
      const body = await readJson(request);
      if (grant === 'password') {
        const email = normalizeEmail(body.email);
        const password = typeof body.password === 'string' ? body.password : '';
        const user = await store.userByEmail(email);
        // A password bcrypt would cut could only match by its first 72 bytes: never a match.
        const ok = (await compare(password, user?.encrypted_password ?? DUMMY_HASH)) && utf8Length(password) <= MAX_PASSWORD_BYTES;
        if (!user || !ok) throw new AuthHttpError(400, 'invalid_credentials', 'Invalid login credentials');
        await store.recordSignIn(user.id);
        const session = await store.createSession(user.id);
        return json(await issueSession(user, session.sessionId, session.refreshToken));
      }
      if (grant === 'refresh_token') {
        if (typeof body.refresh_token !== 'string' || body.refresh_token === '') {
          throw validationFailed('refresh_token required');
        }
        const rotated = await store.rotateRefreshToken(body.refresh_token, REFRESH_TOKEN_REUSE_INTERVAL_SECONDS, now());
        const user = await store.userById(rotated.userId);
        if (!user) throw new AuthHttpError(400, 'refresh_token_not_found', 'Invalid Refresh Token: Refresh Token Not Found');
        return json(await issueSession(user, rotated.sessionId, rotated.refreshToken));
      }
      throw validationFailed('unsupported_grant_type');
    },

    'GET /user': async (request) => {
      const claims = await authenticate(request);
      const user = await store.userById(claims.sub);
      if (!user) throw new AuthHttpError(403, 'user_not_found', 'User from sub claim in JWT does not exist');
      return json(userJson(user));
    },

    'POST /logout': async (request, url) => {
      const claims = await authenticate(request);
      const scope = url.searchParams.get('scope') ?? 'global';
      if (scope !== 'global' && scope !== 'local' && scope !== 'others') {
        throw validationFailed(`Unsupported logout scope "${scope}"`);
      }
      await store.endSessions(claims.sub, claims.session_id, scope);
      return new Response(null, { status: 204 });
    },

    // The public half of the signing key, as GoTrue serves it (no API key needed).
    'GET /.well-known/jwks.json': async () =>
      new Response(JSON.stringify(publicJwks(options.tokens.signingKey)), {
        status: 200,
        headers: { 'content-type': 'application/json', 'cache-control': 'public, max-age=600' },
      }),

    'GET /health': async () =>
      json({ version: 'packsync-local', name: 'GoTrue', description: 'GoTrue-compatible auth for the Packsync local stack' }),
  };

  return async (request, path) => {
    const url = new URL(request.url);
    const route = routes[`${request.method} ${path}`];
    try {
      if (!route) throw new AuthHttpError(404, 'not_found', `No route for ${request.method} ${path}`);
      return await route(request, url);
    } catch (error) {
      if (error instanceof AuthHttpError) return errorResponse(error, request);
      console.error('auth: unexpected error', error);
      return errorResponse(new AuthHttpError(500, 'unexpected_failure', 'Unexpected failure'), request);
    }
  };
}

function userJson(user: UserRow) {
  return {
    id: user.id,
    aud: 'authenticated',
    role: 'authenticated',
    email: user.email,
    email_confirmed_at: user.email_confirmed_at?.toISOString() ?? null,
    phone: '',
    confirmed_at: user.email_confirmed_at?.toISOString() ?? null,
    last_sign_in_at: user.last_sign_in_at?.toISOString() ?? null,
    app_metadata: user.raw_app_meta_data ?? {},
    user_metadata: user.raw_user_meta_data ?? {},
    identities: [],
    created_at: user.created_at.toISOString(),
    updated_at: user.updated_at.toISOString(),
    is_anonymous: false,
  };
}

async function readJson(request: Request): Promise<Record<string, unknown>> {
  let body: unknown;
  try {
    body = await request.json();
  } catch {
    throw new AuthHttpError(400, 'bad_json', 'Could not parse request body as JSON');
  }
  if (!isObject(body)) throw new AuthHttpError(400, 'bad_json', 'Request body must be a JSON object');
  // Postgres text and jsonb cannot hold NUL: refuse it here instead of failing there (500).
  if (containsNul(body)) {
    throw validationFailed('The request contains a NUL character, which is not allowed');
  }
  return body;
}

/**
 * One `@`, something before it, and a domain with a dot inside, no spaces.
 * Written as plain string checks (linear in the input): a regular expression
 * with nested quantifiers backtracks quadratically on inputs like
 * `a@.....@` and froze the gateway.
 */
export function isEmail(email: string): boolean {
  if (email.length === 0 || email.length > MAX_EMAIL_LENGTH || /\s/.test(email)) return false;
  const at = email.indexOf('@');
  if (at <= 0 || at !== email.lastIndexOf('@')) return false;
  const domain = email.slice(at + 1);
  const dot = domain.indexOf('.');
  return dot > 0 && !domain.endsWith('.');
}

function normalizeEmail(value: unknown): string {
  const email = typeof value === 'string' ? value.trim().toLowerCase() : '';
  if (!isEmail(email)) throw validationFailed('Unable to validate email address: invalid format');
  return email;
}

/** True when any string or key in `value` holds U+0000 (walked without recursion: bodies may nest deeply). */
function containsNul(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const next = stack.pop();
    if (typeof next === 'string') {
      if (next.includes('\u0000')) return true;
    } else if (Array.isArray(next)) {
      for (const inner of next) stack.push(inner);
    } else if (isObject(next)) {
      for (const [key, inner] of Object.entries(next)) {
        if (key.includes('\u0000')) return true;
        stack.push(inner);
      }
    }
  }
  return false;
}

function utf8Length(text: string): number {
  return new TextEncoder().encode(text).byteLength;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}
