-- Snapshots carry deleted generated items (rule_id set) as deletes with their
-- row, so a device that joins or resyncs keeps the user's delete when the
-- rules run again; deleted hand-made items and invitees' previews carry none.
begin;
select plan(6);
\ir _personas.sql
\ir _pull_helpers.sql

\set generated '30000000-0000-4000-8000-000000000002'
\set generated_live '30000000-0000-4000-8000-000000000003'
set local role authenticated;
set local request.jwt.claims = :'owner';
insert into public.items (id, trip_id, person_id, name, rule_id, day) values
  (:'generated', :'trip', :'person', 'Ski wax', 'ski.wax', null),
  (:'generated_live', :'trip', :'person', 'Gloves', 'ski.gloves', null);
update public.items set deleted_at = now() where id in (:'generated', :'item');
reset role; select pg_temp.settle(100); set local role authenticated;

select is(
  (select jsonb_agg(c ->> 'op' order by c ->> 'id') from jsonb_array_elements(public.pull_changes(null) -> 'changes') c
   where c ->> 'entity' = 'items'),
  '["delete", "upsert"]',
  'a snapshot brings the deleted generated item as a delete and the live one; not the deleted hand-made item');
select is(
  (select c -> 'row' ->> 'rule_id' from jsonb_array_elements(public.pull_changes(null) -> 'changes') c
   where c ->> 'id' = :'generated'),
  'ski.wax', 'with its row, rule and person (what regeneration matches on)');
select ok(
  (select (c -> 'row' ->> 'deleted_at') is not null from jsonb_array_elements(public.pull_changes(null) -> 'changes') c
   where c ->> 'id' = :'generated'),
  'and its deleted_at');
select is(pg_temp.pull_all(null, 1) -> 'changes', public.pull_changes(null) -> 'changes',
  'pages of 1 carry the same snapshot');

-- The text form the sync function serves says the same.
select is((select body from public.pull_changes_text(null, 1000, null))::jsonb -> 'changes', public.pull_changes(null) -> 'changes',
  'pull_changes_text sends the same snapshot');

-- An invitee's preview: the trip's name, no content, no tombstones.
reset role;
set local request.jwt.claims = '';
delete from public.trip_members where trip_id = :'trip' and user_id = :'viewer_id';
set local role authenticated;
set local request.jwt.claims = :'owner';
select public.invite_member(:'trip', 'viewer@packsync.test', 'viewer');
set local request.jwt.claims = :'viewer';
select is(
  (select count(*)::int from jsonb_array_elements(public.pull_changes(null) -> 'changes') c where c ->> 'entity' = 'items'),
  0, 'an invitee''s preview carries no items, deleted or not');

select * from finish();
rollback;
