-- Push speed (issue 12.1), part 6: plans kept for the session. PostgreSQL 17
-- plans the body of a SQL-language function that is not inlined again on
-- every call from a new statement (PostgreSQL 18 caches them), and functions
-- with their own search_path are never inlined: every push planned these
-- afresh. As PL/pgSQL, each statement is planned once per session. Bodies
-- unchanged, but for field_errors' uuid test (see there).

-- Helper functions ---------------------------------------------------------------
-- Judges the JSON types of a batch's fields (20261201111000_model_checks.sql).
create or replace function packsync_private.field_errors(entity text, changes jsonb[])
returns table (ord bigint, error text)
language plpgsql
stable
set search_path = ''
as $$
#variable_conflict use_column
begin
  return query
  select c.ord, (pg_catalog.array_agg(f.key || ': ' || case a.atttypid
      when 'boolean'::pg_catalog.regtype then 'must be true or false'
      when 'integer'::pg_catalog.regtype then 'must be a whole number'
      when 'date'::pg_catalog.regtype then 'must be a real calendar date in YYYY-MM-DD form'
      when 'uuid'::pg_catalog.regtype then 'must be a UUID'
      else 'must be a string' end order by a.attnum))[1]
  from unnest(changes) with ordinality c(fields, ord)
  cross join lateral pg_catalog.jsonb_each(c.fields) f
  join pg_catalog.pg_attribute a
    on a.attrelid = pg_catalog.to_regclass('public.' || pg_catalog.quote_ident(entity)) and a.attname = f.key
      and a.attnum > 0 and not a.attisdropped
  where not (pg_catalog.jsonb_typeof(f.value) = 'null' or case a.atttypid
      when 'boolean'::pg_catalog.regtype then pg_catalog.jsonb_typeof(f.value) = 'boolean'
      when 'integer'::pg_catalog.regtype then pg_catalog.jsonb_typeof(f.value) = 'number'
        and (f.value::numeric) = pg_catalog.trunc(f.value::numeric)
      when 'date'::pg_catalog.regtype then packsync_private.is_iso_date(f.value)
      when 'uuid'::pg_catalog.regtype then pg_catalog.jsonb_typeof(f.value) = 'string'
        -- (the 8-4-4-4-12 hex form, as the regex ~* '^[0-9a-f]{8}-…-[0-9a-f]{12}$'
        -- of 20261201111000 says it, at an eighth of its cost: the pattern
        -- fixes the length and the hyphens, and uuid input then accepts
        -- exactly the strings whose other 32 characters are hex digits)
        and (f.value #>> '{}') like '________-____-____-____-____________'
        and pg_catalog.pg_input_is_valid(f.value #>> '{}', 'uuid')
      when 'text'::pg_catalog.regtype then pg_catalog.jsonb_typeof(f.value) = 'string'
      else true end)
  group by c.ord;
end
$$;

-- Stored results of changes the client already pushed (20261125090400_push_records.sql).
create or replace function packsync_private.stored_results(client_id uuid, change_ids uuid[])
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return (
  select jsonb_object_agg(p.change_id, p.result::jsonb)
  from packsync_private.processed_changes p
  where p.client_id = stored_results.client_id and p.change_id = any (stored_results.change_ids)
    and p.user_id = auth.uid());
end
$$;

-- The caller's deleted trips among those a batch touches (20261125090420_push_classify.sql).
create or replace function packsync_private.push_gone_trips(e packsync_private.entities, batch packsync_private.push_change[],
  read_ids uuid[], read_rows jsonb[])
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
begin
  return (
  select jsonb_object_agg(t.id, jsonb_build_object('role', m.role, 'deleted_at', t.deleted_at))
  from public.trips t join public.trip_members m on m.trip_id = t.id and m.user_id = auth.uid() and m.deleted_at is null
    and m.status = 'active'
  where t.deleted_at is not null and t.id = any (array(
    select packsync_private.try_uuid(x.trip) from (
      select distinct case when e.trip_column = 'id' then b.id::text
        else coalesce(ro.r ->> e.trip_column, b.fields ->> e.trip_column) end as trip
      from unnest(batch) b left join unnest(read_ids, read_rows) ro(id, r) on ro.id = b.id
      where b.status is null) x)));
end
$$;
