-- The NOTIFY names the writing client only for writes its own pull leaves
-- out (20261202100000_notify_writer.sql): packsync_private.is_echo_free
-- must agree with pull_changes_text's "no echo", or a stream that skips its
-- own client's pokes would miss rows that client has to pull. For each push
-- below: the entities of the log rows that are not echo-free are exactly the
-- entities the writer's pull (with its client id) brings.
begin;
select plan(9);
\ir _personas.sql
\ir _pull_helpers.sql
\ir _push_helpers.sql
select pg_temp.settle(100);

\set mine 'c1000000-0000-4000-8000-000000000001'
\set other 'c2000000-0000-4000-8000-000000000002'
-- Entities (sorted, distinct) of the log rows of settled transaction `xid` the writer's pull must bring
-- (read as the owner of the log: clients cannot call is_echo_free).
create function pg_temp.not_echo_free(at_xid integer) returns text[] language sql as $$
  select coalesce(array_agg(distinct l.entity order by l.entity), '{}') from public.change_log l
  where l.xid = at_xid::text::xid8 and not packsync_private.is_echo_free(l.change_id, l.member_user_id, l.entity, l.op)
$$;
-- Entities (sorted, distinct) a pull from `cursor` with `client`'s id brings.
create function pg_temp.pulled(cursor text, client uuid) returns text[] language sql as $$
  select coalesce(array_agg(distinct c ->> 'entity' order by c ->> 'entity'), '{}')
  from public.pull_changes_text(cursor, 1000, client) p, jsonb_array_elements(p.body::jsonb -> 'changes') c
$$;

-- 1. An edit and a new item, by the editor from one client: nothing comes back.
set local role authenticated;
set local request.jwt.claims = :'editor';
select is((select jsonb_agg(r ->> 'status') from jsonb_array_elements(public.push_changes(:'mine', jsonb_build_array(
    pg_temp.change(1, 'upsert', 'items', :'item', 1, '{"quantity": 3}'),
    pg_temp.change(2, 'upsert', 'items', '30000000-0000-4000-8000-000000000002', null,
      jsonb_build_object('trip_id', :'trip', 'name', 'Towel')))) -> 'results') r),
  '["applied", "applied"]'::jsonb, 'the editor pushes an edit and a new item');
reset role;
select pg_temp.settle(101);
select pg_temp.not_echo_free(101) as nef101 \gset
set local role authenticated;
set local request.jwt.claims = :'editor';
select is(pg_temp.pulled(:'after_100', :'mine'), :'nef101'::text[],
  'an edit and a create: every log row echo-free, and the writer pulls nothing');

-- 2. The owner edits that item and creates a trip (its insert, and the owner
-- membership the server adds, come back to the writer).
set local request.jwt.claims = :'owner';
select is((select jsonb_agg(r ->> 'status') from jsonb_array_elements(public.push_changes(:'other', jsonb_build_array(
    pg_temp.change(3, 'upsert', 'items', '30000000-0000-4000-8000-000000000002', 1, '{"packed": true}'),
    pg_temp.change(4, 'upsert', 'trips', '10000000-0000-4000-8000-000000000005', null, '{"name": "Porto"}'))) -> 'results') r),
  '["applied", "applied"]'::jsonb, 'the owner edits the new item and creates a trip');
reset role;
select pg_temp.settle(102);
select pg_temp.not_echo_free(102) as nef102 \gset
set local role authenticated;
set local request.jwt.claims = :'owner';
select is(pg_temp.pulled(:'after_101', :'other'), :'nef102'::text[],
  'a trip created: its insert and membership are not echo-free, as the writer''s pull says');
select is(:'nef102'::text[], '{trip_members,trips}', 'and those are the two');

-- 3. The owner shares the new trip: a membership written through a push
-- comes back to the writer (pull sends memberships always).
select is((select jsonb_agg(r ->> 'status') from jsonb_array_elements(public.push_changes(:'other', jsonb_build_array(
    pg_temp.change(6, 'upsert', 'trip_members', '50000000-0000-4000-8000-000000000006', null,
      jsonb_build_object('trip_id', '10000000-0000-4000-8000-000000000005', 'user_id', :'viewer_id', 'role', 'viewer')))) -> 'results') r),
  '["applied"]'::jsonb, 'the owner shares the new trip');
reset role;
select pg_temp.settle(103);
select pg_temp.not_echo_free(103) as nef103 \gset
set local role authenticated;
set local request.jwt.claims = :'owner';
select is(pg_temp.pulled(:'after_102', :'other'), :'nef103'::text[],
  'a membership pushed: not echo-free, and the writer pulls it');

-- 4. The owner deletes the first trip: its content, tombstoned by the
-- cascade, comes back to the writer.
select is((select jsonb_agg(r ->> 'status') from jsonb_array_elements(public.push_changes(:'other', jsonb_build_array(
    pg_temp.change(5, 'delete', 'trips', :'trip', 1, '{}'))) -> 'results') r),
  '["applied"]'::jsonb, 'the owner deletes the first trip');
reset role;
select pg_temp.settle(104);
select pg_temp.not_echo_free(104) as nef104 \gset
set local role authenticated;
set local request.jwt.claims = :'owner';
select is(pg_temp.pulled(:'after_103', :'other'), :'nef104'::text[],
  'a trip deleted: the cascade''s rows are not echo-free, the trip''s own delete is');

select * from finish();
rollback;
