-- Membership with consent, as pull serves it (issue 14.4, pull side): an
-- invitee pulls their own membership and a preview of the trip (its name and
-- server columns), nothing of its content or other members, until they
-- accept; then the whole trip arrives. Declining is a revoke. The invitee
-- accepts and declines through push_changes too.
begin;
select plan(17);
\ir _personas.sql
\ir _pull_helpers.sql
\ir _push_helpers.sql
\set invitee '{"sub":"00000000-0000-4000-8000-000000000005","role":"authenticated"}'
\set invitee_id '00000000-0000-4000-8000-000000000005'
insert into auth.users (id, email) values (:'invitee_id', 'invitee@packsync.test');
select pg_temp.settle(100);

-- The owner invites the stranger and the invitee.
set local role authenticated;
set local request.jwt.claims = :'owner';
select public.invite_member(:'trip', 'stranger@packsync.test', 'editor');
select public.invite_member(:'trip', 'invitee@packsync.test', 'viewer');
reset role; select pg_temp.settle(101); set local role authenticated;

set local request.jwt.claims = :'stranger';
create temporary table invited_pull as select public.pull_changes(:'after_100') as p;
select is((select pg_temp.ops(p) from invited_pull), '["trip_members:upsert", "trips:upsert", "trip_members:upsert"]',
  'an invitee pulls their invitation and a preview of the trip');
select is((select jsonb_agg(c -> 'row' ->> 'status') from invited_pull, jsonb_array_elements(p -> 'changes') c
    where c ->> 'entity' = 'trip_members'), '["invited", "invited"]', 'their own membership, still invited');
select is((select array_agg(k order by k) from invited_pull, jsonb_array_elements(p -> 'changes') c, jsonb_object_keys(c -> 'row') k
    where c ->> 'entity' = 'trips'),
  '{created_at,created_by,deleted_at,id,name,updated_at,version}'::text[], 'the trip: its name and server columns only');
select is((select c -> 'row' ->> 'name' from invited_pull, jsonb_array_elements(p -> 'changes') c where c ->> 'entity' = 'trips'),
  'Lisbon', 'named');
select is((select count(*)::int from invited_pull, jsonb_array_elements(p -> 'changes') c
    where c ->> 'entity' in ('people', 'items', 'rule_overrides') or (c ->> 'entity' = 'trip_members' and c -> 'row' ->> 'user_id' <> :'stranger_id')),
  0, 'no people, items, overrides or other members');
create temporary table fresh as select public.pull_changes(null) as p;
select is((select array_agg(distinct c ->> 'entity' order by c ->> 'entity') from fresh, jsonb_array_elements(p -> 'changes') c
    where c ->> 'trip_id' = :'trip'), '{trip_members,trips}'::text[], 'a fresh client of theirs gets the same preview');
select ok((select p -> 'changes' @> jsonb_build_array(jsonb_build_object('entity', 'trips', 'id', :'stranger_trip')) from fresh),
  'and their own trip in full');

-- Content written meanwhile does not reach the invitee.
set local request.jwt.claims = :'owner';
insert into public.items (trip_id, name) values (:'trip', 'Umbrella');
reset role; select pg_temp.settle(102); set local role authenticated;
set local request.jwt.claims = :'stranger';
select is(pg_temp.ops(public.pull_changes(:'after_101')), '[]', 'the trip''s content changes do not reach an invitee');

-- The stranger accepts through push: the whole trip arrives.
select is(pg_temp.push1(pg_temp.change(1, 'upsert', 'trip_members',
    (select id from public.trip_members where user_id = :'stranger_id' and trip_id = :'trip'), 1, '{"status": "active"}')) ->> 'status',
  'applied', 'the invitee accepts through push_changes');
reset role; select pg_temp.settle(103); set local role authenticated;
set local request.jwt.claims = :'stranger';
create temporary table accepted as select public.pull_changes(:'after_102') as p;
select ok((select p -> 'changes' @> jsonb_build_array(jsonb_build_object('entity', 'items', 'id', :'item'),
    jsonb_build_object('entity', 'people', 'id', :'person')) from accepted), 'after accepting, the trip''s content arrives');
select ok((select p -> 'changes' @> jsonb_build_array(jsonb_build_object('entity', 'trips', 'id', :'trip', 'row', jsonb_build_object('destination', 'Portugal')))
  from accepted), 'and the whole trip row');
select is((select count(distinct c ->> 'id')::int from accepted, jsonb_array_elements(p -> 'changes') c
    where c ->> 'entity' = 'trip_members' and c ->> 'trip_id' = :'trip'),
  5, 'and its memberships (owner, editor, viewer, themself, the other invitation)');

-- The invitee cannot make themself an editor, but can decline (a delete).
set local request.jwt.claims = :'invitee';
select is(pg_temp.push1(pg_temp.change(2, 'upsert', 'trip_members',
    (select id from public.trip_members where user_id = :'invitee_id'), 1, '{"role": "owner"}')) -> 'error' ->> 'code',
  'permission_denied', 'an invitee cannot change their role');
select is(pg_temp.push1(pg_temp.change(3, 'delete', 'trip_members',
    (select id from public.trip_members where user_id = :'invitee_id'), 1, null)) ->> 'status',
  'applied', 'an invitee declines by deleting their membership');
reset role; select pg_temp.settle(104); set local role authenticated;
set local request.jwt.claims = :'invitee';
select is(pg_temp.ops(public.pull_changes(:'after_103')), '["trips:revoke"]', 'a declined invitation is a revoke');
select is(public.pull_changes(null) -> 'changes', '[]', 'and nothing of the trip stays');

-- An active member leaves through push too.
set local request.jwt.claims = :'viewer';
select is(pg_temp.push1(pg_temp.change(4, 'delete', 'trip_members',
    (select id from public.trip_members where user_id = :'viewer_id'), 1, null)) ->> 'status',
  'applied', 'a viewer leaves the trip through push_changes');

select * from finish();
rollback;
