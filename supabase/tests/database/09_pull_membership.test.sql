-- pull_changes and membership: revoke on removal, the whole trip on joining.
begin;
select plan(12);
\ir _personas.sql
\ir _pull_helpers.sql
select pg_temp.settle(100);

-- the owner removes the viewer
set local role authenticated;
set local request.jwt.claims = :'owner';
update public.trip_members set deleted_at = now() where user_id = :'viewer_id';
reset role; select pg_temp.settle(101); set local role authenticated;

set local request.jwt.claims = :'viewer';
select is(public.pull_changes(:'after_100') -> 'changes',
  jsonb_build_array(jsonb_build_object('entity', 'trips', 'id', :'trip', 'trip_id', :'trip', 'op', 'revoke', 'version', null, 'row', null)),
  'a removed member pulls one revoke for the trip, and no row data');
select is(pg_temp.ops(public.pull_changes('v1:99:0')), '["trips:revoke"]',
  'from an older cursor too: only the revoke, nothing of the trip');
select is(public.pull_changes(null) -> 'changes', '[]', 'and a fresh client of theirs gets nothing of the trip');

set local request.jwt.claims = :'owner';
select is(pg_temp.ops(public.pull_changes(:'after_100')), '["trip_members:delete"]', 'the owner pulls the membership tombstone');

-- the owner adds the stranger, who accepts: their next pull has the whole trip
insert into public.trip_members (trip_id, user_id, role) values (:'trip', :'stranger_id', 'editor');
set local request.jwt.claims = :'stranger';
update public.trip_members set status = 'active' where user_id = :'stranger_id' and trip_id = :'trip';
reset role; select pg_temp.settle(102); set local role authenticated;

set local request.jwt.claims = :'stranger';
create temporary table joined as select public.pull_changes(:'after_101') as p;
select is((select pg_temp.ops(p) from joined),
  '["trip_members:upsert", "trips:upsert", "trip_members:upsert", "trip_members:upsert", "trip_members:upsert", "people:upsert", "rule_overrides:upsert", "items:upsert"]',
  'a member who accepted pulls the trip''s current state, though it was written before their cursor');
select ok((select p -> 'changes' @> jsonb_build_array(jsonb_build_object('id', :'item', 'op', 'upsert')) from joined),
  'including its items');
select is((select p -> 'has_more' from joined), 'false', 'in one page when it fits');
select is(pg_temp.pull_all(:'after_101', 2) -> 'changes', (select p -> 'changes' from joined),
  'or across pages of 2 when it does not');
select matches(public.pull_changes(:'after_101', 2) ->> 'cursor', '^v1:102:[0-9]+:10000000-0000-4000-8000-000000000001:[a-z_]+:',
  'a snapshot in progress is carried in the cursor, naming the entity it is in');

-- a trip created after the cursor is not snapshotted twice
insert into public.trips (id, name) values ('10000000-0000-4000-8000-000000000009', 'New');
reset role; select pg_temp.settle(103); set local role authenticated;
select is(pg_temp.ops(public.pull_changes(:'after_102')), '["trips:upsert", "trip_members:upsert"]',
  'a trip the caller created arrives once, from the log');

-- removed, then added back: the trip comes back whole, no revoke
set local request.jwt.claims = :'owner';
insert into public.trip_members (trip_id, user_id, role) values (:'trip', :'viewer_id', 'viewer');
set local request.jwt.claims = :'viewer';
update public.trip_members set status = 'active' where user_id = :'viewer_id' and deleted_at is null;
reset role; select pg_temp.settle(104); set local role authenticated;
set local request.jwt.claims = :'viewer';
select ok(pg_temp.ops(public.pull_changes(:'after_100')) ? 'trips:upsert', 'a member added back pulls the trip again');
select ok(not pg_temp.ops(public.pull_changes(:'after_100')) ? 'trips:revoke', 'and no revoke');

select * from finish();
rollback;
