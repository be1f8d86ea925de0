// #13.3 Token attacks: every token that is not a live session of this project,
// signed with its secret by the project's algorithm for the `authenticated`
// audience, is refused with 401 on push, pull and stream, and writes nothing.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectTypedError } from '../support/shape.ts';
import { auditCount, callSync, createTrip, operator, signUp, stack, upsert, type Sql, type User } from '../support/stack.ts';
import { hs256, hs512, rs256WithHmac, selfSignedEs256, unsigned } from '../support/tokens.ts';

const s = stack();
let sql: Sql;
let victim: User;
let tripId: string;

beforeAll(async () => {
  sql = operator(s);
  victim = await signUp(s, 'token-victim');
  tripId = await createTrip(s, victim);
});
afterAll(() => sql.end());

type Forge = () => string | Promise<string>;
const attacks: [name: string, forge: Forge, code: string][] = [
  ['forged: HS256 with a guessed secret', () => hs256('not-the-project-secret-but-long-enough-32', { sub: victim.id }), 'invalid_token'],
  ['expired: the project secret, exp an hour ago', () => hs256(s.jwtSecret, { sub: victim.id, expiresIn: -3600 }), 'token_expired'],
  ['alg none, no signature', () => unsigned({ sub: victim.id }), 'invalid_token'],
  ['algorithm confusion: RS256 header, HMAC signature with the secret', () => rs256WithHmac(s.jwtSecret, { sub: victim.id }), 'invalid_token'],
  ['algorithm confusion: ES256 with the attacker key in the header', () => selfSignedEs256({ sub: victim.id }), 'invalid_token'],
  ['another algorithm: HS512 with the project secret', () => hs512(s.jwtSecret, { sub: victim.id }), 'invalid_token'],
  ['wrong audience', () => hs256(s.jwtSecret, { sub: victim.id, aud: 'some-other-service' }), 'invalid_token'],
  ['the anon key as a user token', () => s.anonKey, 'not_authenticated'],
  ['the service-role key as a user token', () => s.serviceRoleKey, 'not_authenticated'],
  ['role service_role, audience authenticated', () => hs256(s.jwtSecret, { sub: victim.id, role: 'service_role' }), 'not_authenticated'],
  ['no subject', () => hs256(s.jwtSecret, { sub: '' }), 'not_authenticated'],
  ['not a JWT at all', () => 'hello.world', 'invalid_token'],
];

describe('tokens that are not a session of this project', () => {
  for (const [name, forge, code] of attacks) {
    it(`${name}: 401 ${code} on push, pull and stream, nothing written`, async () => {
      const token = await forge();
      const before = await auditCount(sql, { tripIds: [tripId], actors: [victim.id] });

      const pushed = await callSync(s, 'push', {
        client_id: randomUUID(),
        changes: [upsert('trips', tripId, { destination: 'owned' }, 1), upsert('trips', randomUUID(), { name: 'planted' })],
      }, { token });
      expectTypedError(pushed, 401, code);
      expectTypedError(await callSync(s, 'pull', { cursor: null }, { token }), 401, code);
      expectTypedError(await callSync(s, 'stream', undefined, { token }), 401, code);

      expect(await auditCount(sql, { tripIds: [tripId], actors: [victim.id] })).toBe(before);
    });
  }

  it('a real session with the service-role key as apikey is still only that user', async () => {
    // The apikey picks the project, never the privileges: the victim's own trip
    // stays the only one visible.
    const pulled = await callSync(s, 'pull', { cursor: null }, { token: victim.accessToken, apikey: s.serviceRoleKey });
    expect(pulled.status).toBe(200);
    const trips = (pulled.json as { changes: { entity: string; trip_id: string }[] }).changes.map((c) => c.trip_id);
    expect(new Set(trips)).toEqual(new Set([tripId]));
  });

  it('a valid session without a project apikey is refused', async () => {
    const answer = await callSync(s, 'pull', { cursor: null }, { token: victim.accessToken, apikey: 'sb_publishable_guess' });
    expectTypedError(answer, 401, 'invalid_apikey');
  });
});
