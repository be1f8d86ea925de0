-- push_changes and input the server never issued or cannot place (issues
-- 14.3, 14.8): a base_version above the server's is refused, not merged; a
-- change without an entity is one rejected result, the rest of the batch
-- goes through.
begin;
select plan(9);
\ir _personas.sql
\ir _push_helpers.sql

set local role authenticated;
set local request.jwt.claims = :'owner';
select is(pg_temp.push1(pg_temp.change(1, 'upsert', 'items', :'item', 1, '{"name": "Owner socks"}')) ->> 'status', 'applied',
  'the owner edits the item (version 2)');

set local request.jwt.claims = :'editor';
create temporary table ahead as
  select pg_temp.push1(pg_temp.change(2, 'upsert', 'items', :'item', 999999, '{"name": "Mine"}')) as r;
select is((select r ->> 'status' from ahead), 'rejected', 'a base_version above the server''s is rejected');
select is((select r -> 'error' ->> 'code' from ahead), 'invalid_base_version', 'as invalid_base_version');
select is((select name from public.items where id = :'item'), 'Owner socks', 'and the newer edit is kept');
select is(pg_temp.push1(pg_temp.change(3, 'upsert', 'items', :'item', 3, '{"name": "Mine"}')) -> 'error' ->> 'code',
  'invalid_base_version', 'one above is enough');
select is(pg_temp.push1(pg_temp.change(4, 'upsert', 'items', :'item', 1, '{"name": "Mine"}')) ->> 'status', 'conflict',
  'a base below the server''s is the usual conflict');

-- a change without an entity (or with null) among good ones
create temporary table mixed as select public.push_changes('c0000000-0000-4000-8000-000000000002', jsonb_build_array(
  pg_temp.change(10, 'upsert', 'items', '30000000-0000-4000-8000-000000000020', null, jsonb_build_object('trip_id', :'trip', 'name', 'Cap')),
  pg_temp.change(11, 'upsert', 'items', '30000000-0000-4000-8000-000000000021', null, jsonb_build_object('trip_id', :'trip', 'name', 'Hat')) - 'entity',
  jsonb_set(pg_temp.change(12, 'upsert', 'items', '30000000-0000-4000-8000-000000000022', null, jsonb_build_object('trip_id', :'trip', 'name', 'Scarf')), '{entity}', 'null'))) -> 'results' as r;
select is((select jsonb_agg(x ->> 'status') from mixed, jsonb_array_elements(r) x), '["applied", "rejected", "rejected"]'::jsonb,
  'a change without an entity is one rejected result; the others go through');
select is((select jsonb_agg(x -> 'error' ->> 'code') from mixed, jsonb_array_elements(r) x), '[null, "unknown_entity", "unknown_entity"]'::jsonb,
  'as unknown_entity');
select is((select count(*)::int from public.items where id in ('30000000-0000-4000-8000-000000000021', '30000000-0000-4000-8000-000000000022')), 0,
  'and writes nothing for them');

select * from finish();
rollback;
