-- push_changes: applied, merged, conflict (field, deleted row, delete of a
-- changed row), equal values, create of an existing id.
begin;
select plan(24);
\ir _personas.sql

\ir _push_helpers.sql

set local role authenticated;
set local request.jwt.claims = :'owner';

-- applied: base matches
select is(pg_temp.push1(pg_temp.change(1, 'upsert', 'items', :'item', 1, '{"quantity": 3}')) ->> 'status', 'applied',
  'base_version equal to the server''s: applied');
select results_eq($$select quantity, version from public.items where id = '30000000-0000-4000-8000-000000000001'$$,
  $$values (3, 2::bigint)$$, 'the change is written and the version bumped');

-- merged: stale, but the server changed other fields
select is(pg_temp.push1(pg_temp.change(2, 'upsert', 'items', :'item', 1, '{"packed": true}')) - 'row',
  jsonb_build_object('change_id', 'd0000000-0000-4000-8000-000000000002', 'status', 'merged', 'version', 3,
    'conflict', null, 'error', null), 'stale with disjoint fields: merged');
select results_eq($$select quantity, packed from public.items where id = '30000000-0000-4000-8000-000000000001'$$,
  $$values (3, true)$$, 'the merge keeps the server''s change and applies the client''s');

-- conflict: stale and the same field changed to something else
select is(pg_temp.push1(pg_temp.change(3, 'upsert', 'items', :'item', 1, '{"quantity": 5, "notes": "mine"}')) -> 'conflict',
  '{"fields": ["quantity"], "base": {"quantity": 1}, "server": {"quantity": 3}, "client": {"quantity": 5}}'::jsonb,
  'stale with an overlapping field changed differently: conflict with fields, base, server and client');
select results_eq($$select quantity, notes, version from public.items where id = '30000000-0000-4000-8000-000000000001'$$,
  $$values (3, '', 3::bigint)$$, 'a conflict writes nothing');
select is((pg_temp.push1(pg_temp.change(4, 'upsert', 'items', :'item', 1, '{"quantity": 5}')) -> 'row' ->> 'quantity')::int, 3,
  'a conflict returns the server row');

-- overlapping with equal values: applied
select is(pg_temp.push1(pg_temp.change(5, 'upsert', 'items', :'item', 1, '{"quantity": 3}')) ->> 'status', 'applied',
  'stale with overlapping fields already equal: applied');
select is((select version from public.items where id = :'item'), 3::bigint, 'and nothing needed writing');

-- delete of a row changed since base: conflict
select is(pg_temp.push1(pg_temp.change(6, 'delete', 'items', :'item', 1, null)) ->> 'status', 'conflict',
  'delete of a row changed since base: conflict');
select is((select deleted_at from public.items where id = :'item'), null, 'the row is not deleted');
-- delete at the current version: applied
select is(pg_temp.push1(pg_temp.change(7, 'delete', 'items', :'item', 3, null)) ->> 'status', 'applied',
  'delete at the current version: applied');
select ok((select deleted_at is not null and version = 4 from public.items where id = :'item'), 'the row is a tombstone, version bumped');
-- delete of a deleted row: applied, idempotent
select is(pg_temp.push1(pg_temp.change(8, 'delete', 'items', :'item', 3, null)) ->> 'status', 'applied',
  'delete of a deleted row: applied');
-- update of a deleted row: conflict
select is(pg_temp.push1(pg_temp.change(9, 'upsert', 'items', :'item', 4, '{"quantity": 1}')) -> 'conflict' -> 'fields',
  '["deleted_at"]'::jsonb, 'update of a deleted row: conflict on deleted_at');

-- create of an id that exists: handled like a stale update from version 0
select is(pg_temp.push1(pg_temp.change(10, 'upsert', 'people', :'person', null,
  jsonb_build_object('trip_id', :'trip', 'name', 'Ana', 'kind', 'adult'))) ->> 'status', 'applied',
  'create of an existing id with the same values: applied');
select is(pg_temp.push1(pg_temp.change(11, 'upsert', 'people', :'person', null,
  jsonb_build_object('trip_id', :'trip', 'name', 'Anna', 'kind', 'adult'))) -> 'conflict' -> 'fields',
  '["name"]'::jsonb, 'create of an existing id with other values: conflict');

-- a new row
select is(pg_temp.push1(pg_temp.change(12, 'upsert', 'items', '30000000-0000-4000-8000-000000000002', null,
  jsonb_build_object('trip_id', :'trip', 'name', 'Towel'))) - 'row',
  '{"change_id": "d0000000-0000-4000-8000-000000000012", "status": "applied", "version": 1, "conflict": null, "error": null}'::jsonb,
  'a new row: applied at version 1');
select is((select category from public.items where id = '30000000-0000-4000-8000-000000000002'), 'misc',
  'omitted fields take their defaults');

-- a trip and its content in one batch
select is((select jsonb_agg(r ->> 'status') from jsonb_array_elements(public.push_changes('c0000000-0000-4000-8000-000000000001', jsonb_build_array(
    pg_temp.change(20, 'upsert', 'items', '30000000-0000-4000-8000-000000000003', null, '{"trip_id": "10000000-0000-4000-8000-000000000003", "name": "Map"}'),
    pg_temp.change(21, 'upsert', 'trips', '10000000-0000-4000-8000-000000000003', null, '{"name": "Porto"}'),
    pg_temp.change(22, 'upsert', 'items', '30000000-0000-4000-8000-000000000003', 1, '{"packed": true}'))) -> 'results') r),
  '["applied", "applied", "applied"]'::jsonb, 'a batch may create a trip, fill it and edit what it created');
select is((select version from public.items where id = '30000000-0000-4000-8000-000000000003'), 2::bigint,
  'the same row twice in a batch is written twice, in order');

-- the log knows who did it
reset role;
select is((select client_id from public.change_log where row_id = :'item' and version = 2), 'c0000000-0000-4000-8000-000000000001'::uuid,
  'log rows carry the client id');
select is((select change_id from public.change_log where row_id = :'item' and version = 2), 'd0000000-0000-4000-8000-000000000001'::uuid,
  'and the change id');
select is((select status from packsync_private.processed_changes where change_id = 'd0000000-0000-4000-8000-000000000003'), 'conflict',
  'a conflict is recorded');

select * from finish();
rollback;
