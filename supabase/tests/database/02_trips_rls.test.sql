-- RLS on trips and trip_members, per persona.
begin;
select plan(26);
\ir _personas.sql

-- creating a trip makes its creator its owner
select is((select role from public.trip_members where trip_id = :'stranger_trip' and user_id = :'stranger_id'),
  'owner', 'the creator of a trip becomes its owner in the same transaction');

set local role authenticated;

-- owner
set local request.jwt.claims = :'owner';
select results_eq($$select name from public.trips order by name$$, array['Lisbon'], 'owner reads own trip, not the stranger''s');
select is((select count(*)::int from public.trip_members), 3, 'owner reads the trip''s memberships');
select lives_ok($$update public.trips set name = 'Lisboa' where id = '10000000-0000-4000-8000-000000000001'$$, 'owner renames the trip');
select lives_ok($$insert into public.trip_members (trip_id, user_id, role) values ('10000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000004', 'viewer')$$,
  'owner adds a member');
select lives_ok($$update public.trip_members set deleted_at = now() where user_id = '00000000-0000-4000-8000-000000000004' and trip_id = '10000000-0000-4000-8000-000000000001'$$,
  'owner removes a member (tombstone)');
select throws_like($$update public.trip_members set role = 'editor' where user_id = '00000000-0000-4000-8000-000000000001'$$,
  'last_owner:%', 'the last owner cannot step down');
select throws_like($$update public.trip_members set deleted_at = now() where user_id = '00000000-0000-4000-8000-000000000001'$$,
  'last_owner:%', 'the last owner cannot be removed');
select is_empty($$update public.trips set name = 'x' where id = '10000000-0000-4000-8000-000000000002' returning 1$$,
  'owner cannot update a trip they are not a member of');
select throws_ok($$delete from public.trips where id = '10000000-0000-4000-8000-000000000001'$$, '42501', null,
  'nobody hard-deletes through the API');

-- editor
set local request.jwt.claims = :'editor';
select results_eq($$select name from public.trips$$, array['Lisboa'], 'editor reads the trip');
select lives_ok($$update public.trips set destination = 'Portugal, Lisbon' where id = '10000000-0000-4000-8000-000000000001'$$,
  'editor changes the destination');
select throws_like($$update public.trips set name = 'Mine' where id = '10000000-0000-4000-8000-000000000001'$$,
  'permission_denied:%', 'editor cannot rename the trip');
select throws_like($$update public.trips set deleted_at = now() where id = '10000000-0000-4000-8000-000000000001'$$,
  'permission_denied:%', 'editor cannot delete the trip');
select throws_ok($$insert into public.trip_members (trip_id, user_id, role) values ('10000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000004', 'editor')$$,
  '42501', null, 'editor cannot add members');
select throws_like($$update public.trip_members set role = 'owner' where user_id = '00000000-0000-4000-8000-000000000002'$$,
  'permission_denied:%', 'editor cannot promote themselves');

-- viewer
set local request.jwt.claims = :'viewer';
select results_eq($$select name from public.trips$$, array['Lisboa'], 'viewer reads the trip');
select is_empty($$update public.trips set destination = 'x' returning 1$$, 'viewer cannot update the trip');
select throws_ok($$insert into public.trip_members (trip_id, user_id, role) values ('10000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000004', 'viewer')$$,
  '42501', null, 'viewer cannot add members');

-- stranger
set local request.jwt.claims = :'stranger';
select results_eq($$select name from public.trips$$, array['Elsewhere'], 'stranger sees only their own trip');
select is_empty($$select 1 from public.trip_members where trip_id = '10000000-0000-4000-8000-000000000001' and user_id <> '00000000-0000-4000-8000-000000000004'$$,
  'stranger sees no memberships of the trip but their own removed one');
select is_empty($$update public.trips set name = 'pwned' where id = '10000000-0000-4000-8000-000000000001' returning 1$$,
  'stranger cannot update the trip');
select throws_ok($$insert into public.trip_members (trip_id, user_id, role) values ('10000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000004', 'owner')$$,
  '42501', null, 'stranger cannot make themselves a member');

-- anon
reset role;
set local request.jwt.claims = '';
set local role anon;
select throws_ok($$select * from public.trips$$, '42501', null, 'anon cannot read trips');
select throws_ok($$insert into public.trips (name) values ('x')$$, '42501', null, 'anon cannot create trips');
select throws_ok($$select * from public.trip_members$$, '42501', null, 'anon cannot read memberships');

select * from finish();
rollback;
