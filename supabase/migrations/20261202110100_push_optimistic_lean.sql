-- Push speed (issue 12, measure 1), session 4, part 2: the optimistic pass
-- of 20261202110000_push_optimistic.sql without its two extra passes over
-- the batch. It handed every row read to push_classify twice (as writable
-- and as read-only, for the trips they name), so classification joined the
-- batch to 500 read rows once more and push_gone_trips looked at all of
-- them; and it laid each row's version over its change in a pass of its own.
-- Measured with track_functions over 20 merged pushes of 500, that ate what
-- dropping the lock saved. Now:
-- - only rows outside the caller's live editable trips (the ones whose trip
--   may be deleted: editor_trip_ids() counts live trips only) go in as
--   read-only, picked by the read query itself;
-- - classification writes the version it decided against into each update
--   and tombstone (`version`, until the write replaces it with the new one),
--   and stale resolution keeps it for merges and overlapping-but-equal
--   updates. The locking pass clears it, so there a shortfall raises as it
--   always did.

-- Helper functions ---------------------------------------------------------------
-- As in 20261201201300_push_classify_lean.sql, except that an update or a
-- tombstone carries the version of the row it was decided against.
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
          when b.op = 'delete' then row('applied', 'tombstone', (s ->> 'version')::bigint, null, null, null)::packsync_private.push_outcome
          -- nothing to change: every field already has the value sent
          -- (containment rules it out cheaply in the common case)
          when s @> (b.fields - 'id')
            and not exists (select 1 from jsonb_each(b.fields - 'id') f where f.value is distinct from s -> f.key)
            then row('applied', null, (s ->> 'version')::bigint, s::json, null, null)::packsync_private.push_outcome
          else row('applied', 'update', (s ->> 'version')::bigint, null, null, null)::packsync_private.push_outcome
          end
        else row(null, 'stale', (s ->> 'version')::bigint, s::json, null, null)::packsync_private.push_outcome
        end as o
      from unnest(batch) b
      left join unnest(locked_ids, locked_rows) l(id, s) on l.id = b.id
      left join unnest(read_ids, read_rows) ro(id, r) on ro.id = b.id
      cross join lateral (select coalesce(s, r) as srv) v
      cross join lateral (select case when e.trip_column = 'id' then b.id
        else coalesce((srv ->> e.trip_column)::uuid,
          -- (try_uuid written out: called per change it was most of the cost)
          case when b.fields ->> e.trip_column like '________-____-____-____-____________'
            then json_value(b.fields -> e.trip_column, '$' returning uuid null on error) end) end as trip,
        case when srv is not null and b.op = 'upsert' then (select min(c) from unnest(e.fixed_columns) c
          where b.fields ? c and b.fields -> c is distinct from srv -> c) end as moved) t
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
        when e.owner_columns <> '{}' and exists (select 1 from unnest(e.owner_columns) c
            where b.fields ? c and b.fields -> c is distinct from srv -> c)
          then role = 'owner'
        else role = 'owner' or (e.write_role = 'editor' and role = 'editor') end, false) as allowed) w
      offset 0  -- (so that each outcome is computed once, not once per field read above)
    ) x
    order by (x.b).ord);
end
$$;

-- As in 20261201201200_push_stale_setwise.sql, except that an update
-- carries the version of the row it was decided against (set by
-- push_classify on the stale change).
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
    select case when x.o is null then b else row(b.ord, b.change_id, b.entity, b.op, b.id, b.base_version, b.fields,
        b.round, (x.o).action, (x.o).status, (x.o).version, (x.o).row_data, (x.o).conflict, (x.o).error,
        b.result)::packsync_private.push_change end
    from unnest(batch) b
    left join lateral (
      select case
        when b.op = 'delete' then row('conflict', null, b.version, b.row_data,
          packsync_private.conflict_of(b, case when changed.logged
            then array(select distinct f from unnest(changed.fields) f order by f) else changed.fields end, null),
          null)::packsync_private.push_outcome
        -- The client's fields overlap what changed on the server: a conflict
        -- where a value differs; else nothing to do, or an update.
        when (b.fields - 'id' - 'trip_id') ?| changed.fields then (
          select case
            when cardinality(clash.fields) > 0 then row('conflict', null, b.version, b.row_data,
              packsync_private.conflict_of(b, clash.fields, b.fields), null)::packsync_private.push_outcome
            when not exists (select 1 from jsonb_each(b.fields - 'id') e where e.value is distinct from srv.r -> e.key)
              then row('applied', null, b.version, b.row_data, null, null)::packsync_private.push_outcome
            else row('applied', 'update', b.version, null, null, null)::packsync_private.push_outcome
            end
          from (select array(select k from jsonb_object_keys(b.fields - 'id' - 'trip_id') k
                             where k = any (changed.fields) and b.fields -> k is distinct from srv.r -> k) as fields) clash)
        -- Disjoint: merged, unless every value sent is already there (which
        -- containment rules out cheaply in the common case).
        when srv.r @> (b.fields - 'id')
          and not exists (select 1 from jsonb_each(b.fields - 'id') e where e.value is distinct from srv.r -> e.key)
          then row('applied', null, b.version, b.row_data, null, null)::packsync_private.push_outcome
        else row('merged', 'update', b.version, null, null, null)::packsync_private.push_outcome
        end as o
      -- (offset 0: the row is parsed once, not once per use)
      from (select b.row_data::jsonb as r, coalesce(b.base_version, 0) as base offset 0) srv
      -- The versions the log holds since the base (all of them, unless
      -- compacted) and the fields they changed (repeats included: they only
      -- feed overlap tests): one index range scan of change_log (row_id,
      -- version), for rows at most max_history behind. Field names are
      -- identifiers without commas, so they travel joined as text (an array
      -- aggregate of arrays needs equal lengths, and unnesting them costs a
      -- sort per row).
      cross join lateral (
        select count(*) as versions,
          string_to_array(string_agg(array_to_string(cl.changed_fields, ','), ','), ',') as fields
        from public.change_log cl
        where b.version - srv.base <= max_history
          and cl.row_id = b.id and cl.entity = entity and cl.version > srv.base
      ) h
      cross join lateral (select b.version - srv.base <= max_history and h.versions >= b.version - srv.base as logged) l
      cross join lateral (select case when l.logged then coalesce(h.fields, '{}')
        else array(select jsonb_object_keys(srv.r)) end as fields, l.logged) changed
      where b.action = 'stale'
    ) x on true
    order by b.ord);
end
$$;

-- As in 20261202110000_push_optimistic.sql: read once, without locks;
-- write at the versions classified against; redo what that missed, locked.
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
  ids uuid[];
  seen_ids uuid[];
  seen_rows jsonb[];
  other_ids uuid[];
  other_rows jsonb[];
  rows record;
  redo packsync_private.push_change[];
begin
  batch := packsync_private.push_check_fields(e, cols, batch);
  -- The rows as committed, unlocked: one index probe per id (a batch of new
  -- rows finds nothing and stops here). Every row read counts as writable
  -- for classification (the update's own policy check has the last word);
  -- those outside the caller's live editable trips also as read-only, for
  -- the deleted trips they may name (push_gone_trips).
  ids := array(select b.id from unnest(batch) b where b.status is null);
  if cardinality(ids) > 0 then
    execute format('select array_agg(t.id), array_agg(to_jsonb(t)),
        array_agg(t.id) filter (where t.%1$I <> all ($2)), array_agg(to_jsonb(t)) filter (where t.%1$I <> all ($2))
      from public.%2$I t where t.id = any ((select $1)::uuid[])', e.trip_column, entity)
      into seen_ids, seen_rows, other_ids, other_rows using ids, packsync_private.editor_trip_ids();
  end if;
  batch := packsync_private.push_classify(e, batch, seen_ids, seen_rows, other_ids, other_rows);
  batch := packsync_private.push_resolve_stale(entity, batch);
  batch := packsync_private.push_apply(entity, batch, update_cols);
  if not exists (select 1 from unnest(batch) b where b.action = 'redo') then
    return batch;
  end if;
  -- Rows changed since the read (or refused by their update policy): again,
  -- locked this time, so that they are classified against the row they
  -- replace, and written without a version test (a shortfall raises).
  redo := array(select packsync_private.decide(b, null) from unnest(batch) b where b.action = 'redo' order by b.ord);
  rows := packsync_private.push_read_rows(entity, redo);
  redo := packsync_private.push_classify(e, redo, rows.locked_ids, rows.locked_rows, rows.read_ids, rows.read_rows);
  redo := array(select case when b.action in ('update', 'tombstone') then packsync_private.decide(b, b.status, b.action,
      null, b.row_data, b.conflict, b.error) else b end
    from unnest(packsync_private.push_resolve_stale(entity, redo)) b);
  return array(select b from unnest(batch) b where b.action is distinct from 'redo')
    || packsync_private.push_apply(entity, redo, update_cols);
end
$$;
