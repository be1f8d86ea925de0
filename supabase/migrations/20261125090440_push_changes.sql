-- push_changes, part 5 of 5: the RPC. At-most-once, version-checked,
-- field-merging writes from clients, set-wise: the whole batch is parsed,
-- de-duplicated, classified and written with a handful of statements per
-- entity (each step is a function of parts 3 and 4). See README.md beside
-- this file.

-- Parses and checks each change's shape; finds the ones already processed
-- (by an earlier call, or earlier in this batch); splits repeated rows into
-- rounds so that each set statement touches a row once. One pass over the
-- array; the sorts see narrow rows. Pending changes have status null.
create or replace function packsync_private.push_parse(client_id uuid, changes jsonb, entities text[])
returns packsync_private.push_change[]
language sql
stable
set search_path = ''
as $$
  with parsed as materialized (
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
  )
  select coalesce(array_agg(row(
      k.ord, k.change_id, k.entity, k.op, k.id, k.base_version, k.fields,
      case when k.pending then k.round end,
      null,
      case when k.duplicate then 'duplicate'
           when k.result is not null then 'stored'
           when not k.pending or k.round > (packsync_private.push_limits()).max_rounds then 'rejected' end,
      null, null, null,
      case when k.shape_error is not null then packsync_private.push_error('invalid_change', k.shape_error)
           when not k.pending and not k.duplicate and k.result is null then
             packsync_private.push_error('unknown_entity', format('unknown entity %s; expected one of %s', coalesce(k.entity, 'null'), array_to_string(entities, ', ')))
           when k.round > (packsync_private.push_limits()).max_rounds then
             packsync_private.push_error('retry_later', format('%s %s is changed more than %s times in this push; send the rest again',
               k.entity, k.id, (packsync_private.push_limits()).max_rounds))
      end,
      k.result)::packsync_private.push_change order by k.ord), '{}')
  from ranked k
$$;

-- Classifies and writes the pending changes of one entity (each row at most
-- once per call: push_run splits repeated rows into rounds).
create or replace function packsync_private.push_stage(entity text, batch packsync_private.push_change[])
returns packsync_private.push_change[]
language plpgsql
set search_path = ''
as $$
#variable_conflict use_variable
declare
  e constant packsync_private.entities := (select x from packsync_private.entities x where x.name = entity);
  cols constant text[] := array(select a.attname::text from pg_catalog.pg_attribute a
    where a.attrelid = ('public.' || entity)::regclass and a.attnum > 0 and not a.attisdropped);
  -- Fixed columns never change, so updates leave them out.
  update_cols constant text[] := array(select c from unnest(cols) c
    where c <> all (e.server_columns) and c <> all (e.fixed_columns));
  rows record;
begin
  batch := packsync_private.push_check_fields(e, cols, batch);
  rows := packsync_private.push_read_rows(entity, batch);
  batch := packsync_private.push_classify(e, batch, rows.locked_ids, rows.locked_rows, rows.read_ids, rows.read_rows);
  batch := packsync_private.push_resolve_stale(entity, batch);
  return packsync_private.push_apply(entity, batch, update_cols);
end
$$;

-- Runs the pending changes round by round and, in each round, entity by
-- entity, parents first (so a batch may create a trip and fill it).
create or replace function packsync_private.push_run(batch packsync_private.push_change[], entities text[])
returns packsync_private.push_change[]
language plpgsql
set search_path = ''
as $$
declare
  done packsync_private.push_change[] := array(select b from unnest(batch) b where b.status is not null);
  pending constant packsync_private.push_change[] := array(select b from unnest(batch) b where b.status is null);
  stage_round integer;
  stage_entity text;
  stage_position integer;
begin
  for stage_round, stage_entity, stage_position in
    select distinct p.round, p.entity, array_position(entities, p.entity)
    from unnest(pending) p order by p.round, array_position(entities, p.entity)
  loop
    done := done || packsync_private.push_stage(stage_entity, array(select p from unnest(pending) p
      where p.round = stage_round and p.entity = stage_entity order by p.ord));
  end loop;
  -- (push_write_set set it for the log triggers of each write)
  perform set_config('packsync.change_map', '', true);
  return array(select d from unnest(done) d order by d.ord);
end
$$;

-- The response, and the at-most-once records of it. Each result is built once
-- as JSON text (nesting rows into jsonb again would re-encode them); the
-- same text is recorded and returned, the response parsed into jsonb once.
-- batch[i] is change i. Retryable rejections are not recorded.
create or replace function packsync_private.push_finish(client_id uuid, batch packsync_private.push_change[])
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  texts text[] := array(
    select coalesce(b.result::text, format(
      '{"change_id": %s, "status": %s, "version": %s, "row": %s, "conflict": %s, "error": %s}',
      coalesce(to_json(b.change_id)::text, 'null'), to_json(b.status), coalesce(b.version::text, 'null'),
      coalesce(b.row_data::text, 'null'), coalesce(b.conflict::text, 'null'), coalesce(b.error::text, 'null')))
    from unnest(batch) b order by b.ord);
  retryable constant text[] := array(select c.code from packsync_private.push_error_codes c where c.retryable);
begin
  -- A duplicate repeats the result of its first occurrence.
  if exists (select 1 from unnest(batch) b where b.status = 'duplicate') then
    texts := array(
      select texts[case when b.status = 'duplicate'
        then (select min(d.ord) from unnest(batch) d where d.change_id = b.change_id) else b.ord end]
      from unnest(batch) b order by b.ord);
  end if;
  perform packsync_private.record_results(client_id, array_agg(b.change_id), array_agg(b.status), array_agg(t.result))
  from unnest(batch) b join unnest(texts) with ordinality t(result, ord) on t.ord = b.ord
  where b.change_id is not null and b.status in ('applied', 'merged', 'conflict', 'rejected')
    and (b.error is null or b.error ->> 'code' <> all (retryable));
  return ('{"results": [' || array_to_string(texts, ', ') || ']}')::jsonb;
end
$$;

-- Push ---------------------------------------------------------------------------
-- Whole-call errors raise, with a code word the function maps (see README).
create or replace function public.push_changes(client_id uuid, changes jsonb)
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  entities constant text[] := packsync_private.entity_names();
begin
  if auth.uid() is null then
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
  perform set_config('packsync.write_retries', '0', true);
  return packsync_private.push_finish(push_changes.client_id,
    packsync_private.push_run(packsync_private.push_parse(push_changes.client_id, changes, entities), entities));
end
$$;

-- Grants -------------------------------------------------------------------------
grant execute on function
  packsync_private.push_parse(uuid, jsonb, text[]),
  packsync_private.push_stage(text, packsync_private.push_change[]),
  packsync_private.push_run(packsync_private.push_change[], text[]),
  packsync_private.push_finish(uuid, packsync_private.push_change[])
  to authenticated;
revoke execute on function public.push_changes(uuid, jsonb) from public, anon;
grant execute on function public.push_changes(uuid, jsonb) to authenticated;
