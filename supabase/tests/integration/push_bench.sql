-- Manual benchmark (not part of the test suite; no timed assertions anywhere):
-- push_changes of 500 new items per call vs a raw
-- `insert ... select from unnest(...) on conflict do update` of the same rows,
-- timed inside the server; then mixed batches (250 new items and 250 updates
-- of existing items at their current version) against raw upserts of the same
-- shape (250 new rows, 250 existing ones).
--   psql "$PACKSYNC_DB_URL" -f supabase/tests/integration/push_bench.sql
-- With -v plans=1 it also prints the plan of every statement of one more mixed
-- push (auto_explain), against the ~30 000 items the runs leave behind.
-- Runs in one transaction and rolls back.
\set ON_ERROR_STOP on
begin;
insert into auth.users (id, email) values ('0be00000-0000-4000-8000-000000000001', 'bench@packsync.test');
set local role authenticated;
set local request.jwt.claims = '{"sub":"0be00000-0000-4000-8000-000000000001","role":"authenticated"}';
insert into public.trips (id, name) values ('0be00000-0000-4000-8000-0000000000aa', 'Bench trip');
reset role;
-- The same columns without triggers, RLS or log: what "raw" costs on a bare table.
create temporary table bare_items (like public.items including defaults including constraints);
alter table bare_items add primary key (id);
grant all on bare_items to authenticated;
-- The raw upsert both phases measure against (plpgsql: its plan is cached, as
-- an inline statement's would be).
create function pg_temp.raw_upsert(trip uuid, ids uuid[], names text[], qty integer[]) returns void
language plpgsql as $$
begin
  insert into public.items (id, trip_id, name, quantity)
  select u.id, trip, u.name, u.quantity from unnest(ids, names, qty) u(id, name, quantity)
  on conflict (id) do update set name = excluded.name, quantity = excluded.quantity;
end
$$;
-- One push, timed; every change must apply.
create function pg_temp.timed_push(changes jsonb) returns interval
language plpgsql as $$
declare
  t0 timestamptz := clock_timestamp();
  result jsonb := public.push_changes('0be00000-0000-4000-8000-0000000000cc', changes);
  elapsed interval := clock_timestamp() - t0;
begin
  if exists (select 1 from jsonb_array_elements(result -> 'results') x where x ->> 'status' <> 'applied') then
    raise exception 'bench: not every change applied: %', result;
  end if;
  return elapsed;
end
$$;
set local role authenticated;

do $$
declare
  rounds constant integer := 20;
  batch constant integer := 500;
  trip constant uuid := '0be00000-0000-4000-8000-0000000000aa';
  ids uuid[];
  names text[];
  qty integer[];
  changes jsonb;
  t0 timestamptz;
  raw_items interval := '0';
  raw_bare interval := '0';
  push interval := '0';
begin
  for r in 1 .. rounds loop
    -- raw upsert into items (RLS, row stamp and log triggers fire)
    ids := array(select gen_random_uuid() from generate_series(1, batch));
    names := array(select 'item ' || g from generate_series(1, batch) g);
    qty := array(select 1 + g % 5 from generate_series(1, batch) g);
    t0 := clock_timestamp();
    perform pg_temp.raw_upsert(trip, ids, names, qty);
    raw_items := raw_items + (clock_timestamp() - t0);

    -- raw upsert into the bare table
    t0 := clock_timestamp();
    insert into bare_items (id, trip_id, name, quantity, version, created_at, updated_at)
    select u.id, trip, u.name, u.quantity, 1, now(), now() from unnest(ids, names, qty) u(id, name, quantity)
    on conflict (id) do update set name = excluded.name, quantity = excluded.quantity;
    raw_bare := raw_bare + (clock_timestamp() - t0);

    -- push_changes of 500 new items (fresh ids), built before the clock starts
    changes := (select jsonb_agg(jsonb_build_object('change_id', gen_random_uuid(), 'entity', 'items', 'op', 'upsert',
        'id', gen_random_uuid(), 'base_version', null,
        'fields', jsonb_build_object('trip_id', trip, 'name', 'pushed ' || g, 'quantity', 1 + g % 5)))
      from generate_series(1, batch) g);
    push := push + pg_temp.timed_push(changes);
  end loop;
  raise notice 'rows per run: % x %', rounds, batch;
  raise notice 'raw upsert into public.items (triggers+RLS): % rows/s', round(rounds * batch / extract(epoch from raw_items));
  raise notice 'raw upsert into a bare table:               % rows/s', round(rounds * batch / extract(epoch from raw_bare));
  raise notice 'push_changes:                               % rows/s', round(rounds * batch / extract(epoch from push));
  raise notice 'push / raw items = %, push / raw bare = %',
    round((extract(epoch from raw_items) / extract(epoch from push))::numeric, 2),
    round((extract(epoch from raw_bare) / extract(epoch from push))::numeric, 2);

  -- Mixed batches: 250 new items and 250 updates (name and packed) of items
  -- pushed earlier, each at its current version.
  raw_items := '0';
  push := '0';
  for r in 1 .. rounds loop
    -- raw: the same shape of work, 250 inserts and 250 updates in one upsert
    ids := array(select gen_random_uuid() from generate_series(1, batch / 2))
      || array(select i.id from public.items i where i.trip_id = trip and i.name like 'item %' order by random() limit batch / 2);
    names := array(select 'mixed ' || g from generate_series(1, batch) g);
    qty := array(select 1 + g % 5 from generate_series(1, batch) g);
    t0 := clock_timestamp();
    perform pg_temp.raw_upsert(trip, ids, names, qty);
    raw_items := raw_items + (clock_timestamp() - t0);

    changes := (select jsonb_agg(c order by n) from (
      select g as n, jsonb_build_object('change_id', gen_random_uuid(), 'entity', 'items', 'op', 'upsert',
        'id', gen_random_uuid(), 'base_version', null,
        'fields', jsonb_build_object('trip_id', trip, 'name', 'mixed ' || g, 'quantity', 1 + g % 5)) as c
      from generate_series(1, batch / 2) g
      union all
      select batch / 2 + row_number() over (), jsonb_build_object('change_id', gen_random_uuid(), 'entity', 'items', 'op', 'upsert',
        'id', i.id, 'base_version', i.version,
        'fields', jsonb_build_object('name', 'renamed ' || i.id, 'packed', not i.packed))
      from (select i.* from public.items i where i.trip_id = trip and i.name like 'pushed %'
            order by random() limit batch / 2) i) x);
    push := push + pg_temp.timed_push(changes);
  end loop;
  raise notice 'mixed (250 new + 250 updates) x %:', rounds;
  raise notice 'raw upsert into public.items (triggers+RLS): % rows/s', round(rounds * batch / extract(epoch from raw_items));
  raise notice 'push_changes:                               % rows/s', round(rounds * batch / extract(epoch from push));
  raise notice 'mixed push / raw items = %', round((extract(epoch from raw_items) / extract(epoch from push))::numeric, 2);
end
$$;

\if :{?plans}
reset role;
load 'auto_explain';
set local auto_explain.log_min_duration = 0;
set local auto_explain.log_nested_statements = on;
set local auto_explain.log_analyze = on;
set local auto_explain.log_timing = off;
set local client_min_messages = log;
set local role authenticated;
select jsonb_array_length(public.push_changes('0be00000-0000-4000-8000-0000000000cc', (
  select jsonb_agg(c) from (
    select jsonb_build_object('change_id', gen_random_uuid(), 'entity', 'items', 'op', 'upsert', 'id', gen_random_uuid(),
      'base_version', null, 'fields', jsonb_build_object('trip_id', '0be00000-0000-4000-8000-0000000000aa', 'name', 'planned ' || g)) as c
    from generate_series(1, 250) g
    union all
    select jsonb_build_object('change_id', gen_random_uuid(), 'entity', 'items', 'op', 'upsert', 'id', i.id,
      'base_version', i.version, 'fields', jsonb_build_object('packed', not i.packed))
    from (select i.* from public.items i where i.trip_id = '0be00000-0000-4000-8000-0000000000aa' limit 250) i) x)) -> 'results') as explained_push;
\endif
rollback;
