-- pull_changes_text: the same answer as pull_changes as text, and no echo:
-- with the caller's client id, rows that client pushed are left out, and
-- nothing else is (other callers' rows, other clients' rows, memberships,
-- trip inserts, cascades); the cursor moves past what was left out.
begin;
select plan(12);
\ir _personas.sql
\ir _pull_helpers.sql
select pg_temp.settle(100);

\set mine 'c1000000-0000-4000-8000-000000000001'
\set other 'c2000000-0000-4000-8000-000000000002'
create function pg_temp.change(n integer, op text, entity text, id uuid, base bigint, fields jsonb) returns jsonb
language sql as $$
  select jsonb_build_object('change_id', format('e0000000-0000-4000-8000-%s', lpad(n::text, 12, '0')),
    'op', op, 'entity', entity, 'id', id, 'base_version', base, 'fields', fields)
$$;
-- "entity:op" of the changes of a text answer.
create function pg_temp.text_ops(cursor text, client uuid) returns jsonb language sql as $$
  select pg_temp.ops(p.body::jsonb) from public.pull_changes_text(cursor, 1000, client) p
$$;

set local role authenticated;
set local request.jwt.claims = :'editor';
select is((select jsonb_agg(r ->> 'status') from jsonb_array_elements(public.push_changes(:'mine', jsonb_build_array(
    pg_temp.change(1, 'upsert', 'items', :'item', 1, '{"quantity": 3}'),
    pg_temp.change(2, 'upsert', 'items', '30000000-0000-4000-8000-000000000002', null,
      jsonb_build_object('trip_id', :'trip', 'name', 'Towel')))) -> 'results') r),
  '["applied", "applied"]'::jsonb, 'the editor pushes an edit and a new item from one client');
reset role;
select pg_temp.settle(101);
set local role authenticated;
set local request.jwt.claims = :'editor';

select is((select p.body::jsonb from public.pull_changes_text(:'after_100', 1000, null) p),
  public.pull_changes(:'after_100', 1000), 'without a client id: the same answer as pull_changes, as text');
select is((select p.changes from public.pull_changes_text(:'after_100', 1000, null) p), 2,
  'with the number of changes beside it');
select is(pg_temp.text_ops(:'after_100', :'mine'), '[]', 'with the pushing client''s id: its rows are left out');
select is((select (p.body::jsonb ->> 'cursor', p.has_more) from public.pull_changes_text(:'after_100', 1000, :'mine') p),
  (public.pull_changes(:'after_100', 1000) ->> 'cursor', false),
  'and the cursor moves past them as far as the full answer''s');
select is(pg_temp.text_ops(:'after_100', :'other'), '["items:upsert", "items:upsert"]', 'another client of the same user gets them');

set local request.jwt.claims = :'owner';
select is(pg_temp.text_ops(:'after_100', :'mine'), '["items:upsert", "items:upsert"]',
  'another user naming that client id still gets them (only the caller''s own rows are ever left out)');

-- The owner, from one client: a later change of the editor's row, a new trip
-- (its insert and the owner membership the server adds), then the first
-- trip deleted (its content tombstoned by the cascade).
select is((select jsonb_agg(r ->> 'status') from jsonb_array_elements(public.push_changes(:'other', jsonb_build_array(
    pg_temp.change(3, 'upsert', 'items', '30000000-0000-4000-8000-000000000002', 1, '{"packed": true}'),
    pg_temp.change(4, 'upsert', 'trips', '10000000-0000-4000-8000-000000000005', null, '{"name": "Porto"}'))) -> 'results') r),
  '["applied", "applied"]'::jsonb, 'the owner edits the editor''s new item and creates a trip');
reset role;
select pg_temp.settle(102);
set local role authenticated;
set local request.jwt.claims = :'editor';
select is(pg_temp.text_ops(:'after_101', :'mine'), '["items:upsert"]', 'the editor gets the owner''s later change of its row');
set local request.jwt.claims = :'owner';
select is(pg_temp.text_ops(:'after_101', :'other'), '["trips:upsert", "trip_members:upsert"]',
  'the owner''s own item edit is left out; its trip insert and its membership are not');

select is((select jsonb_agg(r ->> 'status') from jsonb_array_elements(public.push_changes(:'other', jsonb_build_array(
    pg_temp.change(5, 'delete', 'trips', :'trip', 1, '{}'))) -> 'results') r),
  '["applied"]'::jsonb, 'the owner deletes the first trip');
reset role;
select pg_temp.settle(103);
set local role authenticated;
set local request.jwt.claims = :'owner';
select is(pg_temp.text_ops(:'after_102', :'other'), '["people:delete", "rule_overrides:delete", "items:delete", "items:delete"]',
  'the trip''s own delete is left out; the content its cascade tombstoned is sent');

select * from finish();
rollback;
