-- What a push result's row carries (issue 12.1): an applied change that wrote
-- returns only the columns the server decided (the registry's
-- result_columns); merged, conflict and applied-without-a-write return the
-- whole server row; a membership's result carries the status the server gave
-- it. The at-most-once record replays the same text.
begin;
select plan(15);
\ir _personas.sql

\ir _push_helpers.sql

set local role authenticated;
set local request.jwt.claims = :'owner';

-- applied insert: server-managed columns only, the values the row has
select is((select array_agg(k order by k) from jsonb_object_keys(pg_temp.push1(pg_temp.change(1, 'upsert', 'items',
    '30000000-0000-4000-8000-0000000000a1', null, jsonb_build_object('trip_id', :'trip', 'name', 'Hat'))) -> 'row') k),
  '{created_at,created_by,deleted_at,id,updated_at,version}'::text[],
  'an applied insert returns the server-managed columns only');
select is(pg_temp.push1(pg_temp.change(1, 'upsert', 'items',
    '30000000-0000-4000-8000-0000000000a1', null, jsonb_build_object('trip_id', :'trip', 'name', 'Hat'))) -> 'row',
  (select jsonb_build_object('id', i.id, 'version', i.version, 'created_at', i.created_at, 'updated_at', i.updated_at,
     'deleted_at', i.deleted_at, 'created_by', i.created_by) from public.items i where i.id = '30000000-0000-4000-8000-0000000000a1'),
  'with the values the server wrote (and a repeat replays them)');

-- applied update and delete: the same columns
select is((select array_agg(k order by k) from jsonb_object_keys(pg_temp.push1(pg_temp.change(2, 'upsert', 'items',
    :'item', 1, '{"quantity": 4}')) -> 'row') k),
  '{created_at,created_by,deleted_at,id,updated_at,version}'::text[], 'an applied update returns the server-managed columns only');
select is(pg_temp.push1(pg_temp.change(3, 'delete', 'items', '30000000-0000-4000-8000-0000000000a1', 1, null)) -> 'row' ->> 'version',
  '2', 'an applied delete returns the tombstone''s version');
select isnt(pg_temp.push1(pg_temp.change(3, 'delete', 'items', '30000000-0000-4000-8000-0000000000a1', 1, null)) -> 'row' ->> 'deleted_at',
  null, 'and its deleted_at');

-- merged: the whole row (the client needs the server's fields)
update public.items set name = 'Server name' where id = :'item';
select is(pg_temp.push1(pg_temp.change(4, 'upsert', 'items', :'item', 2, '{"packed": true}')) -> 'row' ->> 'name',
  'Server name', 'a merged result returns the whole server row');
select is(pg_temp.push1(pg_temp.change(4, 'upsert', 'items', :'item', 2, '{"packed": true}')) ->> 'status',
  'merged', '(it was merged)');

-- applied without a write: the whole row
select is(pg_temp.push1(pg_temp.change(5, 'upsert', 'items', :'item', 4, '{"packed": true}')) -> 'row' ->> 'name',
  'Server name', 'an applied change that wrote nothing returns the whole server row');

-- stale, disjoint from what changed since, and the value already there:
-- applied without a write (the whole row)
select is(pg_temp.push1(pg_temp.change(7, 'upsert', 'items', :'item', 2, '{"quantity": 4}')) ->> 'status',
  'applied', 'a stale change whose values are already there is applied');
select is((select version from public.items where id = :'item'), 4::bigint, 'without a write');

-- a membership someone else is given starts invited, whatever the client sent
select is(pg_temp.push1(pg_temp.change(6, 'upsert', 'trip_members', '50000000-0000-4000-8000-0000000000a1', null,
    jsonb_build_object('trip_id', :'trip', 'user_id', :'stranger_id', 'role', 'viewer', 'status', 'active'))) -> 'row' ->> 'status',
  'invited', 'an applied membership returns the status the server gave it');
select is(pg_temp.push1(pg_temp.change(6, 'upsert', 'trip_members', '50000000-0000-4000-8000-0000000000a1', null,
    jsonb_build_object('trip_id', :'trip', 'user_id', :'stranger_id', 'role', 'viewer', 'status', 'active'))) -> 'row' ->> 'email',
  (select email from public.trip_members where id = '50000000-0000-4000-8000-0000000000a1'),
  'and the email the server filled in');

-- push_changes_text (what the sync function calls): the same results as
-- text, and the results per status; a repeat within the batch counts as its
-- first occurrence, a replayed change as what it was.
create temp table texted on commit drop as
select * from public.push_changes_text(('c' || substr(auth.uid()::text, 2))::uuid, jsonb_build_array(
  pg_temp.change(20, 'upsert', 'items', '30000000-0000-4000-8000-0000000000b1', null, jsonb_build_object('trip_id', :'trip', 'name', 'Cap')),
  pg_temp.change(20, 'upsert', 'items', '30000000-0000-4000-8000-0000000000b1', null, jsonb_build_object('trip_id', :'trip', 'name', 'Cap')),
  pg_temp.change(1, 'upsert', 'items', '30000000-0000-4000-8000-0000000000a1', null, jsonb_build_object('trip_id', :'trip', 'name', 'Hat')),
  pg_temp.change(21, 'upsert', 'no_such_table', '30000000-0000-4000-8000-0000000000b2', null, '{}')));
select is((select statuses from texted), '{"applied": 3, "rejected": 1}'::jsonb,
  'push_changes_text counts results per status (a duplicate as its first, a replay as recorded)');
select is((select body::jsonb -> 'results' -> 0 ->> 'status' from texted), 'applied', 'its body is the results as text');
select is(public.push_changes(('c' || substr(auth.uid()::text, 2))::uuid, jsonb_build_array(
    pg_temp.change(20, 'upsert', 'items', '30000000-0000-4000-8000-0000000000b1', null, jsonb_build_object('trip_id', :'trip', 'name', 'Cap')))) -> 'results' -> 0,
  (select body::jsonb -> 'results' -> 0 from texted), 'push_changes returns the same result, parsed');

select * from finish();
rollback;
