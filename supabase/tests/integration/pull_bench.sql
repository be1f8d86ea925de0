-- Manual check (not part of the test suite): pull cost against a big log, and
-- the plans of pull_changes' and push_changes' statements (auto_explain).
--   psql "$PACKSYNC_DB_URL" -f supabase/tests/integration/pull_bench.sql 2>&1 | less
-- One transaction, rolled back. The caller's rows are relabelled as settled
-- transactions (as the pgTAP pull tests do), around a million rows of other
-- trips' history.
\set ON_ERROR_STOP on
begin;
insert into auth.users (id, email) values ('0be00000-0000-4000-8000-000000000002', 'pull-bench@packsync.test');
set local role authenticated;
set local request.jwt.claims = '{"sub":"0be00000-0000-4000-8000-000000000002","role":"authenticated"}';
insert into public.trips (id, name) values ('0be00000-0000-4000-8000-0000000000bb', 'Pull bench trip');
insert into public.items (trip_id, name, quantity)
select '0be00000-0000-4000-8000-0000000000bb', 'item ' || g, 1 from generate_series(1, 3000) g;
reset role;
update public.change_log set xid = '400'::xid8 where xid = pg_current_xact_id();
-- other trips' history, before and after the caller's
insert into public.change_log (xid, entity, row_id, trip_id, op, version, changed_fields)
select (100 + g % 600)::text::xid8, 'items', gen_random_uuid(), md5('trip' || (g % 20000))::uuid, 'insert', 1, '{}'
from generate_series(1, :rows) g;
analyze public.change_log;
select count(*) as log_rows from public.change_log;

set local role authenticated;
set local request.jwt.claims = '{"sub":"0be00000-0000-4000-8000-000000000002","role":"authenticated"}';
\timing on
select jsonb_array_length(public.pull_changes('v1:99:0', 1000) -> 'changes') as pulled_from_log;
select jsonb_array_length(public.pull_changes('v1:99:0', 1000) -> 'changes') as pulled_from_log_again;
select jsonb_array_length(public.pull_changes(null, 1000) -> 'changes') as pulled_snapshot;
\timing off

-- Plans of every statement inside pull_changes and push_changes.
reset role;
load 'auto_explain';
set local auto_explain.log_min_duration = 0;
set local auto_explain.log_nested_statements = on;
set local auto_explain.log_analyze = on;
set local auto_explain.log_buffers = on;
set local auto_explain.log_timing = on;
set local client_min_messages = log;
set local role authenticated;
select jsonb_array_length(public.pull_changes('v1:99:0', 1000) -> 'changes') as explained_pull;
-- push: 500 updates at the current version of rows with history in the log
select jsonb_array_length(public.push_changes('0be00000-0000-4000-8000-0000000000dd', (
  select jsonb_agg(jsonb_build_object('change_id', gen_random_uuid(), 'entity', 'items', 'op', 'upsert', 'id', i.id,
    'base_version', case when n % 2 = 0 then i.version else 0 end, 'fields', jsonb_build_object('packed', true)))
  from (select i.*, row_number() over (order by i.id) n from public.items i
        where i.trip_id = '0be00000-0000-4000-8000-0000000000bb' limit 500) i)) -> 'results') as explained_push;
rollback;
