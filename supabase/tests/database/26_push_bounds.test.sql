-- What one push may cost is bounded whatever its shape (issue 14.1): a row
-- changed more than max_rounds times, failing writes past the bisection
-- budget, and stale changes against a long history. What is left over comes
-- back rejected / retry_later, is not recorded, and goes through when sent
-- again. (push_limits: 8 rounds, 100 versions of history, 64 retries.)
begin;
select plan(11);
\ir _personas.sql
\ir _push_helpers.sql
create function pg_temp.counts(results jsonb) returns jsonb language sql as $$
  select jsonb_object_agg(k, n) from (
    select coalesce(r -> 'error' ->> 'code', r ->> 'status') as k, count(*) as n
    from jsonb_array_elements(results) r group by 1) x
$$;

set local role authenticated;
set local request.jwt.claims = :'owner';

-- 1. The same item 20 times in one push (each based on the version before).
create temporary table same_row as select jsonb_agg(pg_temp.change(100 + g, 'upsert', 'items', :'item', g,
    jsonb_build_object('quantity', g + 1)) order by g) as changes
  from generate_series(1, 20) g;
create temporary table first_push as
  select public.push_changes('c0000000-0000-4000-8000-000000000001', (select changes from same_row)) -> 'results' as r;
select is((select pg_temp.counts(r) from first_push), '{"applied": 8, "retry_later": 12}'::jsonb,
  'a row changed 20 times in one push: 8 rounds run, the rest is retry_later');
select is((select jsonb_agg(x ->> 'status') -> 8 from first_push, jsonb_array_elements(r) x), '"rejected"',
  'retry_later is a rejection');
reset role;
select is((select count(*)::int from packsync_private.processed_changes
  where change_id in (select (x ->> 'change_id')::uuid from same_row, jsonb_array_elements(changes) x)), 8,
  'only the processed changes are recorded');
set local role authenticated;
select is((select version from public.items where id = :'item'), 9::bigint, 'the item moved 8 versions');
create temporary table second_push as
  select public.push_changes('c0000000-0000-4000-8000-000000000001', (select changes from same_row)) -> 'results' as r;
select is((select (r -> 0) = (select r -> 0 from first_push) from second_push), true, 'sent again: the stored results come back');
select is((select pg_temp.counts(r) from second_push), '{"applied": 16, "retry_later": 4}'::jsonb,
  'and the next 8 go through');

-- 2. 300 creates that each fail a foreign key: bisection stops at its budget.
create temporary table bad_fk as
  select public.push_changes('c0000000-0000-4000-8000-000000000001', jsonb_agg(pg_temp.change(1000 + g, 'upsert', 'items',
    gen_random_uuid(), null, jsonb_build_object('trip_id', :'trip', 'name', 'x', 'person_id', gen_random_uuid())))) -> 'results' as r
  from generate_series(1, 300) g;
select ok((select (pg_temp.counts(r) ->> 'retry_later')::int > 200 and (pg_temp.counts(r) ->> 'foreign_key_violation')::int between 1 and 40
  from bad_fk), 'failing writes past the budget come back retry_later, a few are singled out');
reset role;
select is((select count(*)::int from packsync_private.processed_changes p, bad_fk, jsonb_array_elements(r) x
  where p.change_id = (x ->> 'change_id')::uuid), (select (pg_temp.counts(r) ->> 'foreign_key_violation')::int from bad_fk),
  'only the final rejections are recorded');
set local role authenticated;

-- 3. A stale change against more history than max_history: every field
-- counts as changed, so a field nobody touched is a conflict, not a merge.
reset role;
do $$ begin
  for g in 1 .. 150 loop
    update public.people set name = 'Ana ' || g where id = '20000000-0000-4000-8000-000000000001';
  end loop;
end $$;
set local role authenticated;
select is(pg_temp.push1(pg_temp.change(5000, 'upsert', 'people', :'person', 1, '{"kind": "child"}')) ->> 'status',
  'conflict', 'a stale change 150 versions behind is a conflict (its history is not read)');
reset role;
update public.people set name = 'Bea' where id = :'person';
set local role authenticated;
select is(pg_temp.push1(pg_temp.change(5001, 'upsert', 'people', :'person', (select version - 1 from public.people where id = :'person'),
  '{"kind": "infant"}')) ->> 'status', 'merged', 'one version behind on another field still merges');
select is(pg_temp.push1(pg_temp.change(5002, 'upsert', 'people', :'person', 999, '{"name": "Cy"}')) -> 'error' ->> 'code',
  'invalid_base_version', '(and a base ahead of the server is still refused)');

select * from finish();
rollback;
