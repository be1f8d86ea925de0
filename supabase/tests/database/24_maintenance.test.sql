-- Retention (issue 9.7): run_maintenance compacts the change log to its
-- horizon and prunes processed_changes with it; only service_role (and
-- postgres) may run it; a change replayed after its record was pruned is
-- processed as a stale edit, never applied twice blindly.
begin;
select plan(11);
\ir _personas.sql
\ir _push_helpers.sql

-- An old, settled history (xid 100) and an old at-most-once record.
update public.change_log set xid = '100'::xid8, at = now() - interval '200 days' where trip_id = :'trip';
set local role authenticated;
set local request.jwt.claims = :'owner';
create temporary table first as
  select pg_temp.push1(pg_temp.change(1, 'upsert', 'items', :'item', 1, '{"quantity": 5}')) as r;
reset role;
update packsync_private.processed_changes set processed_at = now() - interval '200 days'
where client_id = 'c0000000-0000-4000-8000-000000000001';
-- and a recent record that must stay
set local role authenticated;
select is(pg_temp.push1(pg_temp.change(2, 'upsert', 'items', :'item', 2, '{"packed": true}')) ->> 'status', 'applied', 'a recent change');
reset role;

set local role authenticated;
select throws_ok($$select packsync_private.run_maintenance()$$, '42501', null, 'clients cannot run maintenance');
reset role;
set local role anon;
select throws_ok($$select packsync_private.run_maintenance()$$, '42501', null, 'nor can anon');
reset role;
select throws_ok($$select packsync_private.run_maintenance('1 hour')$$, '22023', null, 'a retention below a day is refused');

set local role service_role;
create temporary table ran as select packsync_private.run_maintenance('90 days') as r;
reset role;
select ok((select (r ->> 'log_rows_removed')::int > 0 from ran), 'the old log rows are compacted');
select ok((select (r ->> 'processed_changes_removed')::int >= 1 from ran), 'the old record is pruned with them');
select is((select count(*)::int from packsync_private.processed_changes
  where client_id = 'c0000000-0000-4000-8000-000000000001' and processed_at < now() - interval '90 days'), 0, 'none older than the horizon stays');
select is((select count(*)::int from packsync_private.processed_changes
  where client_id = 'c0000000-0000-4000-8000-000000000001'), 1, 'the recent record stays');
select throws_like($$select public.pull_changes('v1:99:0')$$, 'cursor_invalid%', 'a cursor from before the horizon is refused');

-- The pruned change, sent again: processed as an edit based on version 1,
-- which the server has passed (quantity was set to 5 by it, packed since):
-- the same value again is applied without a write.
set local role authenticated;
set local request.jwt.claims = :'owner';
create temporary table replay as select pg_temp.push1(pg_temp.change(1, 'upsert', 'items', :'item', 1, '{"quantity": 5}')) as r;
select is((select r ->> 'status' from replay), 'applied', 'a replay past the horizon is processed again, as a stale edit');
select is((select version from public.items where id = :'item'), 3::bigint, 'and writes nothing new (its value is already there)');

select * from finish();
rollback;
