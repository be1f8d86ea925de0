-- push_changes: at-most-once, client ids, mass assignment, bad changes in a
-- batch, argument errors, and permissions per persona (never bypassing RLS).
begin;
select plan(40);
\ir _personas.sql
\ir _push_helpers.sql
create function pg_temp.error_code(change jsonb) returns text language sql as $$
  select pg_temp.push1(change) -> 'error' ->> 'code'
$$;

set local role authenticated;
set local request.jwt.claims = :'owner';

-- at most once
create temporary table first_result as
  select pg_temp.push1(pg_temp.change(1, 'upsert', 'items', '30000000-0000-4000-8000-000000000010', null,
    jsonb_build_object('trip_id', :'trip', 'name', 'Boots'))) as r;
create temporary table log_before as select count(*) as n from public.change_log;
select is(pg_temp.push1(pg_temp.change(1, 'upsert', 'items', '30000000-0000-4000-8000-000000000010', null,
    jsonb_build_object('trip_id', :'trip', 'name', 'Boots'))), (select r from first_result),
  're-sending a processed change returns the first result');
select is((select count(*) from public.change_log), (select n from log_before), 'and writes nothing');
select is(pg_temp.push1(pg_temp.change(1, 'upsert', 'items', '30000000-0000-4000-8000-000000000010', 1,
    '{"name": "Different"}')) ->> 'status', 'applied', 'whatever the repeat now says, the stored result wins');
select is((select name from public.items where id = '30000000-0000-4000-8000-000000000010'), 'Boots', 'and the row is untouched');
select is((select jsonb_agg(r ->> 'status') from jsonb_array_elements(public.push_changes('c0000000-0000-4000-8000-000000000001', jsonb_build_array(
    pg_temp.change(2, 'upsert', 'items', '30000000-0000-4000-8000-000000000011', null, jsonb_build_object('trip_id', :'trip', 'name', 'Cap')),
    pg_temp.change(2, 'upsert', 'items', '30000000-0000-4000-8000-000000000011', null, jsonb_build_object('trip_id', :'trip', 'name', 'Cap')))) -> 'results') r),
  '["applied", "applied"]'::jsonb, 'the same change twice in a batch: the second repeats the first');
select is((select version from public.items where id = '30000000-0000-4000-8000-000000000011'), 1::bigint, 'and is written once');

-- client ids belong to their first user
set local request.jwt.claims = :'stranger';
select throws_like($$select public.push_changes('c0000000-0000-4000-8000-000000000001', '[]')$$, 'client_forbidden:%',
  'another user cannot use a client id');
set local request.jwt.claims = :'owner';

-- mass assignment
select is(pg_temp.error_code(pg_temp.change(10 + i, 'upsert', 'items', :'item', 1, jsonb_build_object(f, v))), 'forbidden_field',
  format('clients cannot set %s', f))
from (values (0, 'version', '9'::jsonb), (1, 'created_at', '"2020-01-01T00:00:00Z"'), (2, 'updated_at', '"2020-01-01T00:00:00Z"'),
  (3, 'deleted_at', '"2020-01-01T00:00:00Z"'), (4, 'created_by', to_jsonb(:'stranger_id'::text)),
  (5, 'trip_id', to_jsonb(:'stranger_trip'::text)), (6, 'id', '"30000000-0000-4000-8000-0000000000ff"')) m(i, f, v);
select is((select version from public.items where id = :'item'), 1::bigint, 'none of them was written');

-- one bad change does not abort the batch
select is((select jsonb_agg(jsonb_build_array(r ->> 'status', r -> 'error' ->> 'code')) from jsonb_array_elements(
  public.push_changes('c0000000-0000-4000-8000-000000000001', jsonb_build_array(
    pg_temp.change(30, 'upsert', 'items', '30000000-0000-4000-8000-000000000030', null, jsonb_build_object('trip_id', :'trip', 'name', 'A')),
    pg_temp.change(31, 'upsert', 'items', '30000000-0000-4000-8000-000000000031', null, jsonb_build_object('trip_id', :'trip', 'name', 'B', 'quantity', -1)),
    pg_temp.change(32, 'upsert', 'items', '30000000-0000-4000-8000-000000000032', null, jsonb_build_object('trip_id', :'trip', 'name', 'C', 'person_id', :'trip')),
    pg_temp.change(33, 'upsert', 'items', '30000000-0000-4000-8000-000000000033', null, jsonb_build_object('trip_id', :'trip', 'name', 'D', 'quantity', 'many')),
    pg_temp.change(34, 'upsert', 'items', '30000000-0000-4000-8000-000000000034', null, jsonb_build_object('trip_id', :'trip', 'name', 'E')),
    pg_temp.change(35, 'upsert', 'gadgets', '30000000-0000-4000-8000-000000000035', null, '{}'),
    pg_temp.change(36, 'upsert', 'items', '30000000-0000-4000-8000-000000000036', null, jsonb_build_object('trip_id', :'trip', 'name', 'F', 'colour', 'red')),
    jsonb_build_object('change_id', 'd0000000-0000-4000-8000-000000000037', 'entity', 'items', 'op', 'upsert', 'fields', '{}'),
    pg_temp.change(38, 'replace', 'items', '30000000-0000-4000-8000-000000000038', null, '{}'))) -> 'results') r),
  '[["applied", null], ["rejected", "check_violation"], ["rejected", "foreign_key_violation"], ["rejected", "invalid_field"],
    ["applied", null], ["rejected", "unknown_entity"], ["rejected", "invalid_field"], ["rejected", "invalid_change"], ["rejected", "invalid_change"]]'::jsonb,
  'each bad change is rejected with its code; the good ones apply');
select is((select count(*)::int from public.items where id in ('30000000-0000-4000-8000-000000000030', '30000000-0000-4000-8000-000000000034')), 2,
  'the good changes of that batch were written');
select is((select count(*)::int from public.items where id in ('30000000-0000-4000-8000-000000000031', '30000000-0000-4000-8000-000000000032',
  '30000000-0000-4000-8000-000000000033', '30000000-0000-4000-8000-000000000036')), 0, 'the bad ones were not');

-- whole-call errors
select throws_ok($$select public.push_changes('c0000000-0000-4000-8000-000000000001', (select jsonb_agg(jsonb_build_object('change_id', gen_random_uuid())) from generate_series(1, 1001)))$$,
  '54000', null, 'more than 1000 changes raise');
select throws_like($$select public.push_changes('c0000000-0000-4000-8000-000000000001', (select jsonb_agg('{}'::jsonb) from generate_series(1, 1001)))$$,
  'too_many_changes:%', 'with a too_many_changes message');
select throws_like($$select public.push_changes('c0000000-0000-4000-8000-000000000001', '{"change_id": 1}')$$,
  'invalid_argument:%', 'changes must be an array');
select throws_like($$select public.push_changes(null, '[]')$$, 'invalid_argument:%', 'client_id is required');
set local request.jwt.claims = '';
select throws_like($$select public.push_changes('c0000000-0000-4000-8000-000000000001', '[]')$$, 'not_authenticated:%',
  'a call without a user raises not_authenticated');
reset role;
set local role anon;
select throws_ok($$select public.push_changes('c0000000-0000-4000-8000-000000000001', '[]')$$, '42501', null,
  'anon cannot call push_changes');
reset role;
set local role authenticated;

-- permissions per persona, through push
set local request.jwt.claims = :'editor';
select is(pg_temp.push1(pg_temp.change(50, 'upsert', 'items', :'item', 1, '{"packed": true}')) ->> 'status', 'applied', 'editor edits an item');
select is(pg_temp.error_code(pg_temp.change(51, 'upsert', 'trips', :'trip', 1, '{"name": "Mine"}')), 'permission_denied', 'editor cannot rename the trip');
select is(pg_temp.error_code(pg_temp.change(52, 'delete', 'trips', :'trip', 1, null)), 'permission_denied', 'editor cannot delete the trip');
select is(pg_temp.error_code(pg_temp.change(53, 'upsert', 'trip_members', '50000000-0000-4000-8000-000000000053', null,
  jsonb_build_object('trip_id', :'trip', 'user_id', :'stranger_id', 'role', 'editor'))), 'permission_denied', 'editor cannot add members');

set local request.jwt.claims = :'viewer';
select is(pg_temp.error_code(pg_temp.change(60, 'upsert', 'items', :'item', 2, '{"packed": false}')), 'permission_denied', 'viewer cannot edit an item');
select is(pg_temp.error_code(pg_temp.change(61, 'upsert', 'items', '30000000-0000-4000-8000-000000000061', null,
  jsonb_build_object('trip_id', :'trip', 'name', 'x'))), 'permission_denied', 'viewer cannot add an item');
select is(pg_temp.error_code(pg_temp.change(62, 'delete', 'people', :'person', 1, null)), 'permission_denied', 'viewer cannot delete a person');

set local request.jwt.claims = :'stranger';
select is(pg_temp.error_code(pg_temp.change(70, 'upsert', 'items', :'item', 2, '{"name": "pwned"}')), 'not_found', 'stranger cannot see the item to edit it');
select is(pg_temp.error_code(pg_temp.change(71, 'upsert', 'items', :'item', null, jsonb_build_object('trip_id', :'stranger_trip', 'name', 'pwned'))),
  'unique_violation', 'stranger cannot take over the item''s id from their own trip');
select is(pg_temp.error_code(pg_temp.change(72, 'upsert', 'items', '30000000-0000-4000-8000-000000000072', null,
  jsonb_build_object('trip_id', :'trip', 'name', 'x'))), 'permission_denied', 'stranger cannot add to the trip');
select is(pg_temp.error_code(pg_temp.change(73, 'delete', 'items', :'item', 2, null)), 'not_found', 'stranger cannot delete the item');
select is(pg_temp.error_code(pg_temp.change(74, 'upsert', 'trip_members', '50000000-0000-4000-8000-000000000074', null,
  jsonb_build_object('trip_id', :'trip', 'user_id', :'stranger_id', 'role', 'owner'))), 'permission_denied', 'stranger cannot join the trip');

set local request.jwt.claims = :'owner';
select is(pg_temp.push1(pg_temp.change(80, 'upsert', 'trip_members', '50000000-0000-4000-8000-000000000080', null,
  jsonb_build_object('trip_id', :'trip', 'user_id', :'stranger_id', 'role', 'viewer'))) ->> 'status', 'applied', 'owner adds a member');
select is(pg_temp.error_code(pg_temp.change(81, 'upsert', 'trip_members', '50000000-0000-4000-8000-000000000080', 1,
  jsonb_build_object('user_id', :'editor_id'))), 'forbidden_field', 'a membership cannot be handed to another user');
select is(pg_temp.error_code(pg_temp.change(82, 'upsert', 'trip_members',
  (select id from public.trip_members where user_id = :'owner_id' and trip_id = :'trip'), 1, '{"role": "viewer"}')),
  'last_owner', 'the last owner cannot step down through push either');

reset role;
select results_eq($$select name, packed, deleted_at is null from public.items where id = '30000000-0000-4000-8000-000000000001'$$,
  $$values ('Socks', true, true)$$, 'only the editor''s change reached the item');

select * from finish();
rollback;
