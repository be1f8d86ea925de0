-- push_changes, part 3 of 5: deciding each change's outcome before anything
-- is written (permission, tombstones, versions, conflicts).

-- What a step decides for a change: its outcome, without the request.
create type packsync_private.push_outcome as (
  status text,
  action text,
  version bigint,
  row_data json,
  conflict jsonb,
  error jsonb
);

-- The same change with its outcome set.
create or replace function packsync_private.decide(
  c packsync_private.push_change,
  status text,
  action text default null,
  version bigint default null,
  row_data json default null,
  conflict jsonb default null,
  error jsonb default null)
returns packsync_private.push_change
language sql
immutable
set search_path = ''
as $$
  select row(c.ord, c.change_id, c.entity, c.op, c.id, c.base_version, c.fields, c.round,
    action, status, version, row_data, conflict, error, c.result)::packsync_private.push_change
$$;

-- The conflict of an edit with a delete: the server's side is the tombstone.
create or replace function packsync_private.deleted_conflict(c packsync_private.push_change, deleted_at jsonb)
returns jsonb
language sql
immutable
set search_path = ''
as $$
  select jsonb_build_object('fields', jsonb_build_array('deleted_at'), 'base', jsonb_build_object('deleted_at', null),
    'server', jsonb_build_object('deleted_at', deleted_at),
    'client', case when c.op = 'upsert' then c.fields end)
$$;

-- True when every field the client sent already has that value on the server.
create or replace function packsync_private.same_values(fields jsonb, server jsonb)
returns boolean
language sql
immutable
set search_path = ''
as $$
  select not exists (select 1 from jsonb_each(fields) e where e.value is distinct from server -> e.key)
$$;

-- The conflict report: the fields in dispute with their values at the
-- client's base version (from the log, looking no further than max_history
-- versions: beyond, the base value is reported as null), on the server now,
-- and from the client.
create or replace function packsync_private.conflict_of(c packsync_private.push_change, fields text[], client jsonb)
returns jsonb
language sql
stable
set search_path = ''
as $$
  select jsonb_build_object(
    'fields', to_jsonb(fields),
    'base', coalesce((select jsonb_object_agg(k, (
        select cl.old_values -> k from public.change_log cl
        where cl.row_id = c.id and cl.entity = c.entity and cl.version > coalesce(c.base_version, 0)
          and cl.version <= coalesce(c.base_version, 0) + (packsync_private.push_limits()).max_history
          and k = any (cl.changed_fields)
        order by cl.version limit 1))
      from unnest(fields) k), '{}'),
    'server', coalesce((select jsonb_object_agg(k, c.row_data::jsonb -> k) from unnest(fields) k), '{}'),
    'client', case when client is not null then
      coalesce((select jsonb_object_agg(k, client -> k) from unnest(fields) k), '{}') end)
$$;

-- Step 1 of a stage. Fields: server-managed ones are mass assignment,
-- unknown ones are typos. (A cheap test first: the common batch has neither.)
create or replace function packsync_private.push_check_fields(e packsync_private.entities, cols text[],
  batch packsync_private.push_change[])
returns packsync_private.push_change[]
language plpgsql
stable
set search_path = ''
as $$
declare
  mistyped jsonb;  -- change ord -> 'field: reason'
begin
  -- A value of the wrong JSON type is refused here, before a column's input
  -- function would turn "yes" into true or "today" into a date: the model
  -- refuses those, and so must push. One catalog lookup for the batch.
  select coalesce(jsonb_object_agg(b.ord, m.error), '{}') into mistyped
  from unnest(batch) with ordinality b
  join packsync_private.field_errors(e.name,
         array(select c.fields from unnest(batch) with ordinality c order by c.ordinality)) m
    on m.ord = b.ordinality
  where b.op <> 'delete';
  if mistyped = '{}' and not exists (select 1 from unnest(batch) b
                 where b.op <> 'delete' and ((b.fields - cols) <> '{}'
                   or b.fields ?| array_remove(e.server_columns, 'id') or (b.fields ->> 'id') <> b.id::text)) then
    return batch;
  end if;
  return array(
    select case
      when b.op = 'delete' then b
      when f.forbidden is not null then packsync_private.decide(b, 'rejected',
        error => packsync_private.push_error('forbidden_field', format('%s is set by the server, not by clients', f.forbidden)))
      when f.unknown is not null then packsync_private.decide(b, 'rejected',
        error => packsync_private.push_error('invalid_field', format('%s has no field %s', e.name, f.unknown)))
      when mistyped ? b.ord::text then packsync_private.decide(b, 'rejected',
        error => packsync_private.push_error('invalid_field', format('%s.%s', e.name, mistyped ->> b.ord::text)))
      else b end
    from unnest(batch) b
    cross join lateral (
      select min(k) filter (where k = any (e.server_columns) and not (k = 'id' and b.fields ->> 'id' = b.id::text)) as forbidden,
             min(k) filter (where k <> all (cols)) as unknown
      from jsonb_object_keys(b.fields) k
    ) f
    order by b.ord);
end
$$;

-- Step 2. The current rows (RLS applies): which exist for the caller at all
-- (ids only; a batch of new rows stops here); of those, the ones the caller
-- may write, locked FOR UPDATE in id order (so two pushes never deadlock on
-- them); then the ones the caller may only read. FOR UPDATE applies the
-- update policies as well as the read ones, so "locked" means "writable":
-- a viewer's rows and the rows of a deleted trip come back read-only.
-- Rows travel as arrays (jsonb_object_agg of whole rows costs more);
-- `any ((select $1)::uuid[])` hides the id list from the planner, which
-- would otherwise estimate each of up to 1000 ids (~0.5 ms a statement); the
-- plan is a primary-key index scan either way.
create or replace function packsync_private.push_read_rows(entity text, batch packsync_private.push_change[],
  out locked_ids uuid[], out locked_rows jsonb[], out read_ids uuid[], out read_rows jsonb[])
language plpgsql
set search_path = ''
as $$
declare
  ids uuid[] := array(select b.id from unnest(batch) b where b.status is null);
begin
  execute format('select array_agg(t.id) from public.%I t where t.id = any ((select $1)::uuid[])', entity)
    into ids using ids;
  if ids is null then
    return;
  end if;
  execute format('select array_agg(t.id), array_agg(to_jsonb(t))
    from (select * from public.%I t where t.id = any ((select $1)::uuid[]) order by t.id for update of t) t', entity)
    into locked_ids, locked_rows using ids;
  ids := array(select i from unnest(ids) i where i <> all (coalesce(locked_ids, '{}')));
  if cardinality(ids) > 0 then
    execute format('select array_agg(t.id), array_agg(to_jsonb(t)) from public.%I t where t.id = any ((select $1)::uuid[])', entity)
      into read_ids, read_rows using ids;
  end if;
end
$$;

-- The caller's deleted trips among those a batch touches, with their role
-- there: {trip id: {role, deleted_at}}. Rows of a deleted trip are readable
-- but not lockable (the update policies admit live trips only).
create or replace function packsync_private.push_gone_trips(e packsync_private.entities, batch packsync_private.push_change[],
  read_ids uuid[], read_rows jsonb[])
returns jsonb
language sql
stable
set search_path = ''
as $$
  select jsonb_object_agg(t.id, jsonb_build_object('role', m.role, 'deleted_at', t.deleted_at))
  from public.trips t join public.trip_members m on m.trip_id = t.id and m.user_id = auth.uid() and m.deleted_at is null
    and m.status = 'active'
  where t.deleted_at is not null and t.id = any (array(
    select packsync_private.try_uuid(x.trip) from (
      select distinct case when e.trip_column = 'id' then b.id::text
        else coalesce(ro.r ->> e.trip_column, b.fields ->> e.trip_column) end as trip
      from unnest(batch) b left join unnest(read_ids, read_rows) ro(id, r) on ro.id = b.id
      where b.status is null) x))
$$;

-- Step 3. Permission, tombstones, versions. A write to a row of a deleted
-- trip (or to a tombstone) is a delete-vs-edit conflict, and deleting what
-- is already deleted is applied (idempotent), for whoever could have written
-- the row while it was live. A base_version the server never issued is
-- refused: merging it would overwrite newer edits unseen. Stale changes are
-- marked 'stale' and resolved from the log in step 4.
create or replace function packsync_private.push_classify(e packsync_private.entities, batch packsync_private.push_change[],
  locked_ids uuid[], locked_rows jsonb[], read_ids uuid[], read_rows jsonb[])
returns packsync_private.push_change[]
language plpgsql
stable
set search_path = ''
as $$
declare
  uid constant text := auth.uid()::text;
  editors constant uuid[] := packsync_private.editor_trip_ids();
  owners constant uuid[] := packsync_private.owner_trip_ids();
  gone constant jsonb := packsync_private.push_gone_trips(e, batch, read_ids, read_rows);
begin
  -- Each outcome is row(status, action, version, row, conflict, error),
  -- laid over its change once at the end (a decide() call per change, with
  -- its own search_path, would cost ~3 us each).
  return array(
    select case when x.o is null then x.b else row((x.b).ord, (x.b).change_id, (x.b).entity, (x.b).op, (x.b).id,
        (x.b).base_version, (x.b).fields, (x.b).round, (x.o).action, (x.o).status, (x.o).version, (x.o).row_data,
        (x.o).conflict, (x.o).error, (x.b).result)::packsync_private.push_change end
    from (
      select b, case
        when b.status is not null then null
        when srv is null then case  -- a new row (or one the caller cannot see at all)
          when b.op = 'delete' or b.base_version is not null then row('rejected', null, null, null, null,
            packsync_private.push_error('not_found', format('%s %s does not exist or is not visible to you', e.name, b.id)))::packsync_private.push_outcome
          when trip is null then row('rejected', null, null, null, null,
            packsync_private.push_error('invalid_field', format('%s (a uuid) is required to create a row', e.trip_column)))::packsync_private.push_outcome
          when not allowed then row('rejected', null, null, null, null,
            packsync_private.push_error('permission_denied', format('you cannot add %s to trip %s', e.name, trip)))::packsync_private.push_outcome
          when trip_gone is not null then row('conflict', null, null, null, packsync_private.deleted_conflict(b, trip_gone), null)::packsync_private.push_outcome
          else row('applied', 'insert', null, null, null, null)::packsync_private.push_outcome
          end
        when b.op = 'upsert' and moved is not null then row('rejected', null, null, null, null,
          packsync_private.push_error('forbidden_field', format('%s of %s cannot change', moved, e.name)))::packsync_private.push_outcome
        when not allowed then row('rejected', null, null, null, null,
          packsync_private.push_error('permission_denied', case when role is null or s is null and trip_gone is null
              then format('you may read but not change %s %s', e.name, b.id)
            else format('your role (%s) does not allow this change to %s %s', role, e.name, b.id) end))::packsync_private.push_outcome
        when b.base_version > (srv ->> 'version')::bigint then row('rejected', null, null, null, null,
          packsync_private.push_error('invalid_base_version',
            format('base_version %s is above the server''s version %s of %s %s', b.base_version, srv ->> 'version', e.name, b.id)))::packsync_private.push_outcome
        when srv ->> 'deleted_at' is not null and b.op = 'delete'
          then row('applied', null, (srv ->> 'version')::bigint, srv::json, null, null)::packsync_private.push_outcome
        when srv ->> 'deleted_at' is not null or trip_gone is not null
          then row('conflict', null, (srv ->> 'version')::bigint, srv::json,
            packsync_private.deleted_conflict(b, coalesce(srv -> 'deleted_at', trip_gone)), null)::packsync_private.push_outcome
        when b.base_version is not distinct from (s ->> 'version')::bigint then case
          when b.op = 'delete' then row('applied', 'tombstone', null, null, null, null)::packsync_private.push_outcome
          -- nothing to change: every field already has the value sent
          when not exists (select 1 from jsonb_each(b.fields - 'id') f where f.value is distinct from s -> f.key)
            then row('applied', null, (s ->> 'version')::bigint, s::json, null, null)::packsync_private.push_outcome
          else row('applied', 'update', null, null, null, null)::packsync_private.push_outcome
          end
        else row(null, 'stale', (s ->> 'version')::bigint, s::json, null, null)::packsync_private.push_outcome
        end as o
      from unnest(batch) b
      left join unnest(locked_ids, locked_rows) l(id, s) on l.id = b.id
      left join unnest(read_ids, read_rows) ro(id, r) on ro.id = b.id
      cross join lateral (select coalesce(s, r) as srv) v
      cross join lateral (select case when e.trip_column = 'id' then b.id
        else coalesce((srv ->> e.trip_column)::uuid, packsync_private.try_uuid(b.fields ->> e.trip_column)) end as trip,
        (select min(c) from unnest(e.fixed_columns) c where b.fields ? c and b.fields -> c is distinct from srv -> c) as moved) t
      cross join lateral (select gone -> trip::text -> 'deleted_at' as trip_gone,
        case when trip = any (owners) then 'owner' when trip = any (editors) then 'editor'
          else gone -> trip::text ->> 'role' end as role) g
      -- Who may write what: the caller's role in the row's trip against the
      -- entity's roles in the registry. Anyone may create a trip (they become
      -- its owner). (Written out here, not as a function: a call per change
      -- costs more than the rule.)
      cross join lateral (select coalesce(case
        when srv is null and e.trip_column = 'id' then true
        -- one's own membership: accept, decline, leave (the membership
        -- triggers say which columns a member may change)
        when srv ->> e.member_column = uid then true
        when b.op = 'delete' then role = 'owner' or (e.delete_role = 'editor' and role = 'editor')
        when exists (select 1 from unnest(e.owner_columns) c where b.fields ? c and b.fields -> c is distinct from srv -> c)
          then role = 'owner'
        else role = 'owner' or (e.write_role = 'editor' and role = 'editor') end, false) as allowed) w
      offset 0  -- (so that each outcome is computed once, not once per field read above)
    ) x
    order by (x.b).ord);
end
$$;

-- Step 4. Stale changes: which fields changed on the server since
-- base_version, from the log (a gap in the log, after compaction, or a
-- history longer than push_limits' max_history counts as "everything
-- changed", so no change reads more than that many log rows). Disjoint from the client's fields: merged; the
-- same fields with other values: conflict; with equal values: applied.
create or replace function packsync_private.push_resolve_stale(entity text, batch packsync_private.push_change[])
returns packsync_private.push_change[]
language plpgsql
stable
set search_path = ''
as $$
#variable_conflict use_variable
declare
  max_history constant integer := (packsync_private.push_limits()).max_history;
begin
  if not exists (select 1 from unnest(batch) b where b.action = 'stale') then
    return batch;
  end if;
  return array(
    select case
      when b.action is distinct from 'stale' then b
      when b.op = 'delete' then packsync_private.decide(b, 'conflict', null, b.version, b.row_data,
        packsync_private.conflict_of(b, changed.fields, null))
      when cardinality(clash.fields) > 0 then packsync_private.decide(b, 'conflict', null, b.version, b.row_data,
        packsync_private.conflict_of(b, clash.fields, b.fields))
      when packsync_private.same_values(b.fields - 'id', b.row_data::jsonb) then packsync_private.decide(b, 'applied', null, b.version, b.row_data)
      when not (client.keys && changed.fields) then packsync_private.decide(b, 'merged', 'update')
      else packsync_private.decide(b, 'applied', 'update')
      end
    from unnest(batch) b
    cross join lateral (
      select case when b.version - coalesce(b.base_version, 0) <= max_history and (
          select count(*) from public.change_log cl
          where cl.row_id = b.id and cl.entity = entity and cl.version > coalesce(b.base_version, 0)
        ) >= b.version - coalesce(b.base_version, 0)
        then array(select distinct f from public.change_log cl2, unnest(cl2.changed_fields) f
                   where cl2.row_id = b.id and cl2.entity = entity and cl2.version > coalesce(b.base_version, 0))
        else array(select json_object_keys(b.row_data)) end as fields
    ) changed
    cross join lateral (
      select array(select k from jsonb_object_keys(b.fields) k where k not in ('id', 'trip_id')) as keys
    ) client
    cross join lateral (
      select array(select k from unnest(client.keys) k
                   where k = any (changed.fields) and b.fields -> k is distinct from b.row_data::jsonb -> k) as fields
    ) clash
    order by b.ord);
end
$$;

-- Grants -------------------------------------------------------------------------
grant execute on function
  packsync_private.decide(packsync_private.push_change, text, text, bigint, json, jsonb, jsonb),
  packsync_private.push_check_fields(packsync_private.entities, text[], packsync_private.push_change[]),
  packsync_private.push_read_rows(text, packsync_private.push_change[]),
  packsync_private.push_gone_trips(packsync_private.entities, packsync_private.push_change[], uuid[], jsonb[]),
  packsync_private.push_classify(packsync_private.entities, packsync_private.push_change[], uuid[], jsonb[], uuid[], jsonb[]),
  packsync_private.push_resolve_stale(text, packsync_private.push_change[]),
  packsync_private.deleted_conflict(packsync_private.push_change, jsonb),
  packsync_private.same_values(jsonb, jsonb),
  packsync_private.conflict_of(packsync_private.push_change, text[], jsonb)
  to authenticated;
