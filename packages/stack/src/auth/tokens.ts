import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
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
  secret: string;
  issuer: string;
  expirySeconds: number;
}

const key = (secret: string) => new TextEncoder().encode(secret);

/** Signs an access token with the claims GoTrue puts in it (HS256). */
export async function signAccessToken(
  settings: TokenSettings,
  claims: Omit<AccessClaims, 'exp' | 'iat' | 'iss'>,
  nowSeconds: number,
): Promise<{ token: string; expiresAt: number }> {
  const expiresAt = nowSeconds + settings.expirySeconds;
  const token = await new SignJWT({ ...claims })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(settings.issuer)
    .setIssuedAt(nowSeconds)
    .setExpirationTime(expiresAt)
    .sign(key(settings.secret));
  return { token, expiresAt };
}

/** Verifies a user access token; any failure is GoTrue's `bad_jwt`. */
export async function verifyAccessToken(settings: TokenSettings, token: string): Promise<AccessClaims> {
  try {
    const { payload } = await jwtVerify(token, key(settings.secret), { algorithms: ['HS256'] });
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

/** True when `token` is an HS256 JWT signed with `secret` (any role). */
export async function isSignedBy(secret: string, token: string): Promise<boolean> {
  try {
    await jwtVerify(token, key(secret), { algorithms: ['HS256'] });
    return true;
  } catch {
    return false;
  }
}
