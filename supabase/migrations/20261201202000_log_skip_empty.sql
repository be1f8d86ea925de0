-- The log triggers skip statements that wrote no row (issue 12, measure 1).
-- Both log triggers of a table fire for every INSERT ... ON CONFLICT DO
-- UPDATE, whichever path its rows took, so a push of new rows also ran the
-- update trigger, and a push of updates the insert trigger, on an empty
-- transition table: each read the table's shape, built and planned its
-- dynamic INSERT (the update one with three CASE expressions per field) to
-- insert nothing. Measured on a one-row upsert into items: 0.50-0.54 ms of
-- backend CPU with both log triggers, 0.22-0.25 ms with the empty one skipped.
-- Otherwise as in 20261125090300_change_log.sql (same trigger functions, so
-- the triggers and grants are unchanged).

-- Inserts and hard deletes: the whole row (its non-system columns) is the
-- new or the old value.
create or replace function packsync_private.log_rows()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  shape record;
  inserting constant boolean := tg_op = 'INSERT';
  trip_ids uuid[];
begin
  -- An INSERT ... ON CONFLICT DO UPDATE fires the insert trigger also when
  -- every row took the update path: an empty transition table logs nothing,
  -- so skip reading the shape and planning the query (static SQL below: its
  -- plan is cached, the dynamic query's is not).
  if inserting then
    if not exists (select from new_rows) then
      return null;
    end if;
  elsif not exists (select from old_rows) then
    return null;
  end if;
  shape := packsync_private.log_shape(tg_table_name);
  -- Columns are read directly: building the values with jsonb_build_object
  -- costs half of to_jsonb(row) minus the system keys.
  execute format($q$
    with logged as (
      insert into public.change_log
        (entity, row_id, trip_id, member_user_id, op, version, actor, client_id, change_id, changed_fields, %s)
      select $1, n.id, %s, %s, $6, n.version, $2, $3, ($4 ->> n.id::text)::uuid, $5, %s
      from %s n
      returning trip_id
    )
    select array_agg(distinct trip_id) from logged$q$,
    case when inserting then 'new_values' else 'old_values' end,
    shape.trip_expr, shape.member_expr, shape.values_expr,
    case when inserting then 'new_rows' else 'old_rows' end)
    into trip_ids
    using tg_table_name, auth.uid(), nullif(current_setting('packsync.client_id', true), '')::uuid,
      nullif(current_setting('packsync.change_map', true), '')::jsonb,
      case when inserting then shape.fields else '{}' end,
      case when inserting then 'insert' else 'delete' end;
  if trip_ids is not null then
    perform packsync_private.notify_changes(trip_ids);
  end if;
  return null;
end
$$;

-- Updates: per row, the columns whose value changed, with old and new values.
-- Compared column by column (as JSON values, like the rest of the log), not by
-- diffing whole-row documents: to_jsonb(row) per key was ~100 us per row.
create or replace function packsync_private.log_update()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  shape record;
  trip_ids uuid[];
begin
  -- Fired by every INSERT ... ON CONFLICT DO UPDATE, also when no row took
  -- the update path (every push of new rows): skip as in log_rows.
  if not exists (select from new_rows) then
    return null;
  end if;
  shape := packsync_private.log_shape(tg_table_name);
  execute format($q$
    with logged as (
      insert into public.change_log
        (entity, row_id, trip_id, member_user_id, op, version, actor, client_id, change_id,
         changed_fields, old_values, new_values)
      select $1, n.id, %s, %s,
        case when n.deleted_at is not null and o.deleted_at is null then 'delete' else 'update' end,
        n.version, $2, $3, ($4 ->> n.id::text)::uuid,
        d.fields, d.old_values, d.new_values
      from new_rows n join old_rows o on o.id = n.id
      cross join lateral (
        select array_remove(array[%s], null) as fields,
          nullif(%s, '{}') as old_values, nullif(%s, '{}') as new_values
      ) d
      returning trip_id
    )
    select array_agg(distinct trip_id) from logged$q$,
    shape.trip_expr, shape.member_expr,
    (select string_agg(format('case when n.%1$I is distinct from o.%1$I then %1$L end', f), ', ') from unnest(shape.fields) f),
    (select string_agg(format('case when n.%1$I is distinct from o.%1$I then jsonb_build_object(%1$L, o.%1$I) else ''{}'' end', f), ' || ') from unnest(shape.fields) f),
    (select string_agg(format('case when n.%1$I is distinct from o.%1$I then jsonb_build_object(%1$L, n.%1$I) else ''{}'' end', f), ' || ') from unnest(shape.fields) f))
    into trip_ids
    using tg_table_name, auth.uid(), nullif(current_setting('packsync.client_id', true), '')::uuid,
      nullif(current_setting('packsync.change_map', true), '')::jsonb;
  if trip_ids is not null then
    perform packsync_private.notify_changes(trip_ids);
  end if;
  return null;
end
$$;
