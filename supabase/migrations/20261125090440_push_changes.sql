-- push_changes, part 5 of 5: the RPC. At-most-once, version-checked,
-- field-merging writes from clients, set-wise: the whole batch is parsed,
-- de-duplicated, classified and written with a handful of statements per
-- entity. See README.md beside this file.

-- Classifies and writes the pending changes of one entity (each row at most
-- once per call: the caller splits repeated rows into rounds).
create or replace function packsync_private.push_stage(entity text, batch packsync_private.push_change[])
returns packsync_private.push_change[]
language plpgsql
set search_path = ''
as $$
#variable_conflict use_variable
declare
  system_cols constant text[] := '{id,version,created_at,updated_at,deleted_at,created_by}';
  cols text[];
  update_cols text[];
  ids uuid[];
  locked_ids uuid[];
  locked_rows jsonb[];
  read_ids uuid[];
  read_rows jsonb[];
  editors uuid[] := packsync_private.editor_trip_ids();
  owners uuid[] := packsync_private.owner_trip_ids();
  writes packsync_private.push_change[];
  written jsonb;
  -- the caller's deleted trips among the batch's: {trip id: {role, deleted_at}}
  gone jsonb;
begin
  select array_agg(a.attname::text) into cols
  from pg_catalog.pg_attribute a
  where a.attrelid = ('public.' || entity)::regclass and a.attnum > 0 and not a.attisdropped;
  -- trip_id and a membership's user never change, so updates leave them out.
  update_cols := array(select c from unnest(cols) c
    where c <> all (system_cols) and c <> 'trip_id' and not (entity = 'trip_members' and c = 'user_id'));

  -- 1. Fields: server-managed ones are mass assignment; unknown ones are typos.
  -- (A cheap test first: the common batch has neither.)
  if exists (select 1 from unnest(batch) b
             where b.op <> 'delete' and ((b.fields - cols) <> '{}'
               or b.fields ?| array_remove(system_cols, 'id') or (b.fields ->> 'id') <> b.id::text)) then
  batch := array(
    select case
      when b.op = 'delete' then b
      when f.forbidden is not null then packsync_private.decide(b, 'rejected',
        error => packsync_private.push_error('forbidden_field', format('%s is set by the server, not by clients', f.forbidden)))
      when f.unknown is not null then packsync_private.decide(b, 'rejected',
        error => packsync_private.push_error('invalid_field', format('%s has no field %s', entity, f.unknown)))
      else b end
    from unnest(batch) b
    cross join lateral (
      select min(k) filter (where k = any (system_cols) and not (k = 'id' and b.fields ->> 'id' = b.id::text)) as forbidden,
             min(k) filter (where k <> all (cols)) as unknown
      from jsonb_object_keys(b.fields) k
    ) f
    order by b.ord);
  end if;

  -- 2. Current rows (RLS applies): which exist for the caller at all (ids
  -- only; a batch of new rows stops here), of those the ones the caller may
  -- write, locked in id order (no deadlocks between pushes), then the ones it
  -- may only read.
  ids := array(select b.id from unnest(batch) b where b.status is null);
  execute format('select array_agg(t.id) from public.%I t where t.id = any ((select $1)::uuid[])', entity)
    into ids using ids;
  -- (Rows travel as arrays: jsonb_object_agg of whole rows costs more than
  -- reading them. `any ((select $1)::uuid[])` hides the id list from the
  -- planner, which would otherwise estimate each of up to 1000 ids, ~0.5 ms
  -- a statement; the plan is a primary-key index scan either way.)
  if ids is not null then
    execute format('select array_agg(t.id), array_agg(to_jsonb(t))
      from (select * from public.%I t where t.id = any ((select $1)::uuid[]) order by t.id for update of t) t', entity)
      into locked_ids, locked_rows using ids;
    ids := array(select i from unnest(ids) i where i <> all (coalesce(locked_ids, '{}')));
    if cardinality(ids) > 0 then
      execute format('select array_agg(t.id), array_agg(to_jsonb(t)) from public.%I t where t.id = any ((select $1)::uuid[])', entity)
        into read_ids, read_rows using ids;
    end if;
  end if;

  -- 3. Classify: permission, tombstone, version check. Stale changes are
  -- marked 'stale' and resolved from the log in step 4. Rows of a deleted
  -- trip are readable but not lockable (the update policies admit live trips
  -- only): a write to them is a delete-vs-edit conflict, and a delete of
  -- what is already deleted is applied (idempotent), for whoever could have
  -- written the row while the trip was live.
  gone := (select jsonb_object_agg(t.id, jsonb_build_object('role', m.role, 'deleted_at', t.deleted_at))
    from public.trips t join public.trip_members m on m.trip_id = t.id and m.user_id = auth.uid() and m.deleted_at is null
    where t.deleted_at is not null and t.id = any (array(
      select distinct case when entity = 'trips' then b.id
        else coalesce((ro.r ->> 'trip_id')::uuid, packsync_private.try_uuid(b.fields ->> 'trip_id')) end
      from unnest(batch) b left join unnest(read_ids, read_rows) ro(id, r) on ro.id = b.id
      where b.status is null)));
  batch := array(
    select case
      when b.status is not null then b
      -- a new row (or one the caller cannot see at all)
      when srv is null then case
        when b.op = 'delete' or b.base_version is not null then packsync_private.decide(b, 'rejected',
          error => packsync_private.push_error('not_found', format('%s %s does not exist or is not visible to you', entity, b.id)))
        when trip is null then packsync_private.decide(b, 'rejected',
          error => packsync_private.push_error('invalid_field', 'trip_id (a uuid) is required to create a row'))
        when entity = 'trips' or (trip_gone is null and packsync_private.may_write(entity, b.op, b.fields, null, role))
          then packsync_private.decide(b, 'applied', 'insert')
        when trip_gone is not null and packsync_private.may_write(entity, b.op, b.fields, null, role)
          then packsync_private.decide(b, 'conflict', conflict => packsync_private.deleted_conflict(b, trip_gone))
        else packsync_private.decide(b, 'rejected',
          error => packsync_private.push_error('permission_denied', format('you cannot add %s to trip %s', entity, trip)))
        end
      when b.op = 'upsert' and b.fields ? 'trip_id' and packsync_private.try_uuid(b.fields ->> 'trip_id') is distinct from trip
        then packsync_private.decide(b, 'rejected',
          error => packsync_private.push_error('forbidden_field', 'trip_id cannot change: rows do not move between trips'))
      when b.op = 'upsert' and entity = 'trip_members' and b.fields ? 'user_id' and b.fields -> 'user_id' is distinct from srv -> 'user_id'
        then packsync_private.decide(b, 'rejected',
          error => packsync_private.push_error('forbidden_field', 'user_id of a membership cannot change'))
      when not packsync_private.may_write(entity, b.op, b.fields, srv, role) then packsync_private.decide(b, 'rejected',
          error => packsync_private.push_error('permission_denied',
            case when s is null then format('you may read but not change %s %s', entity, b.id)
                 when entity = 'trips' then 'only an owner can rename or delete a trip; editors change the rest'
                 when entity = 'trip_members' then 'only an owner can manage members'
                 else format('you cannot change %s of trip %s', entity, trip) end))
      when srv ->> 'deleted_at' is not null and b.op = 'delete'
        then packsync_private.decide(b, 'applied', null, (srv ->> 'version')::bigint, srv::json)
      when srv ->> 'deleted_at' is not null or trip_gone is not null
        then packsync_private.decide(b, 'conflict', null, (srv ->> 'version')::bigint, srv::json,
          packsync_private.deleted_conflict(b, coalesce(srv -> 'deleted_at', trip_gone)))
      when b.base_version is not distinct from (s ->> 'version')::bigint then case
        when b.op = 'delete' then packsync_private.decide(b, 'applied', 'tombstone')
        when packsync_private.same_values(b.fields - 'id', s) then packsync_private.decide(b, 'applied', null, (s ->> 'version')::bigint, s::json)
        else packsync_private.decide(b, 'applied', 'update')
        end
      else packsync_private.decide(b, null, 'stale', (s ->> 'version')::bigint, s::json)
      end
    from unnest(batch) b
    left join unnest(locked_ids, locked_rows) l(id, s) on l.id = b.id
    left join unnest(read_ids, read_rows) ro(id, r) on ro.id = b.id
    cross join lateral (select coalesce(s, r) as srv) v
    cross join lateral (select case when entity = 'trips' then b.id
      else coalesce((srv ->> 'trip_id')::uuid, packsync_private.try_uuid(b.fields ->> 'trip_id')) end as trip) t
    cross join lateral (select gone -> trip::text -> 'deleted_at' as trip_gone,
      case when trip = any (owners) then 'owner' when trip = any (editors) then 'editor'
        else gone -> trip::text ->> 'role' end as role) g
    order by b.ord);

  -- 4. Stale: which fields changed on the server since base_version (from the
  -- log; a gap in the log counts as "everything changed").
  if exists (select 1 from unnest(batch) b where b.action = 'stale') then
    batch := array(
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
        select case when count(*) >= b.version - coalesce(b.base_version, 0)
          then array(select distinct f from public.change_log cl2, unnest(cl2.changed_fields) f
                     where cl2.row_id = b.id and cl2.entity = push_stage.entity and cl2.version > coalesce(b.base_version, 0))
          else array(select json_object_keys(b.row_data)) end as fields
        from public.change_log cl
        where cl.row_id = b.id and cl.entity = push_stage.entity and cl.version > coalesce(b.base_version, 0)
      ) changed
      cross join lateral (
        select array(select k from jsonb_object_keys(b.fields) k where k not in ('id', 'trip_id')) as keys
      ) client
      cross join lateral (
        select array(select k from unnest(client.keys) k
                     where k = any (changed.fields) and b.fields -> k is distinct from b.row_data::jsonb -> k) as fields
      ) clash
      order by b.ord);
  end if;

  -- 5. Write what was decided, set-wise; failures come back rejected.
  if exists (select 1 from unnest(batch) b where b.action is null or b.action not in ('insert', 'update', 'tombstone')) then
    writes := array(select b from unnest(batch) b where b.action in ('insert', 'update', 'tombstone') order by b.ord);
  else
    writes := batch;  -- the common case: every change writes
  end if;
  if cardinality(writes) = 0 then
    return batch;
  end if;
  writes := packsync_private.push_write(entity, writes, update_cols);
  -- New trips could not use RETURNING (see push_write_set): read them now.
  ids := array(select w.id from unnest(writes) w where w.status <> 'rejected' and w.row_data is null);
  if cardinality(ids) > 0 then
    execute format('select jsonb_object_agg(t.id, to_jsonb(t)) from public.%I t where t.id = any ($1)', entity)
      into written using ids;
  elsif cardinality(writes) = cardinality(batch) then
    return writes;  -- the same changes in the same order, nothing to merge
  end if;
  written := coalesce(written, '{}');
  return array(
    select case
      when w.ord is null then b
      when w.status = 'rejected' or w.row_data is not null then w
      else packsync_private.decide(w, w.status, null, (written -> w.id::text ->> 'version')::bigint, (written -> w.id::text)::json)
      end
    from unnest(batch) b
    left join unnest(writes) w on w.ord = b.ord
    order by b.ord);
end
$$;

-- Push ---------------------------------------------------------------------------
create or replace function public.push_changes(client_id uuid, changes jsonb)
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  entities constant text[] := '{trips,trip_members,people,rule_overrides,items}';
  uid uuid := auth.uid();
  batch packsync_private.push_change[];
  stage packsync_private.push_change[];
  rounds integer;
  pending integer;
  first_entity text;
  last_entity text;
  stage_entity text;
  texts text[];
  results jsonb;
begin
  if uid is null then
    raise exception 'not_authenticated: push_changes needs a signed-in user' using errcode = '28000';
  end if;
  if push_changes.client_id is null then
    raise exception 'invalid_argument: client_id is required' using errcode = '22023';
  end if;
  if changes is null or jsonb_typeof(changes) <> 'array' then
    raise exception 'invalid_argument: changes must be a JSON array' using errcode = '22023';
  end if;
  if jsonb_array_length(changes) > 1000 then
    raise exception 'too_many_changes: % changes in one call; the limit is 1000', jsonb_array_length(changes)
      using errcode = '54000';
  end if;
  perform packsync_private.claim_client(push_changes.client_id);
  perform set_config('packsync.client_id', push_changes.client_id::text, true);

  -- Parse and check each change's shape; find the ones already processed
  -- (by an earlier call, or earlier in this batch); split repeated rows into
  -- rounds so that each set statement touches a row once. One pass over the
  -- array; the sorts see narrow rows.
  with parsed as materialized (
    select e.ord::integer as ord, jsonb_typeof(e.c) as kind,
      packsync_private.try_uuid(e.c ->> 'change_id') as change_id,
      e.c ->> 'entity' as entity, e.c ->> 'op' as op,
      packsync_private.try_uuid(e.c ->> 'id') as id,
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
    select packsync_private.stored_results(push_changes.client_id, array_agg(p.change_id)) as results
    from parsed p
  ), looked as (
    select k.*, pc.result,
      k.shape_error is null and not k.duplicate and pc.result is null and k.entity = any (entities) as pending
    from checked k
    cross join stored
    cross join lateral (select case when not k.duplicate then stored.results -> k.change_id::text end as result) pc
  ), ranked as (
    select l.*, row_number() over (partition by l.pending, l.entity, l.id order by l.ord)::integer as round
    from looked l
  )
  select array_agg(row(
      k.ord, k.change_id, k.entity, k.op, k.id, k.base_version, k.fields,
      case when k.pending then k.round end,
      null,
      case when k.duplicate then 'duplicate'
           when k.result is not null then 'stored'
           when not k.pending then 'rejected' end,
      null, null, null,
      case when k.shape_error is not null then packsync_private.push_error('invalid_change', k.shape_error)
           when not k.pending and not k.duplicate and k.result is null then
             packsync_private.push_error('unknown_entity', format('unknown entity %s; expected one of %s', coalesce(k.entity, 'null'), array_to_string(entities, ', ')))
      end,
      k.result)::packsync_private.push_change order by k.ord)
  into batch
  from ranked k;

  select max(b.round), count(*), min(b.entity), max(b.entity) into rounds, pending, first_entity, last_entity
  from unnest(batch) b where b.status is null;
  for r in 1 .. coalesce(rounds, 0) loop
    -- Parents before children, so a batch may create a trip and fill it.
    foreach stage_entity in array entities loop
      if pending = cardinality(batch) and rounds = 1 and first_entity = last_entity then
        -- the common case: every change pending, one entity, one round
        continue when stage_entity <> first_entity;
        stage := batch;
      else
        stage := array(select b from unnest(batch) b where b.status is null and b.round = r and b.entity = stage_entity order by b.ord);
      end if;
      if cardinality(stage) > 0 then
        stage := packsync_private.push_stage(stage_entity, stage);
        if cardinality(stage) = cardinality(batch) then
          batch := stage;  -- the common case: one entity, one round
        else
          batch := array(
            select case when s.ord is null then b else s end
            from unnest(batch) b left join unnest(stage) s on s.ord = b.ord
            order by b.ord);
        end if;
      end if;
    end loop;
  end loop;
  perform set_config('packsync.change_map', '', true);

  -- Results as JSON text, built once for the response and the record: nesting
  -- each row into jsonb again would re-encode it. batch[i] is change i.
  texts := array(
    select coalesce(b.result::text, format(
      '{"change_id": %s, "status": %s, "version": %s, "row": %s, "conflict": %s, "error": %s}',
      coalesce(to_json(b.change_id)::text, 'null'), to_json(b.status), coalesce(b.version::text, 'null'),
      coalesce(b.row_data::text, 'null'), coalesce(b.conflict::text, 'null'), coalesce(b.error::text, 'null')))
    from unnest(batch) b order by b.ord);
  -- A duplicate repeats the result of its first occurrence.
  if exists (select 1 from unnest(batch) b where b.status = 'duplicate') then
    texts := array(
      select texts[case when b.status = 'duplicate'
        then (select min(d.ord) from unnest(batch) d where d.change_id = b.change_id) else b.ord end]
      from unnest(batch) b order by b.ord);
  end if;
  -- Recorded in this transaction, for at-most-once.
  if exists (select 1 from unnest(batch) b
             where b.change_id is null or b.status not in ('applied', 'merged', 'conflict', 'rejected')) then
    perform packsync_private.record_results(push_changes.client_id,
      array_agg(b.change_id), array_agg(b.status), array_agg(texts[b.ord]))
    from unnest(batch) b where b.change_id is not null and b.status in ('applied', 'merged', 'conflict', 'rejected');
  else
    -- the common case: every change is recorded (texts as they are, not copied)
    perform packsync_private.record_results(push_changes.client_id,
      array_agg(b.change_id order by b.ord), array_agg(b.status order by b.ord), texts)
    from unnest(batch) b;
  end if;
  -- Assembled as text and parsed once: much cheaper than jsonb_agg of rows.
  results := ('{"results": [' || array_to_string(texts, ', ') || ']}')::jsonb;
  return results;
end
$$;

-- Grants -------------------------------------------------------------------------
grant execute on function
  packsync_private.push_stage(text, packsync_private.push_change[])
  to authenticated;
revoke execute on function public.push_changes(uuid, jsonb) from public, anon;
grant execute on function public.push_changes(uuid, jsonb) to authenticated;
