-- push_changes, part 3 of 5: deciding each change's outcome before anything
-- is written (permission, tombstones, versions, conflicts).

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
as $$
  select row(c.ord, c.change_id, c.entity, c.op, c.id, c.base_version, c.fields, c.round,
    action, status, version, row_data, conflict, error, c.result)::packsync_private.push_change
$$;

-- Who may write what, by the caller's role in the row's trip (null: none).
-- Owners manage members and rename or delete a trip; editors change the rest.
create or replace function packsync_private.may_write(entity text, op text, fields jsonb, server jsonb, role text)
returns boolean
language sql
immutable
set search_path = ''
as $$
  select coalesce(case
    when entity = 'trip_members' then role = 'owner'
    when entity = 'trips' and server is null then true
    when entity = 'trips' and (op = 'delete' or (fields ? 'name' and fields -> 'name' is distinct from server -> 'name'))
      then role = 'owner'
    else role in ('owner', 'editor') end, false)
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
as $$
  select not exists (select 1 from jsonb_each(fields) e where e.value is distinct from server -> e.key)
$$;

-- The conflict report: the fields in dispute with their values at the
-- client's base version (from the log), on the server now, and from the client.
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
          and k = any (cl.changed_fields)
        order by cl.version limit 1))
      from unnest(fields) k), '{}'),
    'server', coalesce((select jsonb_object_agg(k, c.row_data::jsonb -> k) from unnest(fields) k), '{}'),
    'client', case when client is not null then
      coalesce((select jsonb_object_agg(k, client -> k) from unnest(fields) k), '{}') end)
$$;

-- Grants -------------------------------------------------------------------------
grant execute on function
  packsync_private.decide(packsync_private.push_change, text, text, bigint, json, jsonb, jsonb),
  packsync_private.may_write(text, text, jsonb, jsonb, text),
  packsync_private.deleted_conflict(packsync_private.push_change, jsonb),
  packsync_private.same_values(jsonb, jsonb),
  packsync_private.conflict_of(packsync_private.push_change, text[], jsonb)
  to authenticated;
