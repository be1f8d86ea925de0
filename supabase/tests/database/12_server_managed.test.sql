-- Server-managed columns stay server-managed on every path (issue 14.7):
-- id, version, created_at, updated_at, created_by, deleted_at and a
-- membership's email. Tombstones carry the server's clock, whatever time a
-- writer gives, and are final for the API roles.
begin;
select plan(19);
\ir _personas.sql
\set forged_item '30000000-0000-4000-8000-0000000000f1'

set local role authenticated;
set local request.jwt.claims = :'editor';

-- direct INSERT
insert into public.items (id, trip_id, name, version, created_at, updated_at, deleted_at, created_by)
values (:'forged_item', :'trip', 'Forged', 99, '1999-01-01', '2099-01-01', '1999-01-01', :'owner_id');
select results_eq(format($$select version, created_at = now(), updated_at = now(), deleted_at, created_by::text
    from public.items where id = %L$$, :'forged_item'),
  format($$values (1::bigint, true, true, null::timestamptz, %L)$$, :'editor_id'),
  'insert: version, timestamps, tombstone and author are the server''s');

-- direct UPDATE
update public.items set version = 7, created_at = '1999-01-01', updated_at = '2099-01-01', created_by = :'owner_id'
  where id = :'forged_item';
select results_eq(format($$select version, created_at = now(), created_by::text from public.items where id = %L$$, :'forged_item'),
  format($$values (2::bigint, true, %L)$$, :'editor_id'), 'update: version, created_at and author stay the server''s');
select throws_like(format($$update public.items set id = gen_random_uuid() where id = %L$$, :'forged_item'),
  'forbidden_field:%', 'update: the id cannot change');

update public.items set deleted_at = '2099-01-01' where id = :'forged_item';
select is((select deleted_at from public.items where id = :'forged_item'), now(),
  'a tombstone in the future gets the server''s clock');
update public.people set deleted_at = '1999-01-01' where id = :'person';
select is((select deleted_at from public.people where id = :'person'), now(),
  'a tombstone in the past gets the server''s clock');
select throws_like(format($$update public.items set deleted_at = null where id = %L$$, :'forged_item'),
  'tombstoned:%', 'a tombstone cannot be lifted');
select throws_like(format($$update public.items set deleted_at = '1999-01-01' where id = %L$$, :'forged_item'),
  'tombstoned:%', 'a tombstone cannot be moved');

-- memberships: email comes from auth.users; a leave is stamped now
set local request.jwt.claims = :'owner';
insert into public.trip_members (trip_id, user_id, role, email, deleted_at)
values (:'trip', :'stranger_id', 'viewer', 'someone@else.example', '2099-01-01');
select results_eq(format($$select email, deleted_at from public.trip_members where trip_id = %L and user_id = %L$$, :'trip', :'stranger_id'),
  $$values ('stranger@packsync.test', null::timestamptz)$$, 'membership insert: email from auth.users, no tombstone');
select lives_ok(format($$update public.trip_members set email = 'forged@else.example' where trip_id = %L and user_id = %L$$, :'trip', :'stranger_id'),
  'membership update with an email');
select is((select email from public.trip_members where trip_id = :'trip' and user_id = :'stranger_id'), 'stranger@packsync.test',
  '... keeps the email from auth.users');
reset role;
update auth.users set email = 'stranger@new.example' where id = :'stranger_id';
select is((select email from public.trip_members where trip_id = :'trip' and user_id = :'stranger_id'), 'stranger@new.example',
  '... and follows the address when the user changes it');
update auth.users set last_sign_in_at = now() where id = :'stranger_id';
select is((select version from public.trip_members where trip_id = :'trip' and user_id = :'stranger_id'), 3::bigint,
  '... without touching the membership when anything else of the user changes');
set local role authenticated;
set local request.jwt.claims = :'viewer';
update public.trip_members set deleted_at = '2099-01-01' where user_id = :'viewer_id';
select is((select deleted_at from public.trip_members where user_id = :'viewer_id'), now(),
  'leaving "in the future" leaves now (no pokes after leaving)');

-- push: server-managed fields are refused as mass assignment
\ir _push_helpers.sql
set local request.jwt.claims = :'editor';
select is(pg_temp.push1(pg_temp.change(1, 'upsert', 'items', '30000000-0000-4000-8000-0000000000f2', null,
    jsonb_build_object('trip_id', :'trip', 'name', 'X', 'deleted_at', '2099-01-01'))) -> 'error' ->> 'code',
  'forbidden_field', 'push: deleted_at is refused');
select is(pg_temp.push1(pg_temp.change(2, 'delete', 'items', :'item', 1, '{}')) ->> 'status', 'applied', 'push: a delete');
select is((select deleted_at from public.items where id = :'item'), now(), '... tombstones with the server''s clock');

-- service role: no user, still an API role
reset role;
set local request.jwt.claims = '{"role":"service_role"}';
set local role service_role;
select throws_like(format($$update public.items set deleted_at = null where id = %L$$, :'forged_item'),
  'tombstoned:%', 'service role: a tombstone cannot be lifted either');
insert into public.items (trip_id, name, deleted_at) values (:'trip', 'By service', '1999-01-01');
select is((select deleted_at from public.items where name = 'By service'), null, 'service role: insert carries no tombstone');

-- maintenance (no API role, no user) may seed and repair tombstones
reset role;
set local request.jwt.claims = '';
update public.items set deleted_at = null where id = :'forged_item';
select is((select deleted_at from public.items where id = :'forged_item'), null, 'maintenance may lift a tombstone');

select * from finish();
rollback;
