// Tokens an attacker can make: signed with the wrong key, with `alg: none`,
// with an algorithm the project does not use, for another audience, expired.
import { generateKeyPair, SignJWT, exportJWK } from 'jose';
import { createHmac } from 'node:crypto';

const b64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

export interface ClaimsFor {
  sub: string;
  role?: string;
  aud?: string;
  /** Seconds from now; negative for an expired token. */
  expiresIn?: number;
}

function payload(claims: ClaimsFor) {
  const now = Math.floor(Date.now() / 1000);
  return {
    sub: claims.sub,
    role: claims.role ?? 'authenticated',
    aud: claims.aud ?? 'authenticated',
    iat: now - 10,
    exp: now + (claims.expiresIn ?? 3600),
    session_id: crypto.randomUUID(),
  };
}

/** HS256 with the given secret (the project's, or a guessed one). */
export function hs256(secret: string, claims: ClaimsFor): Promise<string> {
  return new SignJWT(payload(claims)).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(new TextEncoder().encode(secret));
}

/** `alg: none`, no signature: accepted only by a verifier that trusts the header. */
export function unsigned(claims: ClaimsFor): string {
  return `${b64url(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${b64url(JSON.stringify(payload(claims)))}.`;
}

/**
 * Algorithm confusion: the header says RS256 but the signature is an HMAC with
 * the project secret as the key, which a verifier choosing its algorithm from
 * the header (and its key from configuration) would accept.
 */
export function rs256WithHmac(secret: string, claims: ClaimsFor): string {
  const head = `${b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT' }))}.${b64url(JSON.stringify(payload(claims)))}`;
  return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;
}

/** ES256 signed with the attacker's own key, which the header carries as `jwk` (CVE-2018-0114 style). */
export async function selfSignedEs256(claims: ClaimsFor): Promise<string> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const jwk = await exportJWK(publicKey);
  return new SignJWT(payload(claims)).setProtectedHeader({ alg: 'ES256', typ: 'JWT', jwk }).sign(privateKey);
}

/** HS512 with the project secret: a valid signature, but not the algorithm the project uses. */
export function hs512(secret: string, claims: ClaimsFor): Promise<string> {
  return new SignJWT(payload(claims)).setProtectedHeader({ alg: 'HS512', typ: 'JWT' }).sign(new TextEncoder().encode(secret));
}
