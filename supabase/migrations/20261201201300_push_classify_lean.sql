-- Push speed (issue 12.1), part 4: classification without per-change
-- function calls and subqueries that cannot matter. push_classify
-- (20261125090420) called try_uuid() for the trip id of every change (twice:
-- the planner copies the expression into each use), ~6 us a call and most of
-- the statement, and ran two small set-returning subqueries per change: which
-- fixed column a change moves (meaningless for a new row) and whether it
-- touches an owner-only column (for entities that have none). The uuid check
-- is written out as push_parse does it, the subqueries run only where they
-- can change the answer, and "every value is already there" is first ruled
-- out by containment (equal values imply it); the rules are the same.

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
          -- (containment rules it out cheaply in the common case)
          when s @> (b.fields - 'id')
            and not exists (select 1 from jsonb_each(b.fields - 'id') f where f.value is distinct from s -> f.key)
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


-- Step 2, as in 20261125090420_push_classify.sql but without the first
-- query (which ids exist for the caller at all): the locking query goes
-- straight to every pending id, and the read-only query to those it did not
-- lock. For rows that exist the first query was a third pass over their heap
-- (4.5 ms of 500 stale items); for new rows both remaining queries are index
-- probes that find nothing (~0.5 ms each).
create or replace function packsync_private.push_read_rows(entity text, batch packsync_private.push_change[],
  out locked_ids uuid[], out locked_rows jsonb[], out read_ids uuid[], out read_rows jsonb[])
language plpgsql
set search_path = ''
as $$
declare
  ids uuid[] := array(select b.id from unnest(batch) b where b.status is null);
begin
  if cardinality(ids) = 0 then
    return;
  end if;
  execute format('select array_agg(t.id), array_agg(to_jsonb(t))
    from (select * from public.%I t where t.id = any ((select $1)::uuid[]) order by t.id for update of t) t', entity)
    into locked_ids, locked_rows using ids;
  -- (ids are distinct within a stage: all locked, or the rest by a hash
  -- anti-join; `<> all (locked_ids)` per id was quadratic)
  if cardinality(locked_ids) = cardinality(ids) then
    return;
  elsif locked_ids is not null then
    ids := array(select unnest(ids) except all select unnest(locked_ids));
  end if;
  if cardinality(ids) > 0 then
    execute format('select array_agg(t.id), array_agg(to_jsonb(t)) from public.%I t where t.id = any ((select $1)::uuid[])', entity)
      into read_ids, read_rows using ids;
  end if;
end
$$;
