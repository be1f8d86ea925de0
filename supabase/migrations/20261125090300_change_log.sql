-- The change log: every insert, update and delete of a synced table, however
-- it was made. It is both the pull source and the audit trail.
-- Sections: tables, indexes, triggers, RLS, policies, RPCs, grants.

-- Tables -----------------------------------------------------------------------
create table public.change_log (
  seq bigint generated always as identity primary key,
  -- The writing transaction. Pulls serve only rows whose transaction is older
  -- than every running one, so a late commit is never skipped.
  xid xid8 not null default pg_current_xact_id(),
  at timestamptz not null default now(),
  entity text not null,
  row_id uuid not null,
  trip_id uuid not null,
  -- For trip_members rows: whose access changed (drives revoke and snapshots).
  member_user_id uuid,
  op text not null constraint change_log_op check (op in ('insert', 'update', 'delete')),
  version bigint,
  actor uuid,
  client_id uuid,
  change_id uuid,
  changed_fields text[] not null default '{}',
  old_values jsonb,
  new_values jsonb
);
comment on table public.change_log is 'Append-only log of every write to a synced table: the pull source and the audit.';

-- Indexes ----------------------------------------------------------------------
-- Pull: one range scan per trip of the caller, in cursor order.
create index change_log_trip_cursor_idx on public.change_log (trip_id, xid, seq);
-- Pull: changes to the caller's own memberships (revoke, gained access).
create index change_log_member_cursor_idx on public.change_log (member_user_id, xid, seq)
  where member_user_id is not null;
-- Push: which fields changed on a row since a version; history of one row.
create index change_log_row_idx on public.change_log (row_id, version);

-- Triggers ---------------------------------------------------------------------
-- Statement-level with transition tables: one INSERT into the log per write
-- statement, however many rows it touched. Security definer: clients cannot
-- write the log themselves.

create or replace function packsync_private.notify_changes(trip_ids uuid[])
returns void
language plpgsql
set search_path = ''
as $$
begin
  -- Delivered at commit. Payload stays far below NOTIFY's 8000-byte limit:
  -- past 100 trips, null means "everyone pull".
  perform pg_notify('packsync_changes', json_build_object(
    'trip_ids', case when cardinality(trip_ids) <= 100 then trip_ids end,
    'xid', pg_current_xact_id()::text)::text);
end
$$;

-- How log rows of a table are built, as SQL over the transition table alias
-- n: its trip, the user (for memberships), and its non-system columns.
create or replace function packsync_private.log_shape(entity text,
  out trip_expr text, out member_expr text, out fields text[], out values_expr text)
language sql
stable
set search_path = ''
as $$
  select format('n.%I', e.trip_column),
    case when e.member_column is null then 'null::uuid' else format('n.%I', e.member_column) end,
    array_agg(a.attname::text order by a.attname),
    'jsonb_build_object(' || string_agg(format('%L, n.%I', a.attname, a.attname), ', ' order by a.attname) || ')'
  from packsync_private.entities e
  join pg_catalog.pg_attribute a on a.attrelid = ('public.' || e.name)::regclass
  where e.name = log_shape.entity and a.attnum > 0 and not a.attisdropped
    and a.attname not in ('id', 'version', 'created_at', 'updated_at', 'created_by')
  group by e.trip_column, e.member_column
$$;

-- Inserts and hard deletes: the whole row (its non-system columns) is the
-- new or the old value.
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
begin
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
  shape record := packsync_private.log_shape(tg_table_name);
  trip_ids uuid[];
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

do $$
declare
  t text;
begin
  for t in select e.name from packsync_private.entities e order by e.parent_order loop
    execute format('create trigger log_insert after insert on public.%I
      referencing new table as new_rows for each statement execute function packsync_private.log_rows()', t);
    execute format('create trigger log_update after update on public.%I
      referencing old table as old_rows new table as new_rows for each statement execute function packsync_private.log_update()', t);
    execute format('create trigger log_delete after delete on public.%I
      referencing old table as old_rows for each statement execute function packsync_private.log_rows()', t);
  end loop;
end
$$;

-- Deleting a trip (setting deleted_at, by push or plain UPDATE) tombstones its
-- rows (the registry's deleted_with_trip: people, items and rule overrides) in the same transaction, through their own
-- triggers (versions bumped, log rows written). Memberships stay, so members
-- keep reading the tombstones and pull them as deletes. Security definer: the
-- trip is already deleted, so the editors' update policy no longer admits it.
create or replace function packsync_private.tombstone_trip_children()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  gone uuid[];
  child text;
begin
  select array_agg(n.id) into gone
  from new_rows n join old_rows o on o.id = n.id
  where n.deleted_at is not null and o.deleted_at is null;
  if gone is null then
    return null;
  end if;
  for child in select e.name from packsync_private.entities e where e.deleted_with_trip order by e.parent_order loop
    execute format('update public.%I set deleted_at = now() where trip_id = any ($1) and deleted_at is null', child)
      using gone;
  end loop;
  return null;
end
$$;
create trigger tombstone_trip_children after update on public.trips
  referencing old table as old_rows new table as new_rows
  for each statement execute function packsync_private.tombstone_trip_children();

-- RLS --------------------------------------------------------------------------
alter table public.change_log enable row level security;

-- Policies -----------------------------------------------------------------------
-- One permissive policy (two would each be evaluated for every row):
-- members read the history of their trips, everyone the changes to their
-- own memberships.
create policy "members read trip history, users their memberships' changes" on public.change_log
  for select to authenticated
  using (trip_id = any ((select packsync_private.member_trip_ids())::uuid[])
    or member_user_id = (select auth.uid()));

-- RPCs ---------------------------------------------------------------------------
-- Audit of one trip, newest first, as the caller may see it (RLS applies).
-- Ordered and paged by the same key, (xid, seq): seq alone is not the commit
-- order (a transaction that wrote early can hold a lower seq than one that
-- wrote later in a transaction with a lower xid), and paging by one key while
-- ordering by another skips rows. `before` is the `cursor` of the last row of
-- the previous page: "h1:<xid>:<seq>".
create or replace function public.trip_history(trip_id uuid, before text default null, max_rows integer default 100)
returns table (entity text, row_id uuid, op text, version bigint, actor uuid, changed_fields text[],
  at timestamptz, cursor text)
language plpgsql
stable
set search_path = ''
as $$
declare
  parts text[];
begin
  if before is not null then
    parts := regexp_match(before, '^h1:([0-9]{1,20}):([0-9]{1,19})$');
    if parts is null then
      raise exception 'cursor_invalid: not a history cursor issued by trip_history' using errcode = '22023';
    end if;
  end if;
  return query
    select l.entity, l.row_id, l.op, l.version, l.actor, l.changed_fields, l.at, format('h1:%s:%s', l.xid, l.seq)
    from public.change_log l
    where l.trip_id = trip_history.trip_id
      and (parts is null or (l.xid, l.seq) < (parts[1]::xid8, parts[2]::bigint))
    order by l.xid desc, l.seq desc
    limit least(greatest(coalesce(trip_history.max_rows, 100), 1), 1000);
end
$$;

-- Grants -------------------------------------------------------------------------
revoke all on public.change_log from anon, authenticated;
grant select on public.change_log to authenticated;
revoke execute on function public.trip_history(uuid, text, integer) from public, anon;
grant execute on function public.trip_history(uuid, text, integer) to authenticated;
