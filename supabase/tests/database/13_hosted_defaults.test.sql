-- The local database is as strict as hosted Supabase (issue 15.6): new
-- objects in `public` are not granted to the API roles by default, and the
-- auth helpers have an empty search path. (A grant a migration forgets then
-- fails here as it would on a hosted project.)
begin;
select plan(7);

select is(
  (select count(*)::int from pg_catalog.pg_default_acl d, pg_catalog.aclexplode(d.defaclacl) a
   where d.defaclnamespace = 'public'::regnamespace
     and a.grantee in (select oid from pg_catalog.pg_roles where rolname in ('anon', 'authenticated', 'service_role'))),
  0, 'no default privileges in public for anon, authenticated or service_role');

create table public.hosted_defaults_probe (id bigint generated always as identity primary key);
select ok(not has_table_privilege('anon', 'public.hosted_defaults_probe', 'select'), 'a new table is not readable by anon');
select ok(not has_table_privilege('authenticated', 'public.hosted_defaults_probe', 'select,insert,update,delete'),
  'a new table is not writable by authenticated');
select ok(not has_table_privilege('service_role', 'public.hosted_defaults_probe', 'select,insert,update,delete'),
  'a new table is not granted to service_role either');
select ok(not has_sequence_privilege('authenticated', 'public.hosted_defaults_probe_id_seq', 'usage,select,update'),
  'a new sequence is not granted to authenticated');

select is((select proconfig from pg_catalog.pg_proc where oid = 'auth.uid()'::regprocedure), array['search_path=""'],
  'auth.uid() has an empty search path');
select is((select proconfig from pg_catalog.pg_proc where oid = 'auth.jwt()'::regprocedure), array['search_path=""'],
  'auth.jwt() has an empty search path');
select * from finish();
rollback;
