-- push_changes: at-most-once, version-checked, field-merging writes from
-- clients. Set-wise: the whole batch is parsed, de-duplicated, classified and
-- written with a handful of statements per entity; only changes that make a
-- set write fail are retried in smaller groups (bisection), down to one change
-- per sub-transaction. See README.md beside this file.
-- Sections: types, tables, RLS, helper functions, policies, RPCs, grants.

-- Types ------------------------------------------------------------------------
-- One change of a batch while it is processed: the request, then its outcome.
create type packsync_private.push_change as (
  ord integer,
  change_id uuid,
  entity text,
  op text,
  id uuid,
  base_version bigint,
  fields jsonb,
  round integer,
  -- planned write: 'insert' | 'update' | 'tombstone' | null (none)
  action text,
  -- null while pending; applied | merged | conflict | rejected, or
  -- 'stored' (processed by an earlier call) | 'duplicate' (earlier in batch)
  status text,
  version bigint,
  -- the row as JSON text: it is only ever passed on to the response
  row_data json,
  conflict jsonb,
  error jsonb,
  result jsonb
);

-- Tables -----------------------------------------------------------------------
-- A client id belongs to the first user who pushed with it.
create table packsync_private.sync_clients (
  client_id uuid primary key,
  user_id uuid not null references auth.users (id) on delete cascade,
  created_at timestamptz not null default now()
);

-- The at-most-once record: written in the same transaction as the change.
-- Only push_changes reaches it, through the definer functions below; no
-- foreign key (a per-row check on the hot path; claim_client vouches for it).
create table packsync_private.processed_changes (
  client_id uuid not null,
  change_id uuid not null,
  user_id uuid not null,
  status text not null,
  -- The result exactly as first returned (JSON text: stored and replayed
  -- verbatim, never queried).
  result text not null,
  processed_at timestamptz not null default now(),
  primary key (client_id, change_id)
);

-- RLS --------------------------------------------------------------------------
alter table packsync_private.sync_clients enable row level security;
alter table packsync_private.processed_changes enable row level security;
-- (no policies on processed_changes: clients never touch it directly)

-- Helper functions ---------------------------------------------------------------

-- NULL unless the text is a canonical uuid (never raises: bad input is a
-- per-change error).
-- Stable, not immutable: to_jsonb is stable, and a function that claims more
-- than its body cannot be inlined (a call per change costs more than the check).
create or replace function packsync_private.try_uuid(value text)
returns uuid
language sql
stable
as $$
  -- Canonical 8-4-4-4-12 text only: the pattern fixes the length and the
  -- hyphens, and then the uuid input (error-safe through JSON_VALUE ... NULL ON
  -- ERROR) accepts exactly the strings whose other 32 characters are hex
  -- digits. Runs several times per change: inlined, this is ~5x cheaper than
  -- checking the characters with translate() or a regex.
  select case when value like '________-____-____-____-____________'
    then json_value(to_jsonb(value), '$' returning uuid null on error) end
$$;

-- Registers the client id for the caller, or refuses one that another user owns.
create or replace function packsync_private.claim_client(client_id uuid)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  owner_id uuid;
begin
  insert into packsync_private.sync_clients (client_id, user_id)
  values (claim_client.client_id, auth.uid())
  on conflict do nothing;
  select c.user_id into owner_id from packsync_private.sync_clients c where c.client_id = claim_client.client_id;
  if owner_id is distinct from auth.uid() then
    raise exception 'client_forbidden: client_id % belongs to another user', claim_client.client_id
      using errcode = '42501';
  end if;
end
$$;

-- Stored results of changes the client already pushed (primary-key probes).
create or replace function packsync_private.stored_results(client_id uuid, change_ids uuid[])
returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  select jsonb_object_agg(p.change_id, p.result::jsonb)
  from packsync_private.processed_changes p
  where p.client_id = stored_results.client_id and p.change_id = any (stored_results.change_ids)
    and p.user_id = auth.uid()
$$;

-- Records results in the caller's transaction, for a client the caller owns.
create or replace function packsync_private.record_results(client_id uuid, change_ids uuid[], statuses text[], results text[])
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  if not exists (select 1 from packsync_private.sync_clients c
                 where c.client_id = record_results.client_id and c.user_id = auth.uid()) then
    raise exception 'client_forbidden: client_id % belongs to another user', record_results.client_id using errcode = '42501';
  end if;
  insert into packsync_private.processed_changes (client_id, change_id, user_id, status, result)
  select record_results.client_id, r.change_id, auth.uid(), r.status, r.result
  from unnest(change_ids, statuses, results) r(change_id, status, result);
end
$$;

-- SQLSTATEs that say "try again later", not "this change is wrong":
-- transaction rollback (40: serialization failure, deadlock), insufficient
-- resources (53), operator intervention (57: statement timeout, shutdown),
-- lock not available (55P03: lock_timeout, NOWAIT).
create or replace function packsync_private.is_transient(state text)
returns boolean
language sql
immutable
set search_path = ''
as $$
  select left(state, 2) in ('40', '53', '57') or state = '55P03'
$$;

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

create or replace function packsync_private.push_error(code text, message text)
returns jsonb
language sql
immutable
as $$
  select jsonb_build_object('code', code, 'message', message)
$$;

-- An error raised by a write, as a per-change error. Messages that start with
-- a code word ("last_owner: ...") keep it; otherwise the SQLSTATE decides.
create or replace function packsync_private.write_error(state text, message text)
returns jsonb
language sql
immutable
as $$
  select packsync_private.push_error(
    coalesce(substring(message from '^([a-z_]+): '), case
      when state = '23514' then 'check_violation'
      when state = '23502' then 'not_null_violation'
      when state = '23503' then 'foreign_key_violation'
      when state = '23505' then 'unique_violation'
      when state = '42501' then 'permission_denied'
      when state like '22%' or state = '42804' then 'invalid_field'
      else 'write_failed' end),
    message)
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

-- The SQL that reads column col of a change's fields (jsonb alias u.f) as the
-- column's type, exactly as jsonb_populate_record would (JSON null is NULL;
-- scalars go through the type's input function; json/jsonb keep the value).
-- Per column instead of jsonb_populate_record per row: a third of the cost.
create or replace function packsync_private.field_exprs(entity text, cols text[])
returns text[]
language sql
stable
set search_path = ''
as $$
  select array(
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
    order by x.n)
$$;

-- Writes a group of classified changes of one entity as set statements and
-- returns the written rows (id, version, the row as JSON text). Raises if any
-- row fails; push_write narrows the failure down.
create or replace function packsync_private.push_write_set(entity text, batch packsync_private.push_change[], update_cols text[],
  out ids uuid[], out versions bigint[], out rows json[])
language plpgsql
set search_path = ''
as $$
#variable_conflict use_variable
declare
  returning_clause constant text := 'returning t.id, t.version, to_json(t) as j';
  -- A new trip is not readable until its owner row exists (statement end), so
  -- a RETURNING that reads the row would trip the read policy; those rows are
  -- read back later.
  insert_returning constant text := case when entity <> 'trips' then returning_clause
    else 'returning null::uuid as id, null::bigint as version, null::json as j' end;
  keys text[];
  same_keys boolean;
  expected integer;
  done integer;
  change_ids uuid[];
  fields jsonb[];
  field_map jsonb;
  chunk_ids uuid[];
  chunk_versions bigint[];
  chunk json[];
  -- columns a change may provide, in column order
  cols constant text[] := array(select a.attname::text from pg_catalog.pg_attribute a
    where a.attrelid = ('public.' || entity)::regclass and a.attnum > 0 and not a.attisdropped
      and a.attname <> 'id' order by a.attnum);
begin
  ids := '{}';
  versions := '{}';
  rows := '{}';
  -- The log triggers attribute each row to its change.
  perform set_config('packsync.change_map',
    (select json_object_agg(b.id, b.change_id) from unnest(batch) b)::text, true);

  -- Inserts: one statement per distinct set of provided columns (in column
  -- order), so omitted columns take their defaults; in batch order.
  -- (Usually every insert of a batch provides the same columns: checking that
  -- is cheaper than working out each change's column list.)
  select array(select c from unnest(cols) c where b.fields ? c) into keys
  from unnest(batch) b where b.action = 'insert' order by b.ord limit 1;
  same_keys := not exists (select 1 from unnest(batch) b
    where b.action = 'insert' and not (b.fields ?& keys and (b.fields - 'id') - keys = '{}'));
  for keys, change_ids, fields, expected in
    select k.keys, array_agg(b.id), array_agg(b.fields), count(*)
    from unnest(batch) b
    cross join lateral (select case when same_keys then keys
      else array(select c from unnest(cols) c where b.fields ? c) end as keys) k
    where b.action = 'insert'
    group by k.keys
    order by min(b.ord)
  loop
    execute format('with w as (insert into public.%I as t (%s)
          select %s from unnest($1::uuid[], $2::jsonb[]) u(id, f) %s)
        select array_agg(w.id), array_agg(w.version), array_agg(w.j), count(*) from w',
      entity,
      (select string_agg(quote_ident(x), ', ') from unnest('{id}' || keys) x),
      array_to_string('{u.id}' || packsync_private.field_exprs(entity, keys), ', '),
      insert_returning)
      into chunk_ids, chunk_versions, chunk, done using change_ids, fields;
    if done <> expected then
      raise exception 'permission_denied: % of % rows inserted', done, expected using errcode = '42501';
    end if;
    ids := ids || chunk_ids;
    versions := versions || chunk_versions;
    rows := rows || chunk;
  end loop;

  -- Updates: the server row with the client's fields laid over it. The rows
  -- are reached by id through an index and each finds its fields in a map (a
  -- join to the change list gets planned as a nested loop or a scan of the
  -- whole trip, the row estimates under RLS being what they are; offset 0
  -- keeps it one lookup per row).
  select array_agg(b.id), jsonb_object_agg(b.id, b.fields - 'id'), count(*) into change_ids, field_map, expected
  from unnest(batch) b where b.action = 'update';
  if expected > 0 then
    execute format('with w as (update public.%I t set (%s) = (select %s from (select $2 -> t.id::text as f offset 0) u)
        where t.id = any ((select $1)::uuid[]) %s)
        select array_agg(w.id), array_agg(w.version), array_agg(w.j), count(*) from w',
      entity,
      (select string_agg(quote_ident(c), ', ') from unnest(update_cols) c),
      (select string_agg(format('case when u.f ? %1$L then %2$s else t.%1$I end', c, e), ', ')
       from unnest(update_cols, packsync_private.field_exprs(entity, update_cols)) x(c, e)),
      returning_clause)
      into chunk_ids, chunk_versions, chunk, done using change_ids, field_map;
    if done <> expected then
      raise exception 'permission_denied: % of % rows updated', done, expected using errcode = '42501';
    end if;
    ids := ids || chunk_ids;
    versions := versions || chunk_versions;
    rows := rows || chunk;
  end if;

  -- Deletes are tombstones.
  select array_agg(b.id), count(*) into change_ids, expected from unnest(batch) b where b.action = 'tombstone';
  if expected > 0 then
    execute format('with w as (update public.%I t set deleted_at = now() where t.id = any ((select $1)::uuid[]) %s)
        select array_agg(w.id), array_agg(w.version), array_agg(w.j), count(*) from w', entity, returning_clause)
      into chunk_ids, chunk_versions, chunk, done using change_ids;
    if done <> expected then
      raise exception 'permission_denied: % of % rows deleted', done, expected using errcode = '42501';
    end if;
    ids := ids || chunk_ids;
    versions := versions || chunk_versions;
    rows := rows || chunk;
  end if;
end
$$;

-- Writes the group in one sub-transaction; if that fails, splits it in halves
-- and tries each, so only the changes that fail end up alone (and rejected).
create or replace function packsync_private.push_write(entity text, batch packsync_private.push_change[], update_cols text[])
returns packsync_private.push_change[]
language plpgsql
set search_path = ''
as $$
#variable_conflict use_variable
declare
  n integer := cardinality(batch);
  half integer;
  written record;
  state text;
  message text;
begin
  if n = 0 then
    return batch;
  end if;
  begin
    written := packsync_private.push_write_set(entity, batch, update_cols);
    return array(
      select packsync_private.decide(b, b.status, null, w.version, w.j)
      from unnest(batch) b left join unnest(written.ids, written.versions, written.rows) w(id, version, j) on w.id = b.id
      order by b.ord);
  exception when others then
    get stacked diagnostics state = returned_sqlstate, message = message_text;
    -- A lock or statement timeout, a deadlock, a serialization failure, lack
    -- of resources: the same write can succeed later, so the whole push
    -- aborts (nothing recorded; the function answers a retryable 503) rather
    -- than storing a rejection the change_id could never get past.
    if packsync_private.is_transient(state) then
      raise;
    end if;
  end;
  if n = 1 then
    return array[packsync_private.decide(batch[1], 'rejected', error => packsync_private.write_error(state, message))];
  end if;
  half := n / 2;
  return packsync_private.push_write(entity, batch[1:half], update_cols)
      || packsync_private.push_write(entity, batch[half + 1:n], update_cols);
end
$$;

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

-- Policies -----------------------------------------------------------------------
create policy "users can read their own clients" on packsync_private.sync_clients
  for select to authenticated
  using (user_id = (select auth.uid()));

-- Grants -------------------------------------------------------------------------
grant select on packsync_private.sync_clients to authenticated;
grant execute on function
  packsync_private.try_uuid(text),
  packsync_private.claim_client(uuid),
  packsync_private.stored_results(uuid, uuid[]),
  packsync_private.record_results(uuid, uuid[], text[], text[]),
  packsync_private.decide(packsync_private.push_change, text, text, bigint, json, jsonb, jsonb),
  packsync_private.push_error(text, text),
  packsync_private.write_error(text, text),
  packsync_private.is_transient(text),
  packsync_private.may_write(text, text, jsonb, jsonb, text),
  packsync_private.deleted_conflict(packsync_private.push_change, jsonb),
  packsync_private.same_values(jsonb, jsonb),
  packsync_private.conflict_of(packsync_private.push_change, text[], jsonb),
  packsync_private.field_exprs(text, text[]),
  packsync_private.push_write_set(text, packsync_private.push_change[], text[]),
  packsync_private.push_write(text, packsync_private.push_change[], text[]),
  packsync_private.push_stage(text, packsync_private.push_change[])
  to authenticated;
revoke execute on function public.push_changes(uuid, jsonb) from public, anon;
grant execute on function public.push_changes(uuid, jsonb) to authenticated;
