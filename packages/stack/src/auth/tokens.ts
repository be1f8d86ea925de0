import { createLocalJWKSet, importJWK, SignJWT, jwtVerify, errors as joseErrors, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import { badJwt } from './errors.ts';

export interface AccessClaims {
  sub: string;
  role: string;
  aud: string;
  exp: number;
  iat: number;
  iss: string;
  email: string;
  phone: string;
  session_id: string;
  aal: 'aal1';
  amr: { method: string; timestamp: number }[];
  app_metadata: Record<string, unknown>;
  user_metadata: Record<string, unknown>;
  is_anonymous: boolean;
}

export interface TokenSettings {
  /** The legacy HS256 secret: the anon/service-role keys and older sessions verify with it. */
  secret: string;
  /** The ES256 signing key (private JWK) new sessions are signed with. */
  signingKey: SigningJwk;
  issuer: string;
  expirySeconds: number;
}

export interface SigningJwk {
  kty: 'EC';
  crv: 'P-256';
  kid: string;
  alg: 'ES256';
  x: string;
  y: string;
  d: string;
}

const key = (secret: string) => new TextEncoder().encode(secret);

/** The public half, as GoTrue serves it at /.well-known/jwks.json (HMAC keys are never listed). */
export function publicJwks(signingKey: SigningJwk): { keys: Record<string, unknown>[] } {
  const { d: _private, ...pub } = signingKey;
  return { keys: [{ ...pub, use: 'sig', key_ops: ['verify'], ext: true }] };
}

/** Either of the project's keys, chosen by the token's header (asymmetric only for ES256). */
function keyFor(signingKey: SigningJwk, secret: string): JWTVerifyGetKey {
  const asymmetric = createLocalJWKSet(publicJwks(signingKey) as JSONWebKeySet);
  return async (header, token) => (header.alg === 'HS256' ? key(secret) : asymmetric(header, token));
}

const VERIFY_ALGORITHMS = ['ES256', 'HS256'];

/** Signs an access token with the claims GoTrue puts in it (ES256, `kid` in the header). */
export async function signAccessToken(
  settings: TokenSettings,
  claims: Omit<AccessClaims, 'exp' | 'iat' | 'iss'>,
  nowSeconds: number,
): Promise<{ token: string; expiresAt: number }> {
  const expiresAt = nowSeconds + settings.expirySeconds;
  const token = await new SignJWT({ ...claims })
    .setProtectedHeader({ alg: 'ES256', typ: 'JWT', kid: settings.signingKey.kid })
    .setIssuer(settings.issuer)
    .setIssuedAt(nowSeconds)
    .setExpirationTime(expiresAt)
    .sign(await importJWK(settings.signingKey, 'ES256'));
  return { token, expiresAt };
}

/** Verifies a user access token; any failure is GoTrue's `bad_jwt`. */
export async function verifyAccessToken(settings: TokenSettings, token: string): Promise<AccessClaims> {
  try {
    const { payload } = await jwtVerify(token, keyFor(settings.signingKey, settings.secret), { algorithms: VERIFY_ALGORITHMS });
    if (typeof payload.sub !== 'string' || typeof payload.session_id !== 'string') {
      throw badJwt('token contains no user session');
    }
    return payload as unknown as AccessClaims;
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired) throw badJwt('token has invalid claims: token is expired');
    if (error instanceof joseErrors.JOSEError) throw badJwt('signature is invalid');
    throw error;
  }
}

/** True when `token` is a JWT signed by the project (HS256 secret or the ES256 key; any role). */
export async function isSignedBy(settings: Pick<TokenSettings, 'secret' | 'signingKey'>, token: string): Promise<boolean> {
  try {
    await jwtVerify(token, keyFor(settings.signingKey, settings.secret), { algorithms: VERIFY_ALGORITHMS });
    return true;
  } catch {
    return false;
  }
}
