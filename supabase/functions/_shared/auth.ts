// Who is calling. The gateway does not check tokens for `sync`
// (verify_jwt = false), so this is the only check: the `apikey` header must be
// one of the project's keys, and the bearer token must be a user session
// signed by the project: an asymmetric signing key from the project's key set
// (what hosted Supabase uses for new projects), or the legacy HS256 secret
// where one is configured.
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  decodeProtectedHeader,
  errors,
  jwtVerify,
  type JSONWebKeySet,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import type { Clock } from './clock.ts';
import { unauthorized } from './errors.ts';

/** The verified claims, passed to Postgres as `request.jwt.claims`. */
export interface UserClaims extends JWTPayload {
  sub: string;
  role: 'authenticated';
  exp: number;
}

export interface Verifier {
  /** The user behind a request, or a 401 SyncError. */
  authenticate(headers: Headers): Promise<UserClaims>;
}

export interface VerifierOptions {
  /** The legacy HS256 secret; without it HS256 tokens are refused. */
  jwtSecret?: string;
  /** Keys accepted in the `apikey` header (anon/service-role and publishable/secret keys). */
  apiKeys: string[];
  /** The project's key set as hosted passes it (`SUPABASE_JWKS`). */
  jwks?: JSONWebKeySet;
  /** Where the key set is served; asked when a token's key is not in `jwks` (after a rotation). */
  jwksUrl?: string;
  clock: Clock;
}

const ASYMMETRIC = ['RS256', 'ES256', 'EdDSA'];

/** `SUPABASE_JWKS` as hosted sets it: `{"keys": [...]}` or a bare array. Undefined when absent or unreadable. */
export function parseJwks(text: string | undefined): JSONWebKeySet | undefined {
  if (!text) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    const keys = Array.isArray(value) ? value : (value as { keys?: unknown } | null)?.keys;
    return Array.isArray(keys) ? { keys } : undefined;
  } catch {
    return undefined;
  }
}

/** Local keys first; the remote set only for a key id the local one lacks. */
function keyResolver(jwks: JSONWebKeySet | undefined, jwksUrl: string | undefined): JWTVerifyGetKey | undefined {
  const local = jwks && jwks.keys.length > 0 ? createLocalJWKSet(jwks) : undefined;
  const remote = jwksUrl ? createRemoteJWKSet(new URL(jwksUrl)) : undefined;
  if (!local) return remote;
  if (!remote) return local;
  return async (header, token) => {
    try {
      return await local(header, token);
    } catch (error) {
      if (error instanceof errors.JWKSNoMatchingKey) return await remote(header, token);
      throw error;
    }
  };
}

/**
 * Sessions already verified, so a client's requests pay for the signature
 * check once, not on every push (ES256 costs ~1.2 ms of the function's CPU a
 * request). Entries live until the token expires, at most
 * VERIFIED_TTL_MS (a key dropped from the project's key set stops being
 * honoured within that), and the oldest go first past MAX_VERIFIED.
 */
const VERIFIED_TTL_MS = 5 * 60_000;
const MAX_VERIFIED = 10_000;

class VerifiedTokens {
  private readonly entries = new Map<string, { claims: UserClaims; until: number }>();

  get(token: string, now: number): UserClaims | undefined {
    const hit = this.entries.get(token);
    if (!hit) return undefined;
    if (now < hit.until) return hit.claims;
    this.entries.delete(token);
    return undefined;
  }

  remember(token: string, claims: UserClaims, now: number): void {
    this.entries.delete(token);
    this.entries.set(token, { claims, until: Math.min(claims.exp * 1000, now + VERIFIED_TTL_MS) });
    if (this.entries.size > MAX_VERIFIED) this.entries.delete(this.entries.keys().next().value!);
  }
}

export function createVerifier(options: VerifierOptions): Verifier {
  const secret = options.jwtSecret ? new TextEncoder().encode(options.jwtSecret) : undefined;
  const keys = keyResolver(options.jwks, options.jwksUrl);
  const apiKeys = new Set(options.apiKeys.filter(Boolean));
  const verified = new VerifiedTokens();

  async function verify(token: string): Promise<JWTPayload> {
    let alg: string | undefined;
    try {
      alg = decodeProtectedHeader(token).alg;
    } catch {
      throw unauthorized('invalid_token', 'The bearer token is not a JWT: sign in again.');
    }
    const common = {
      audience: 'authenticated',
      requiredClaims: ['exp', 'sub'],
      currentDate: new Date(options.clock.now()),
    };
    // The key follows from our configuration, never from the token: an
    // HS256 token is checked only against the secret, an asymmetric one only
    // against the key set, and `none` matches neither.
    if (keys && alg && ASYMMETRIC.includes(alg)) {
      return (await jwtVerify(token, keys, { ...common, algorithms: ASYMMETRIC })).payload;
    }
    if (!secret) throw unauthorized('invalid_token', 'The bearer token is not signed with a key of this project: sign in again.');
    return (await jwtVerify(token, secret, { ...common, algorithms: ['HS256'] })).payload;
  }

  return {
    async authenticate(headers) {
      const apikey = headers.get('apikey');
      if (!apikey) throw unauthorized('missing_apikey', 'Send the project API key in the `apikey` header.');
      if (!apiKeys.has(apikey)) throw unauthorized('invalid_apikey', 'The `apikey` header is not a key of this project.');

      const token = /^bearer\s+(\S+)\s*$/i.exec(headers.get('authorization') ?? '')?.[1];
      if (!token) throw unauthorized('missing_token', 'Send the user session as `Authorization: Bearer <access token>`.');
      const now = options.clock.now();
      const known = verified.get(token, now);
      if (known) return known;

      let payload: JWTPayload;
      try {
        payload = await verify(token);
      } catch (error) {
        if (error instanceof errors.JWTExpired) {
          throw unauthorized('token_expired', 'The session has expired: refresh it and retry.');
        }
        if (error instanceof errors.JWTClaimValidationFailed && error.payload.role !== 'authenticated') {
          throw unauthorized('not_authenticated', 'The bearer token is a project key, not a user session: sign in first.');
        }
        if (error instanceof Error && error.name === 'SyncError') throw error;
        throw unauthorized('invalid_token', 'The bearer token is not a valid session of this project: sign in again.');
      }
      if (payload.role !== 'authenticated' || typeof payload.sub !== 'string' || payload.sub === '') {
        throw unauthorized('not_authenticated', 'The bearer token is not a signed-in user session: sign in first.');
      }
      verified.remember(token, payload as UserClaims, now);
      return payload as UserClaims;
    },
  };
}
