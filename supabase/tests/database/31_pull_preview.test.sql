-- An invitee's preview stays current: their incremental pull serves the trip
-- row's own log (renames, the delete), cut to the preview columns, and
-- nothing of its people, items, overrides, other members or other columns.
-- Declining or being removed is a revoke, after which nothing more arrives.
begin;
select plan(16);
\ir _personas.sql
\ir _pull_helpers.sql
\ir _push_helpers.sql
\set after_105 'v1:105:9223372036854775807'
\set invitee '{"sub":"00000000-0000-4000-8000-000000000005","role":"authenticated"}'
\set invitee_id '00000000-0000-4000-8000-000000000005'
\set removed '{"sub":"00000000-0000-4000-8000-000000000006","role":"authenticated"}'
\set removed_id '00000000-0000-4000-8000-000000000006'
insert into auth.users (id, email) values
  (:'invitee_id', 'invitee@packsync.test'), (:'removed_id', 'removed@packsync.test');
select pg_temp.settle(100);
create function pg_temp.preview_keys(pulled jsonb) returns text[] language sql as $$
  select array_agg(distinct k order by k) from jsonb_array_elements(pulled -> 'changes') c, jsonb_object_keys(c -> 'row') k
  where c ->> 'entity' = 'trips'
$$;

-- The owner invites the stranger, the invitee and someone they remove later.
set local role authenticated;
set local request.jwt.claims = :'owner';
select public.invite_member(:'trip', 'stranger@packsync.test', 'editor');
select public.invite_member(:'trip', 'invitee@packsync.test', 'viewer');
select public.invite_member(:'trip', 'removed@packsync.test', 'viewer');
reset role; select pg_temp.settle(101); set local role authenticated;

-- Then renames the trip and changes its content and another membership.
set local request.jwt.claims = :'owner';
update public.trips set name = 'Lisboa' where id = :'trip';
update public.people set name = 'Ana Maria' where id = :'person';
update public.rule_overrides set quantity = 4 where id = :'override';
insert into public.items (trip_id, name) values (:'trip', 'Umbrella');
update public.trip_members set role = 'editor' where user_id = :'viewer_id';
reset role; select pg_temp.settle(102); set local role authenticated;

set local request.jwt.claims = :'stranger';
create temporary table renamed as select public.pull_changes(:'after_101') as p;
select is((select pg_temp.ops(p) from renamed), '["trips:upsert"]',
  'an invitee pulls the rename, and nothing of people, items, overrides or members');
select is((select pg_temp.preview_keys(p) from renamed),
  '{created_at,created_by,deleted_at,id,name,updated_at,version}'::text[], 'the trip row cut to its preview columns');
select is((select (c -> 'row' ->> 'name') || ' v' || (c ->> 'version') from renamed, jsonb_array_elements(p -> 'changes') c),
  'Lisboa v2', 'the new name, at the row''s version');
select is(pg_temp.ops(pg_temp.pull_all(:'after_101', 1)), '["trips:upsert"]', 'the same in pages of one');
set local request.jwt.claims = :'viewer';
select ok((select p -> 'changes' @> jsonb_build_array(jsonb_build_object('entity', 'trips', 'row',
    jsonb_build_object('name', 'Lisboa', 'destination', 'Portugal'))) from (select public.pull_changes(:'after_101') as p) x),
  'an active member pulls the whole row as before');

-- A change of no preview column is not news to an invitee.
set local request.jwt.claims = :'owner';
update public.trips set destination = 'Spain' where id = :'trip';
reset role; select pg_temp.settle(103); set local role authenticated;
set local request.jwt.claims = :'stranger';
select is(pg_temp.ops(public.pull_changes(:'after_102')), '[]', 'a destination change does not reach an invitee');

-- Declining and being removed are revokes; later renames do not follow.
set local request.jwt.claims = :'invitee';
select is(pg_temp.push1(pg_temp.change(1, 'delete', 'trip_members',
    (select id from public.trip_members where user_id = :'invitee_id'), 1, null)) ->> 'status', 'applied', 'the invitee declines');
set local request.jwt.claims = :'owner';
update public.trip_members set deleted_at = now() where user_id = :'removed_id';
reset role; select pg_temp.settle(104); set local role authenticated;
set local request.jwt.claims = :'invitee';
select is(pg_temp.ops(public.pull_changes(:'after_103')), '["trips:revoke"]', 'a declined invitation is a revoke');
set local request.jwt.claims = :'removed';
select is(pg_temp.ops(public.pull_changes(:'after_103')), '["trips:revoke"]', 'a removed invitation is a revoke');

set local request.jwt.claims = :'owner';
update public.trips set name = 'Lisbon again' where id = :'trip';
reset role; select pg_temp.settle(105); set local role authenticated;
set local request.jwt.claims = :'invitee';
select is(pg_temp.ops(public.pull_changes(:'after_104')), '[]', 'after declining, a rename does not arrive');
set local request.jwt.claims = :'removed';
select is(pg_temp.ops(public.pull_changes(:'after_104')), '[]', 'after removal, a rename does not arrive');
set local request.jwt.claims = :'stranger';
select is((select c -> 'row' ->> 'name' from jsonb_array_elements(public.pull_changes(:'after_104') -> 'changes') c),
  'Lisbon again', 'the invitee still pending gets it');

-- The owner deletes the trip: the invitee's device drops it.
set local request.jwt.claims = :'owner';
update public.trips set deleted_at = now() where id = :'trip';
reset role; select pg_temp.settle(106); set local role authenticated;
set local request.jwt.claims = :'stranger';
create temporary table deleted as select public.pull_changes(:'after_105') as p;
select is((select pg_temp.ops(p) from deleted), '["trips:delete"]',
  'an invitee pulls the trip''s delete, not the tombstones of its content');
select is((select pg_temp.preview_keys(p) from deleted),
  '{created_at,created_by,deleted_at,id,name,updated_at,version}'::text[], 'cut to its preview columns too');
select is((select count(*)::int from jsonb_array_elements(public.pull_changes(null) -> 'changes') c where c ->> 'trip_id' = :'trip'),
  0, 'a fresh client of theirs gets nothing of the deleted trip');
set local request.jwt.claims = :'invitee';
select is(pg_temp.ops(public.pull_changes(:'after_105')), '[]', 'nor does someone who declined');

select * from finish();
rollback;
