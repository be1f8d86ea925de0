-- pull_changes: snapshot, order, paging, newest state, tombstones,
-- late commits, unsettled transactions, and who sees what.
begin;
select plan(20);
\ir _personas.sql
\ir _pull_helpers.sql
select pg_temp.settle(100);

set local role authenticated;
set local request.jwt.claims = :'owner';

-- a null cursor starts with a snapshot of the caller's trips
select is(pg_temp.ops(public.pull_changes(null)),
  '["trips:upsert", "trip_members:upsert", "trip_members:upsert", "trip_members:upsert", "people:upsert", "rule_overrides:upsert", "items:upsert"]',
  'a null cursor returns the current state of every trip of the caller');
select is(public.pull_changes(null) -> 'has_more', 'false', 'with has_more false');
select matches(public.pull_changes(null) ->> 'cursor', '^v1:[0-9]+:0$', 'and a cursor at the settled watermark');

-- the log, in commit order
select is(pg_temp.ops(public.pull_changes('v1:99:0')),
  '["trips:upsert", "trip_members:upsert", "trip_members:upsert", "trip_members:upsert", "people:upsert", "items:upsert", "rule_overrides:upsert"]',
  'from a cursor: every change since, in commit order');
select is((public.pull_changes('v1:99:0') -> 'changes' -> 5 -> 'row' ->> 'name'), 'Socks', 'with the row');

-- paging
select is(jsonb_array_length(public.pull_changes('v1:99:0', 3) -> 'changes'), 3, 'max_rows limits a page');
select is(public.pull_changes('v1:99:0', 3) -> 'has_more', 'true', 'and says there is more');
select is(pg_temp.pull_all('v1:99:0', 3) -> 'changes', public.pull_changes('v1:99:0') -> 'changes',
  'pages of 3 add up to the same changes in the same order');
select is(pg_temp.pull_all('v1:99:0', 1) -> 'changes', public.pull_changes('v1:99:0') -> 'changes', 'so do pages of 1');

-- newest state per row
update public.items set quantity = 2 where id = :'item';
update public.items set quantity = 3 where id = :'item';
reset role; select pg_temp.settle(101); set local role authenticated;
select is(public.pull_changes(:'after_100') -> 'changes',
  jsonb_build_array(jsonb_build_object('entity', 'items', 'id', :'item', 'trip_id', :'trip', 'op', 'upsert', 'version', 3,
    'row', (select to_jsonb(i) from public.items i where id = :'item'))),
  'a row changed twice is pulled once, in its newest state');

-- tombstones
update public.items set deleted_at = now() where id = :'item';
reset role; select pg_temp.settle(102); set local role authenticated;
select is(pg_temp.ops(public.pull_changes(:'after_101')), '["items:delete"]', 'a tombstone is pulled as a delete');
select ok((public.pull_changes(:'after_101') -> 'changes' -> 0 -> 'row' ->> 'deleted_at') is not null, 'with the tombstone row');

-- a transaction that started first but committed last is still pulled
update public.people set name = 'Late' where id = :'person';
reset role; select pg_temp.settle(104); set local role authenticated;
update public.rule_overrides set quantity = 5 where id = :'override';
reset role; select pg_temp.settle(103); set local role authenticated;
select is(pg_temp.ops(public.pull_changes(:'after_102')), '["rule_overrides:upsert", "people:upsert"]',
  'changes come in transaction order, not in the order log rows were numbered');

-- a transaction still running is not served, and the cursor stays before it
update public.rule_overrides set quantity = 6 where id = :'override';
select is(public.pull_changes(:'after_104') -> 'changes', '[]', 'changes of a running transaction are not served yet');
select ok(split_part(public.pull_changes(:'after_104') ->> 'cursor', ':', 2)::xid8 <= pg_current_xact_id(),
  'the cursor does not move past a running transaction');

-- who sees what
set local request.jwt.claims = :'viewer';
select is(jsonb_array_length(public.pull_changes('v1:99:0') -> 'changes'), 7, 'a viewer pulls the trip like the owner');
set local request.jwt.claims = :'stranger';
select is(pg_temp.ops(public.pull_changes('v1:99:0')), '["trips:upsert", "trip_members:upsert"]',
  'a stranger pulls only their own trip from the log');
select is(pg_temp.ops(public.pull_changes(null)), '["trips:upsert", "trip_members:upsert"]',
  'and only their own trip in a snapshot');
set local request.jwt.claims = '';
select throws_like($$select public.pull_changes(null)$$, 'not_authenticated:%', 'a call without a user raises not_authenticated');
reset role;
set local role anon;
select throws_ok($$select public.pull_changes(null)$$, '42501', null, 'anon cannot pull');

select * from finish();
rollback;
