-- Constraints, row stamps, immutable trip_id and the trip-delete cascade.
begin;
select plan(24);
\ir _personas.sql

set local role authenticated;
set local request.jwt.claims = :'owner';

select throws_ok($$insert into public.trips (name) values ('   ')$$, '23514', null, 'a trip name cannot be blank');
select throws_ok($$insert into public.trips (name) values (repeat('x', 201))$$, '23514', null, 'a trip name has at most 200 characters');
select throws_ok($$insert into public.trips (name, start_date, end_date) values ('x', '2026-05-02', '2026-05-01')$$, '23514', null,
  'a trip cannot end before it starts');
select throws_ok($$insert into public.trips (name, days) values ('x', '{}')$$, '23514', null, 'days is an array');
select throws_ok($$insert into public.trips (name, settings) values ('x', '[]')$$, '23514', null, 'settings is an object');
select throws_ok($$insert into public.trip_members (trip_id, user_id, role) values ('10000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000004', 'admin')$$,
  '23514', null, 'role is owner, editor or viewer');
select throws_ok($$insert into public.trip_members (trip_id, user_id, role) values ('10000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002', 'viewer')$$,
  '23505', null, 'one live membership per user and trip');
select throws_ok($$insert into public.people (trip_id, name, kind) values ('10000000-0000-4000-8000-000000000001', 'Bo', 'robot')$$,
  '23514', null, 'kind is adult, child or infant');
select throws_ok($$insert into public.items (trip_id, name, quantity) values ('10000000-0000-4000-8000-000000000001', 'x', -1)$$,
  '23514', null, 'quantity is never negative');
select throws_ok($$insert into public.items (trip_id, name, quantity) values ('10000000-0000-4000-8000-000000000001', 'x', 1000)$$,
  '23514', null, 'quantity is at most 999');
select throws_ok($$insert into public.items (trip_id, name, rule_id) values ('10000000-0000-4000-8000-000000000001', 'x', 'Bad Rule')$$,
  '23514', null, 'rule_id is a lower-case slug');
select throws_ok($$insert into public.rule_overrides (trip_id, rule_id) values ('10000000-0000-4000-8000-000000000001', 'socks.per-day')$$,
  '23505', null, 'one live override per trip, person and rule (null person included)');
reset role;
select throws_ok(format($$insert into public.items (trip_id, person_id, name) values (%L, %L, 'x')$$, :'stranger_trip', :'person'),
  '23503', null, 'an item cannot point at a person of another trip');
set local role authenticated;

-- row stamps
select lives_ok($$update public.items set quantity = 4, version = 99, created_by = null where id = '30000000-0000-4000-8000-000000000001'$$,
  'a write that tries to set system columns still succeeds');
select results_eq($$select version, created_by from public.items where id = '30000000-0000-4000-8000-000000000001'$$,
  $$values (2::bigint, '00000000-0000-4000-8000-000000000001'::uuid)$$, 'version is bumped by one and created_by kept, whatever the client sent');
select throws_like($$update public.items set trip_id = '10000000-0000-4000-8000-000000000002' where id = '30000000-0000-4000-8000-000000000001'$$,
  'forbidden_field:%', 'a row cannot move to another trip');

-- deleting a trip tombstones its children, through their triggers
select lives_ok($$update public.trips set deleted_at = now() where id = '10000000-0000-4000-8000-000000000001'$$, 'owner deletes the trip');
reset role;
select ok((select deleted_at is not null from public.people where id = :'person'), 'its people are tombstoned');
select ok((select deleted_at is not null from public.items where id = :'item'), 'its items are tombstoned');
select ok((select deleted_at is not null from public.rule_overrides where id = :'override'), 'its rule overrides are tombstoned');
select is((select version from public.items where id = :'item'), 3::bigint, 'the cascade bumped the item''s version');
select is((select op from public.change_log where row_id = :'item' order by seq desc limit 1), 'delete',
  'the cascade is in the log as a delete');
select is((select count(*)::int from public.trip_members where trip_id = :'trip' and deleted_at is null), 3,
  'memberships stay, so members pull the tombstones');
set local role authenticated;
set local request.jwt.claims = :'owner';
select throws_ok($$insert into public.items (trip_id, name) values ('10000000-0000-4000-8000-000000000001', 'late')$$, '42501', null,
  'nothing is added to a deleted trip');

select * from finish();
rollback;
