-- Pokes (issue 12, A → B latency): the NOTIFY names the client that wrote,
-- when the writer's own pull would bring back nothing of what was written.
-- Every member's stream was poked about every write, the writer's too, so
-- each edit cost the writer a pull that returned nothing (pull_changes_text
-- leaves out rows the caller's client pushed, 20261201200000_pull_text.sql)
-- and the server a third request per edit. The stream now skips a poke
-- whose only writer is the stream's own client (supabase/functions/_shared/
-- sync/stream.ts).
--
-- `client_id` is in the payload only when every row a log statement wrote is
-- one that pull leaves out of the writer's pull ("no echo" there): written
-- through a push (a change id), not a membership, not a trip's insert. Rows
-- written by triggers in the same push (the owner membership of a new trip,
-- the content a trip delete tombstones) and writes outside push (SQL,
-- PostgREST: no `packsync.client_id`) carry no client id: everyone who may
-- see them is poked, the writer too. The condition is pull's, written again
-- here; 32_notify_writer.test.sql compares them.

-- Helper functions ---------------------------------------------------------------
-- Dropped and created again with a second, defaulted argument: a call with
-- the trip ids alone (as before) still resolves to it.
drop function packsync_private.notify_changes(uuid[]);
create function packsync_private.notify_changes(trip_ids uuid[], writer uuid default null)
returns void
language plpgsql
set search_path = ''
as $$
begin
  -- Delivered at commit. Payload stays far below NOTIFY's 8000-byte limit:
  -- past 100 trips, null means "everyone pull".
  perform pg_notify('packsync_changes', json_build_object(
    'trip_ids', case when cardinality(trip_ids) <= 100 then trip_ids end,
    'xid', pg_current_xact_id()::text,
    'client_id', writer)::text);
end
$$;

-- Would the writer's own pull leave this log row out? (pull's "no echo",
-- less the caller checks: the stream compares the client id.)
create function packsync_private.is_echo_free(change_id uuid, member_user_id uuid, entity text, op text)
returns boolean
language sql
immutable
set search_path = ''
as $$
  select change_id is not null and member_user_id is null and not (entity = 'trips' and op = 'insert')
$$;

-- As in 20261125090300_change_log.sql, with the writer in the NOTIFY.
create or replace function packsync_private.log_rows()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  shape record := packsync_private.log_shape(tg_table_name);
  inserting constant boolean := tg_op = 'INSERT';
  trip_ids uuid[];
  writer uuid;
begin
  execute format($q$
    with logged as (
      insert into public.change_log
        (entity, row_id, trip_id, member_user_id, op, version, actor, client_id, change_id, changed_fields, %s)
      select $1, n.id, %s, %s, $6, n.version, $2, $3, ($4 ->> n.id::text)::uuid, $5, %s
      from %s n
      returning trip_id, client_id, packsync_private.is_echo_free(change_id, member_user_id, entity, op) as echo_free
    )
    select array_agg(distinct trip_id), case when bool_and(echo_free) then min(client_id::text)::uuid end
    from logged$q$,
    case when inserting then 'new_values' else 'old_values' end,
    shape.trip_expr, shape.member_expr, shape.values_expr,
    case when inserting then 'new_rows' else 'old_rows' end)
    into trip_ids, writer
    using tg_table_name, auth.uid(), nullif(current_setting('packsync.client_id', true), '')::uuid,
      nullif(current_setting('packsync.change_map', true), '')::jsonb,
      case when inserting then shape.fields else '{}' end,
      case when inserting then 'insert' else 'delete' end;
  if trip_ids is not null then
    perform packsync_private.notify_changes(trip_ids, writer);
  end if;
  return null;
end
$$;

create or replace function packsync_private.log_update()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  shape record := packsync_private.log_shape(tg_table_name);
  trip_ids uuid[];
  writer uuid;
begin
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
      returning trip_id, client_id, packsync_private.is_echo_free(change_id, member_user_id, entity, op) as echo_free
    )
    select array_agg(distinct trip_id), case when bool_and(echo_free) then min(client_id::text)::uuid end
    from logged$q$,
    shape.trip_expr, shape.member_expr,
    (select string_agg(format('case when n.%1$I is distinct from o.%1$I then %1$L end', f), ', ') from unnest(shape.fields) f),
    (select string_agg(format('case when n.%1$I is distinct from o.%1$I then jsonb_build_object(%1$L, o.%1$I) else ''{}'' end', f), ' || ') from unnest(shape.fields) f),
    (select string_agg(format('case when n.%1$I is distinct from o.%1$I then jsonb_build_object(%1$L, n.%1$I) else ''{}'' end', f), ' || ') from unnest(shape.fields) f))
    into trip_ids, writer
    using tg_table_name, auth.uid(), nullif(current_setting('packsync.client_id', true), '')::uuid,
      nullif(current_setting('packsync.change_map', true), '')::jsonb;
  if trip_ids is not null then
    perform packsync_private.notify_changes(trip_ids, writer);
  end if;
  return null;
end
$$;

-- Grants (as 20261201190000_grants.sql decides them: nothing by default) ----------
-- Only definer code calls them: a client that could call notify_changes
-- would poke every open stream.
revoke all on function packsync_private.notify_changes(uuid[], uuid) from public, anon, authenticated, service_role;
revoke all on function packsync_private.is_echo_free(uuid, uuid, text, text) from public, anon, authenticated, service_role;
