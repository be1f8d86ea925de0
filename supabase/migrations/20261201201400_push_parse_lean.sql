-- Push speed (issue 12.1), part 5: parsing a batch. push_parse
-- (20261125090440_push_changes.sql) called push_limits() two or three times
-- for every change (a function with its own search_path is never inlined:
-- ~3 us a call, ~40 % of the parse of 500 changes); it reads the limit once.
-- And it is PL/pgSQL now: PostgreSQL 17 plans the body of a SQL function
-- that is not inlined again on every call (a push is one call), while
-- PL/pgSQL keeps the plan of each statement for the session.

-- Parses and checks each change's shape; finds the ones already processed
-- (by an earlier call, or earlier in this batch); splits repeated rows into
-- rounds so that each set statement touches a row once. One pass over the
-- array; the sorts see narrow rows. Pending changes have status null.
create or replace function packsync_private.push_parse(client_id uuid, changes jsonb, entities text[])
returns packsync_private.push_change[]
language plpgsql
stable
set search_path = ''
as $$
begin
  return (with parsed as materialized (
    -- (The two uuids are checked as try_uuid does, written out: a function
    -- call per change with its own search_path costs ~3 us more.)
    select e.ord::integer as ord, jsonb_typeof(e.c) as kind,
      case when e.c ->> 'change_id' like '________-____-____-____-____________'
        then json_value(e.c -> 'change_id', '$' returning uuid null on error) end as change_id,
      e.c ->> 'entity' as entity, e.c ->> 'op' as op,
      case when e.c ->> 'id' like '________-____-____-____-____________'
        then json_value(e.c -> 'id', '$' returning uuid null on error) end as id,
      jsonb_typeof(e.c -> 'base_version') as base_kind,
      e.c ->> 'base_version' as base_text,
      e.c -> 'fields' as fields
    from jsonb_array_elements(changes) with ordinality e(c, ord)
  ), checked as (
    select p.ord, p.change_id, p.entity, p.op, p.id, v.base_version,
      case when p.op = 'upsert' and s.shape_error is null and jsonb_typeof(p.fields) = 'object' then p.fields else '{}' end as fields,
      s.shape_error,
      p.change_id is not null and p.ord > min(p.ord) over (partition by p.change_id) as duplicate
    from parsed p
    cross join lateral (select case when p.base_kind = 'number' and p.base_text ~ '^[0-9]{1,18}$'
      then p.base_text::bigint end as base_version) v
    cross join lateral (select case
      when p.kind <> 'object' then 'each change must be an object'
      when p.change_id is null then 'change_id must be a uuid'
      when p.op is null or p.op not in ('upsert', 'delete') then 'op must be "upsert" or "delete"'
      when p.id is null then 'id must be a uuid'
      when v.base_version is null and p.base_kind not in ('null') then 'base_version must be a non-negative integer or null'
      -- (missing or null fields mean none)
      when p.op = 'upsert' and jsonb_typeof(p.fields) not in ('object', 'null') then 'fields must be an object'
      end as shape_error) s
  ), stored as (
    -- Results of changes this client already pushed: primary-key probes only,
    -- however many changes the client has processed over time.
    select packsync_private.stored_results(push_parse.client_id, array_agg(p.change_id)) as results
    from parsed p
  ), looked as (
    select k.*, pc.result,
      k.shape_error is null and not k.duplicate and pc.result is null and coalesce(k.entity = any (entities), false) as pending
    from checked k
    cross join stored
    cross join lateral (select case when not k.duplicate then stored.results -> k.change_id::text end as result) pc
  ), ranked as (
    select l.*, row_number() over (partition by l.pending, l.entity, l.id order by l.ord)::integer as round
    from looked l
  ), limits as materialized (
    -- once: push_limits() has its own search_path, so it is never inlined
    select (packsync_private.push_limits()).max_rounds
  )
  select coalesce(array_agg(row(
      k.ord, k.change_id, k.entity, k.op, k.id, k.base_version, k.fields,
      case when k.pending then k.round end,
      null,
      case when k.duplicate then 'duplicate'
           when k.result is not null then 'stored'
           when not k.pending or k.round > lim.max_rounds then 'rejected' end,
      null, null, null,
      case when k.shape_error is not null then packsync_private.push_error('invalid_change', k.shape_error)
           when not k.pending and not k.duplicate and k.result is null then
             packsync_private.push_error('unknown_entity', format('unknown entity %s; expected one of %s', coalesce(k.entity, 'null'), array_to_string(entities, ', ')))
           when k.round > lim.max_rounds then
             packsync_private.push_error('retry_later', format('%s %s is changed more than %s times in this push; send the rest again',
               k.entity, k.id, lim.max_rounds))
      end,
      k.result)::packsync_private.push_change order by k.ord), '{}')
  from ranked k cross join limits lim);
end
$$;

