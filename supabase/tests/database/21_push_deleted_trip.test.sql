-- push_changes into a trip that was deleted meanwhile (issue 9.2): an edit
-- is a conflict with the tombstone, for the trip and every row under it; a
-- delete of what is already deleted is applied (the recorded tombstone);
-- personas who could never write still get permission_denied / not_found.
begin;
select plan(27);
\ir _personas.sql
\ir _push_helpers.sql
create function pg_temp.status(change jsonb) returns text language sql as $$
  select coalesce(r ->> 'status', '') || coalesce('/' || (r -> 'error' ->> 'code'), '')
  from pg_temp.push1(change) r
$$;

-- The owner deletes the trip: its people, items and overrides are tombstoned
-- with it (version 2); memberships stay.
set local role authenticated;
set local request.jwt.claims = :'owner';
select is(pg_temp.status(pg_temp.change(1, 'delete', 'trips', :'trip', 1, null)), 'applied', 'the owner deletes the trip');
create temporary table log_before as select count(*) as n from public.change_log where trip_id = :'trip';
grant select on log_before to authenticated;

-- editor: edits conflict with the tombstone, deletes are idempotent
set local request.jwt.claims = :'editor';
create temporary table edit as select pg_temp.push1(pg_temp.change(10, 'upsert', 'items', :'item', 1, '{"packed": true}')) as r;
select is((select r ->> 'status' from edit), 'conflict', 'editor: edit of an item of a deleted trip is a conflict');
select is((select r -> 'conflict' -> 'fields' from edit), '["deleted_at"]'::jsonb, 'on deleted_at');
select ok((select r -> 'conflict' -> 'server' ->> 'deleted_at' is not null and r -> 'row' ->> 'deleted_at' is not null
  and (r ->> 'version')::bigint = 2 and r -> 'conflict' -> 'client' = '{"packed": true}' from edit),
  'the server side is the tombstone, the client side what was sent');
select is(pg_temp.status(pg_temp.change(11, 'upsert', 'people', :'person', 1, '{"name": "Bea"}')), 'conflict', 'editor: edit of a person: conflict');
select is(pg_temp.status(pg_temp.change(12, 'upsert', 'rule_overrides', :'override', 1, '{"quantity": 3}')), 'conflict', 'editor: edit of an override: conflict');
select is(pg_temp.status(pg_temp.change(13, 'upsert', 'trips', :'trip', 1, '{"destination": "Porto"}')), 'conflict', 'editor: edit of the trip: conflict');
create temporary table del as select pg_temp.push1(pg_temp.change(14, 'delete', 'items', :'item', 1, null)) as r;
select is((select r ->> 'status' from del), 'applied', 'editor: delete of an item of a deleted trip is applied');
select ok((select r -> 'error' = 'null' and (r ->> 'version')::bigint = 2 and r -> 'row' ->> 'deleted_at' is not null from del),
  'with the recorded tombstone, no error');
select is(pg_temp.status(pg_temp.change(15, 'delete', 'people', :'person', 2, null)), 'applied', 'editor: delete of a person: applied');
select is(pg_temp.status(pg_temp.change(16, 'upsert', 'items', '30000000-0000-4000-8000-000000000099', null,
  jsonb_build_object('trip_id', :'trip', 'name', 'Hat'))), 'conflict', 'editor: a new item in a deleted trip: conflict');
select is(pg_temp.status(pg_temp.change(17, 'delete', 'trips', :'trip', 1, null)), 'rejected/permission_denied',
  'editor: deleting the trip stays an owner''s right');

-- owner: the same, plus the trip itself and its members
set local request.jwt.claims = :'owner';
create temporary table again as select pg_temp.push1(pg_temp.change(20, 'delete', 'trips', :'trip', 1, null)) as r;
select is((select r ->> 'status' from again), 'applied', 'owner: deleting the deleted trip again is applied');
select ok((select (r ->> 'version')::bigint = 2 and r -> 'row' ->> 'deleted_at' is not null and r -> 'error' = 'null' from again),
  'with the recorded tombstone');
select is(pg_temp.status(pg_temp.change(21, 'upsert', 'trips', :'trip', 1, '{"name": "Lisboa"}')), 'conflict', 'owner: rename of the deleted trip: conflict');
select is(pg_temp.status(pg_temp.change(22, 'upsert', 'items', :'item', 2, '{"name": "Wool socks"}')), 'conflict', 'owner: edit of an item: conflict');
select is(pg_temp.status(pg_temp.change(23, 'delete', 'rule_overrides', :'override', 1, null)), 'applied', 'owner: delete of an override: applied');
select is(pg_temp.status(pg_temp.change(24, 'upsert', 'trip_members',
  (select id from public.trip_members where user_id = :'viewer_id'), 1, '{"role": "editor"}')), 'conflict',
  'owner: a membership change in a deleted trip: conflict');

-- viewer: never could write, still cannot
set local request.jwt.claims = :'viewer';
select is(pg_temp.status(pg_temp.change(30, 'upsert', 'items', :'item', 2, '{"packed": true}')), 'rejected/permission_denied', 'viewer: edit refused');
select is(pg_temp.status(pg_temp.change(31, 'delete', 'items', :'item', 2, null)), 'rejected/permission_denied', 'viewer: delete refused');
select is(pg_temp.status(pg_temp.change(32, 'delete', 'trips', :'trip', 2, null)), 'rejected/permission_denied', 'viewer: trip delete refused');
select is(pg_temp.status(pg_temp.change(33, 'upsert', 'items', '30000000-0000-4000-8000-000000000098', null,
  jsonb_build_object('trip_id', :'trip', 'name', 'Hat'))), 'rejected/permission_denied', 'viewer: a new item refused');

-- stranger: cannot see the rows at all
set local request.jwt.claims = :'stranger';
select is(pg_temp.status(pg_temp.change(40, 'upsert', 'items', :'item', 2, '{"packed": true}')), 'rejected/not_found', 'stranger: edit is not_found');
select is(pg_temp.status(pg_temp.change(41, 'delete', 'trips', :'trip', 2, null)), 'rejected/not_found', 'stranger: trip delete is not_found');
select is(pg_temp.status(pg_temp.change(42, 'upsert', 'items', '30000000-0000-4000-8000-000000000097', null,
  jsonb_build_object('trip_id', :'trip', 'name', 'Hat'))), 'rejected/permission_denied', 'stranger: a new item refused');

-- nothing above wrote a row
reset role;
select is((select count(*) from public.change_log where trip_id = :'trip'), (select n from log_before), 'conflicts and idempotent deletes write nothing');
select is((select version from public.items where id = :'item'), 2::bigint, 'the item is still the tombstone of version 2');

select * from finish();
rollback;
