// Who is calling. The gateway does not check tokens for `sync`
// (verify_jwt = false), so this is the only check: the `apikey` header must be
// one of the project's keys, and the bearer token must be a user session
// signed by the project (HS256 secret, or the JWKS when one is configured).
import { createRemoteJWKSet, decodeProtectedHeader, errors, jwtVerify, type JWTPayload } from 'jose';
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
  jwtSecret: string;
  /** Keys accepted in the `apikey` header (the anon and service-role keys). */
  apiKeys: string[];
  /** Set on projects with asymmetric signing keys: their JWKS endpoint. */
  jwksUrl?: string;
  clock: Clock;
}

const ASYMMETRIC = ['RS256', 'ES256', 'EdDSA'];

export function createVerifier(options: VerifierOptions): Verifier {
  const secret = new TextEncoder().encode(options.jwtSecret);
  const jwks = options.jwksUrl ? createRemoteJWKSet(new URL(options.jwksUrl)) : undefined;
  const apiKeys = new Set(options.apiKeys.filter(Boolean));

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
    // against the JWKS, and `none` matches neither list.
    if (jwks && alg && ASYMMETRIC.includes(alg)) {
      return (await jwtVerify(token, jwks, { ...common, algorithms: ASYMMETRIC })).payload;
    }
    return (await jwtVerify(token, secret, { ...common, algorithms: ['HS256'] })).payload;
  }

  return {
    async authenticate(headers) {
      const apikey = headers.get('apikey');
      if (!apikey) throw unauthorized('missing_apikey', 'Send the project API key in the `apikey` header.');
      if (!apiKeys.has(apikey)) throw unauthorized('invalid_apikey', 'The `apikey` header is not a key of this project.');

      const token = /^bearer\s+(\S+)\s*$/i.exec(headers.get('authorization') ?? '')?.[1];
      if (!token) throw unauthorized('missing_token', 'Send the user session as `Authorization: Bearer <access token>`.');

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
      return payload as UserClaims;
    },
  };
}
