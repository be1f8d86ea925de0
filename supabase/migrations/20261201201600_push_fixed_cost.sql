-- Push speed (issue 12.1), part 7: the fixed cost of a call. A push of ONE
-- change cost ~6 ms of server CPU; pg_stat_user_functions (track_functions =
-- all, 200 one-change pushes) put a third of it in small SQL-language helpers
-- that PostgreSQL 17 plans again on every call (a function with its own
-- search_path is never inlined, and SQL function plans are not kept across
-- statements), and in auth.uid(), called ~40 times a push: the membership
-- helpers compare every membership row they scan with a fresh auth.uid().
-- The same bodies as PL/pgSQL (plans kept for the session) with the caller
-- read once per call.

-- Helper functions ---------------------------------------------------------------
-- As in 20261125090100_trips.sql (policies call them once per statement).
create or replace function packsync_private.member_trip_ids()
returns uuid[]
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  uid constant uuid := auth.uid();
begin
  return (select coalesce(array_agg(m.trip_id), '{}')
    from public.trip_members m
    where m.user_id = uid and m.status = 'active' and m.deleted_at is null);
end
$$;

create or replace function packsync_private.editor_trip_ids()
returns uuid[]
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  uid constant uuid := auth.uid();
begin
  return (select coalesce(array_agg(m.trip_id), '{}')
    from public.trip_members m
    join public.trips t on t.id = m.trip_id and t.deleted_at is null
    where m.user_id = uid and m.status = 'active' and m.deleted_at is null and m.role in ('owner', 'editor'));
end
$$;

create or replace function packsync_private.owner_trip_ids()
returns uuid[]
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  uid constant uuid := auth.uid();
begin
  return (select coalesce(array_agg(m.trip_id), '{}')
    from public.trip_members m
    join public.trips t on t.id = m.trip_id and t.deleted_at is null
    where m.user_id = uid and m.status = 'active' and m.deleted_at is null and m.role = 'owner');
end
$$;

-- As in 20261125090250_entities.sql.
create or replace function packsync_private.entity_names()
returns text[]
language plpgsql
stable
set search_path = ''
as $$
begin
  return (select array_agg(e.name order by e.parent_order) from packsync_private.entities e);
end
$$;

-- As in 20261125090300_change_log.sql (every log trigger call reads it).
create or replace function packsync_private.log_shape(entity text,
  out trip_expr text, out member_expr text, out fields text[], out values_expr text)
language plpgsql
stable
set search_path = ''
as $$
begin
  select format('n.%I', e.trip_column),
    case when e.member_column is null then 'null::uuid' else format('n.%I', e.member_column) end,
    array_agg(a.attname::text order by a.attname),
    'jsonb_build_object(' || string_agg(format('%L, n.%I', a.attname, a.attname), ', ' order by a.attname) || ')'
  into trip_expr, member_expr, fields, values_expr
  from packsync_private.entities e
  join pg_catalog.pg_attribute a on a.attrelid = ('public.' || e.name)::regclass
  where e.name = log_shape.entity and a.attnum > 0 and not a.attisdropped
    and a.attname not in ('id', 'version', 'created_at', 'updated_at', 'created_by')
  group by e.trip_column, e.member_column;
end
$$;

-- As in 20261125090430_push_write.sql (each write statement builds its SQL with it).
create or replace function packsync_private.field_exprs(entity text, cols text[])
returns text[]
language plpgsql
stable
set search_path = ''
as $$
begin
  return array(
    select case
      when a.atttypid in ('jsonb'::regtype, 'json'::regtype)
        then format('nullif(u.f -> %L, ''null'')::%s', c, format_type(a.atttypid, a.atttypmod))
      when t.typtype = 'b' and t.typcategory <> 'A' and a.atttypmod < 0
        then format('(u.f ->> %L)::%s', c, format_type(a.atttypid, a.atttypmod))
      else format('(jsonb_populate_record(null::public.%I, u.f)).%I', entity, c)
      end
    from unnest(cols) with ordinality x(c, n)
    join pg_catalog.pg_attribute a on a.attrelid = ('public.' || entity)::regclass and a.attname = x.c
    join pg_catalog.pg_type t on t.oid = a.atttypid
    order by x.n);
end
$$;
