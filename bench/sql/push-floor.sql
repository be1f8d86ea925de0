-- Measure 1 (push_changes ÷ the write-with-audit floor): the floor's tables
-- and one timed function per variant. Loaded into the bench's own throw-away
-- database by bench/measures/push-floor.ts; never part of the migrations.
--
-- Every timed function parses its input before the clock starts (push parses
-- its jsonb itself: that is part of its work) and returns the server-side
-- time of the one statement in milliseconds. Each batch runs in its own
-- transaction, so the commit is excluded for all variants alike.
create schema if not exists bench;
grant usage on schema bench to authenticated;

drop table if exists bench.items_floor, bench.items_bare, bench.log_floor;
-- Logged copies of items without triggers, RLS or foreign keys (LIKE copies
-- neither); indexes and check constraints as shipped.
create table bench.items_floor (like public.items including defaults including constraints including indexes);
create table bench.items_bare (like public.items including defaults including constraints including indexes);
-- The log as the project has it: same columns, defaults and indexes.
create table bench.log_floor (like public.change_log including defaults including constraints including indexes including identity);
grant all on bench.items_floor, bench.items_bare, bench.log_floor to authenticated;
grant usage on all sequences in schema bench to authenticated;

-- The table a variant writes.
create or replace function bench.target(variant text) returns regclass
language sql immutable as $$
  select case variant when 'floor' then 'bench.items_floor' when 'bare' then 'bench.items_bare'
    else 'public.items' end::regclass
$$;

-- The input of one batch, built in its own transaction before the timed one.
-- new: n new rows; mixed: n/2 new + n/2 existing rows at their current
-- version; merged: n existing rows whose name the server changed after the
-- client's base version, the client changing quantity (disjoint fields).
-- push gets a changes array; the other variants typed arrays.
create or replace function bench.prepare(variant text, shape text, trip uuid, n integer) returns jsonb
language plpgsql as $$
declare
  existing integer := case shape when 'new' then 0 when 'mixed' then n / 2 else n end;
  picked record;
  rows jsonb;
begin
  -- existing rows: a random sample of the variant's table, at their version now
  execute format('select coalesce(jsonb_agg(jsonb_build_object(''id'', id, ''version'', version)), ''[]'')
    from (select id, version from %s where trip_id = $1 and deleted_at is null order by random() limit $2) s',
    bench.target(variant)) into rows using trip, existing;
  if shape = 'merged' and variant = 'push' then
    -- the server's own edit since the client's base version (logged by the triggers)
    update public.items i set name = 'server ' || left(i.id::text, 8)
    where i.id in (select (r ->> 'id')::uuid from jsonb_array_elements(rows) r);
  end if;
  if variant = 'push' then
    return (select jsonb_agg(c order by ord) from (
      select g as ord, jsonb_build_object('change_id', gen_random_uuid(), 'entity', 'items', 'op', 'upsert',
        'id', gen_random_uuid(), 'base_version', null,
        'fields', jsonb_build_object('trip_id', trip, 'name', 'new ' || g, 'quantity', 1 + g % 5)) as c
      from generate_series(1, n - existing) g
      union all
      select n - existing + e.ord, jsonb_build_object('change_id', gen_random_uuid(), 'entity', 'items', 'op', 'upsert',
        'id', e.r ->> 'id', 'base_version', (e.r ->> 'version')::bigint,
        -- a value the row does not hold (push answers an unchanged value as applied, without a write)
        'fields', case when shape = 'merged' then jsonb_build_object('quantity', 100 + (e.r ->> 'version')::integer % 800)
          else jsonb_build_object('name', 'changed ' || e.ord, 'quantity', 100 + (e.r ->> 'version')::integer % 800) end)
      from jsonb_array_elements(rows) with ordinality e(r, ord)) x);
  end if;
  return jsonb_build_object(
    'ids', (select coalesce(jsonb_agg(gen_random_uuid()), '[]') from generate_series(1, n - existing))
           || (select coalesce(jsonb_agg(r -> 'id'), '[]') from jsonb_array_elements(rows) r),
    'names', (select jsonb_agg('row ' || g) from generate_series(1, n) g),
    'qty', (select jsonb_agg(1 + g % 7) from generate_series(1, n) g),
    'cids', (select jsonb_agg(gen_random_uuid()) from generate_series(1, n)));
end
$$;

-- push_changes, timed; every change must come back with the expected status.
create or replace function bench.timed_push(client uuid, changes jsonb, expected text) returns double precision
language plpgsql as $$
declare
  t0 timestamptz := clock_timestamp();
  result jsonb := public.push_changes(client, changes);
  elapsed double precision := extract(epoch from clock_timestamp() - t0) * 1000;
  odd jsonb;
begin
  select r into odd from jsonb_array_elements(result -> 'results') r where r ->> 'status' <> expected limit 1;
  if odd is not null then
    raise exception 'bench: a change came back % instead of %: %', odd ->> 'status', expected, odd;
  end if;
  return elapsed;
end
$$;

-- The floor: one statement, a bare upsert into the copy of items plus, in a
-- data-modifying CTE, one log row per written row with the project's log
-- columns (entity, row, trip, op, version, actor, client, change id, changed
-- fields, new values). all_fields: new/mixed rows set name and quantity;
-- merged rows set quantity only.
create or replace function bench.timed_floor(trip uuid, input jsonb, all_fields boolean) returns double precision
language plpgsql as $$
declare
  ids uuid[] := array(select jsonb_array_elements_text(input -> 'ids')::uuid);
  names text[] := array(select jsonb_array_elements_text(input -> 'names'));
  qty integer[] := array(select jsonb_array_elements_text(input -> 'qty')::integer);
  cids uuid[] := array(select jsonb_array_elements_text(input -> 'cids')::uuid);
  actor uuid := auth.uid();
  client uuid := '0be00000-0000-4000-8000-00000000f100';
  t0 timestamptz;
begin
  t0 := clock_timestamp();
  if all_fields then
    with w as (
      insert into bench.items_floor as t (id, trip_id, name, quantity, version, created_at, updated_at, created_by)
      select u.id, trip, u.name, u.quantity, 1, now(), now(), actor from unnest(ids, names, qty) u(id, name, quantity)
      on conflict (id) do update set name = excluded.name, quantity = excluded.quantity,
        version = t.version + 1, updated_at = excluded.updated_at
      returning t.id, t.trip_id, t.version, t.name, t.quantity, t.xmax = 0 as inserted
    )
    insert into bench.log_floor (entity, row_id, trip_id, op, version, actor, client_id, change_id, changed_fields, new_values)
    select 'items', w.id, w.trip_id, case when w.inserted then 'insert' else 'update' end, w.version, actor, client, c.cid,
      case when w.inserted then '{name,quantity,trip_id}'::text[] else '{name,quantity}'::text[] end,
      case when w.inserted then jsonb_build_object('trip_id', w.trip_id, 'name', w.name, 'quantity', w.quantity)
        else jsonb_build_object('name', w.name, 'quantity', w.quantity) end
    from w join unnest(ids, cids) c(id, cid) on c.id = w.id;
  else
    with w as (
      insert into bench.items_floor as t (id, trip_id, name, quantity, version, created_at, updated_at, created_by)
      select u.id, trip, u.name, u.quantity, 1, now(), now(), actor from unnest(ids, names, qty) u(id, name, quantity)
      on conflict (id) do update set quantity = excluded.quantity, version = t.version + 1, updated_at = excluded.updated_at
      returning t.id, t.trip_id, t.version, t.quantity, t.xmax = 0 as inserted
    )
    insert into bench.log_floor (entity, row_id, trip_id, op, version, actor, client_id, change_id, changed_fields, new_values)
    select 'items', w.id, w.trip_id, case when w.inserted then 'insert' else 'update' end, w.version, actor, client, c.cid,
      '{quantity}'::text[], jsonb_build_object('quantity', w.quantity)
    from w join unnest(ids, cids) c(id, cid) on c.id = w.id;
  end if;
  return extract(epoch from clock_timestamp() - t0) * 1000;
end
$$;

-- The bare upsert alone (no log), into its own copy of items.
create or replace function bench.timed_bare(trip uuid, input jsonb, all_fields boolean) returns double precision
language plpgsql as $$
declare
  ids uuid[] := array(select jsonb_array_elements_text(input -> 'ids')::uuid);
  names text[] := array(select jsonb_array_elements_text(input -> 'names'));
  qty integer[] := array(select jsonb_array_elements_text(input -> 'qty')::integer);
  actor uuid := auth.uid();
  t0 timestamptz;
begin
  t0 := clock_timestamp();
  if all_fields then
    insert into bench.items_bare as t (id, trip_id, name, quantity, version, created_at, updated_at, created_by)
    select u.id, trip, u.name, u.quantity, 1, now(), now(), actor from unnest(ids, names, qty) u(id, name, quantity)
    on conflict (id) do update set name = excluded.name, quantity = excluded.quantity,
      version = t.version + 1, updated_at = excluded.updated_at;
  else
    insert into bench.items_bare as t (id, trip_id, name, quantity, version, created_at, updated_at, created_by)
    select u.id, trip, u.name, u.quantity, 1, now(), now(), actor from unnest(ids, names, qty) u(id, name, quantity)
    on conflict (id) do update set quantity = excluded.quantity, version = t.version + 1, updated_at = excluded.updated_at;
  end if;
  return extract(epoch from clock_timestamp() - t0) * 1000;
end
$$;

-- items as shipped: the same upsert into public.items, as the caller, with
-- RLS, the row stamp, foreign keys and the log triggers.
create or replace function bench.timed_shipped(trip uuid, input jsonb, all_fields boolean) returns double precision
language plpgsql as $$
declare
  ids uuid[] := array(select jsonb_array_elements_text(input -> 'ids')::uuid);
  names text[] := array(select jsonb_array_elements_text(input -> 'names'));
  qty integer[] := array(select jsonb_array_elements_text(input -> 'qty')::integer);
  t0 timestamptz;
begin
  t0 := clock_timestamp();
  if all_fields then
    insert into public.items as t (id, trip_id, name, quantity)
    select u.id, trip, u.name, u.quantity from unnest(ids, names, qty) u(id, name, quantity)
    on conflict (id) do update set name = excluded.name, quantity = excluded.quantity;
  else
    insert into public.items as t (id, trip_id, name, quantity)
    select u.id, trip, u.name, u.quantity from unnest(ids, names, qty) u(id, name, quantity)
    on conflict (id) do update set quantity = excluded.quantity;
  end if;
  return extract(epoch from clock_timestamp() - t0) * 1000;
end
$$;

grant execute on all functions in schema bench to authenticated;
