import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { testStack } from '../testing.ts';
import { applyBootstrap } from './bootstrap.ts';

const { dbUrl } = testStack();
const sql = postgres(dbUrl, { max: 1, onnotice: () => {} });
afterAll(() => sql.end());

describe('bootstrap', () => {
  it('runs again on a bootstrapped database without error', async () => {
    await applyBootstrap(dbUrl);
    await applyBootstrap(dbUrl);
    const roles = await sql`select rolname, rolbypassrls, rolcanlogin from pg_roles
                            where rolname in ('anon','authenticated','service_role','authenticator') order by rolname`;
    expect(roles.map((r) => [r.rolname, r.rolbypassrls, r.rolcanlogin])).toEqual([
      ['anon', false, false],
      ['authenticated', false, false],
      ['authenticator', false, true],
      ['service_role', true, false],
    ]);
  });

  it('has pgcrypto and pgtap in the extensions schema', async () => {
    const rows = await sql`select extname, extnamespace::regnamespace::text as schema from pg_extension
                           where extname in ('pgcrypto','pgtap') order by extname`;
    expect(rows.map((r) => [r.extname, r.schema])).toEqual([['pgcrypto', 'extensions'], ['pgtap', 'extensions']]);
  });

  it('auth.uid(), auth.role() and auth.jwt() read request.jwt.claims as on Supabase', async () => {
    const sub = '0b8e2f5e-8f4a-4c7e-9d3b-2a1f0e6c5d4b';
    const [row] = await sql.begin(async (tx) => {
      await tx`select set_config('request.jwt.claims', ${JSON.stringify({ sub, role: 'authenticated', email: 'x@y.z' })}, true)`;
      return tx`select auth.uid() as uid, auth.role() as role, auth.jwt() ->> 'email' as email`;
    });
    expect(row).toEqual({ uid: sub, role: 'authenticated', email: 'x@y.z' });
    const [none] = await sql`select auth.uid() as uid`;
    expect(none!.uid).toBeNull();
  });

  it('lets an API role reach public only through grants, as Supabase does', async () => {
    const [row] = await sql`select has_schema_privilege('authenticated', 'public', 'USAGE') as pub,
                                   has_table_privilege('authenticated', 'auth.users', 'SELECT') as users`;
    expect(row).toEqual({ pub: true, users: false });
  });
});
