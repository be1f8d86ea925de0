// The transaction wrapper behaves as PostgREST: the caller's role and claims
// hold inside it and are gone afterwards on the same pooled connection.
import postgres from 'postgres';
import { assertEquals } from './assert.ts';
import type { UserClaims } from './auth.ts';
import { runAsUser } from './db.ts';
import { testEnv, uuid } from './testing.ts';

const env = testEnv();

Deno.test('runAsUser: role authenticated and the claims inside, nothing left behind', async () => {
  const sql = postgres(env.dbUrl, { prepare: false, max: 1, onnotice: () => {} });
  try {
    const claims: UserClaims = { sub: uuid(), role: 'authenticated', aud: 'authenticated', exp: 2_000_000_000 };
    const inside = await runAsUser<{ role: string; uid: string; timeout: string }>(sql, claims, '3s', (tx) => tx`
      select current_user as role, auth.uid()::text as uid, current_setting('statement_timeout') as timeout`);
    assertEquals(inside, { role: 'authenticated', uid: claims.sub, timeout: '3s' });

    const [after] = await sql`select current_user as role, coalesce(current_setting('request.jwt.claims', true), '') as claims`;
    assertEquals({ ...after }, { role: 'postgres', claims: '' });
  } finally {
    await sql.end();
  }
});
