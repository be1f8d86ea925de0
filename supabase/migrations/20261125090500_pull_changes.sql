-- pull_changes: what changed in the caller's trips since a cursor, never
-- skipping a change that commits late. See README.md beside this file.
--
-- Cursor: "v1:<xid>:<seq>" = every log row at or before (xid, seq) was served,
-- optionally followed by ":<trip>:<entity>:<after id>:<all>" while a snapshot
-- is being paged (a fresh client, or a trip the caller just joined).
-- Sections: types, tables, helper functions, RPCs, grants.

-- Types ------------------------------------------------------------------------
create type packsync_private.log_ref as (
  xid xid8,
  seq bigint,
  entity text,
  row_id uuid,
  trip_id uuid,
  op text,
  member_user_id uuid,
  changed_fields text[],
  version bigint,
  -- For memberships written as invitations: 'invited' (an insert that gave
  -- no access yet); null otherwise.
  invited boolean
);


-- Tables -----------------------------------------------------------------------
-- Log rows of transactions up to this one were compacted away; older cursors
-- cannot be served.
create table packsync_private.log_horizon (
  id boolean primary key default true constraint log_horizon_single_row check (id),
  last_compacted_xid xid8 not null,
  compacted_at timestamptz not null default now()
);
alter table packsync_private.log_horizon enable row level security;
create policy "signed-in users can read the log horizon" on packsync_private.log_horizon
  for select to authenticated
  using (true);

-- Helper functions ---------------------------------------------------------------

-- Deletes log rows older than the retention period (whole transactions, and
-- only settled ones). Cursors from before it then raise cursor_invalid.
-- For the service role / a scheduled job, not for clients.
create or replace function packsync_private.compact_change_log(keep interval default '90 days')
returns bigint
language plpgsql
security definer
set search_path = ''
as $$
declare
  last_xid xid8;
  removed bigint;
begin
  with gone as (
    delete from public.change_log l
    where l.at < now() - keep and l.xid < pg_snapshot_xmin(pg_current_snapshot())
    returning l.xid
  )
  select max(g.xid), count(*) into last_xid, removed from gone g;
  if last_xid is not null then
    insert into packsync_private.log_horizon (last_compacted_xid) values (last_xid)
    on conflict (id) do update set last_compacted_xid = greatest(excluded.last_compacted_xid, log_horizon.last_compacted_xid),
      compacted_at = now();
  end if;
  return removed;
end
$$;

-- Current rows of one trip, for a snapshot page: the trip, then each kind of
-- child in id order after `after_id`. Tombstoned children are left out (the
-- receiver never had them). For an invitee (`preview_for`, their user id):
-- the trip's preview columns and server-managed ones (the registry's), their
-- own membership, nothing else. Changes are JSON text, comma-separated:
-- pull_changes parses its whole response once instead of re-encoding every
-- row into jsonb.
create or replace function packsync_private.snapshot_page(trip uuid, entity text, after_id uuid, max_rows integer,
  preview_for uuid default null)
returns table (changes text, n integer, last_id uuid)
language plpgsql
stable
set search_path = ''
as $$
declare
  e constant packsync_private.entities := (select x from packsync_private.entities x where x.name = entity);
  row_expr constant text := case when preview_for is null or e.member_column is not null then 'to_json(t)'
    else format('(select json_object_agg(k.key, k.value) from json_each(to_json(t)) k where k.key = any (%L::text[]))',
      e.server_columns || e.preview_columns) end;
begin
  if preview_for is not null and e.member_column is null and e.trip_column <> 'id' then
    return query select null::text, 0, null::uuid;
    return;
  end if;
  return query execute format(
    'select string_agg(format(''{"entity": %%s, "id": %%s, "trip_id": %%s, "op": %%s, "version": %%s, "row": %%s}'',
        to_json(%L::text), to_json(t.id), to_json(t.%I),
        case when t.deleted_at is null then ''"upsert"'' else ''"delete"'' end, t.version, %s), '', '' order by t.id),
        count(*)::integer, (array_agg(t.id order by t.id desc))[1]
     from (select * from public.%I t where t.%I = $1 and t.id > coalesce($2, ''00000000-0000-0000-0000-000000000000'')
           and (t.deleted_at is null or %L) and ($4 is null or %s) order by t.id limit $3) t',
    entity, e.trip_column, row_expr, entity, e.trip_column, e.trip_column = 'id',
    case when e.member_column is null then 'true' else format('t.%I = $4', e.member_column) end)
    using trip, after_id, max_rows, preview_for;
end
$$;

-- The current state of the rows a log page names, in the caller's trips:
-- one statement per entity, reached through the registry.
create or replace function packsync_private.current_rows(page packsync_private.log_ref[], my_trips uuid[])
returns table (entity text, id uuid, j json, version bigint, deleted boolean)
language plpgsql
stable
set search_path = ''
as $$
declare
  name text;
  ids uuid[];
begin
  for name, ids in
    select p.entity, array_agg(distinct p.row_id) from unnest(page) p
    where p.trip_id = any (my_trips) group by p.entity
  loop
    return query execute format(
      'select %L::text, t.id, to_json(t), t.version, t.deleted_at is not null from public.%I t where t.id = any ($1)',
      name, name)
      using ids;
  end loop;
end
$$;

-- RPCs ---------------------------------------------------------------------------
-- Security definer, with the membership filter written out: under RLS the
-- change_log policies (an OR of two) turn the per-trip cursor scan into a
-- bitmap scan of the trip's whole history plus a sort, so a client catching
-- up would pay for the whole history on every page. Here every log row and
-- every entity row read is reached through the caller's current memberships
-- (my_trips) or their own membership rows; a snapshot trip named in a cursor
-- is checked against them too.
-- enable_bitmapscan off: the planner cannot tell a busy trip from a quiet one
-- (it estimates rows per trip as the average) and would otherwise read a
-- trip's whole history after the cursor and sort it; an ordered index scan
-- stops after one page.
create or replace function packsync_private.pull(cursor text, max_rows integer)
returns jsonb
language plpgsql
security definer
set search_path = ''
set enable_bitmapscan = off
as $$
#variable_conflict use_variable
declare
  entities constant text[] := packsync_private.entity_names();
  trip_entity constant text := (select e.name from packsync_private.entities e where e.trip_column = 'id');
  uid uuid := auth.uid();
  -- Every transaction older than this has finished: its log rows are final.
  watermark xid8 := pg_snapshot_xmin(pg_current_snapshot());
  budget integer;
  parts text[];
  at_xid xid8;
  at_seq bigint;
  start_xid xid8;
  start_seq bigint;
  snap_trip uuid;
  snap_entity text;
  snap_after uuid;
  snap_all boolean;
  horizon xid8;
  my_trips uuid[];
  invited uuid[];
  snapped uuid[] := '{}';
  page packsync_private.log_ref[];
  gain packsync_private.log_ref;
  more boolean := false;
  -- The response is assembled as JSON text and parsed once at the end.
  out text[] := '{}';
  chunk text;
  n integer;
  last_id uuid;
begin
  if uid is null then
    raise exception 'not_authenticated: pull_changes needs a signed-in user' using errcode = '28000';
  end if;
  if max_rows is null or max_rows < 1 then
    raise exception 'invalid_argument: max_rows must be a positive integer' using errcode = '22023';
  end if;
  budget := least(max_rows, 5000);
  select h.last_compacted_xid into horizon from packsync_private.log_horizon h;

  if cursor is null then
    -- From the beginning: a snapshot of every trip, then the log from now on.
    at_xid := watermark;
    at_seq := 0;
    snap_all := true;
    snap_entity := entities[1];
    select m.trip_id into snap_trip
    from public.trip_members m join public.trips t on t.id = m.trip_id and t.deleted_at is null
    where m.user_id = uid and m.deleted_at is null
    order by m.trip_id limit 1;
  else
    parts := regexp_match(cursor,
      '^v1:([0-9]{1,20}):([0-9]{1,19})(?::([0-9a-f-]{36}):([a-z_]{1,63}):([0-9a-f-]{36})?:([01]))?$');
    if parts is null or (parts[4] is not null and not parts[4] = any (entities)) then
      raise exception 'cursor_invalid: not a cursor issued by pull_changes' using errcode = '22023';
    end if;
    at_xid := parts[1]::xid8;
    at_seq := parts[2]::bigint;
    snap_trip := parts[3]::uuid;
    snap_entity := parts[4];
    snap_after := nullif(parts[5], '')::uuid;
    snap_all := parts[6] = '1';
    if at_xid > pg_snapshot_xmax(pg_current_snapshot()) then
      raise exception 'cursor_invalid: cursor is ahead of this database (was it reset?)' using errcode = '22023';
    end if;
    if at_xid <= horizon then
      raise exception 'cursor_invalid: cursor is older than the change log retention; resync from a null cursor'
        using errcode = '22023';
    end if;
  end if;

  -- Active memberships give the trip; invitations only the caller's own
  -- membership row and a preview of the trip (its name), until accepted.
  select coalesce(array_agg(m.trip_id) filter (where m.status = 'active'), '{}'),
    coalesce(array_agg(m.trip_id) filter (where m.status = 'invited'), '{}')
  into my_trips, invited
  from public.trip_members m where m.user_id = uid and m.deleted_at is null;
  -- A snapshot only ever covers trips the caller belongs to now (a cursor is
  -- client input): if they left the trip meanwhile, or the cursor names
  -- another one, skip to their next trip (or stop; the log brings revokes).
  if snap_trip is not null and not snap_trip = any (my_trips || invited) then
    snap_entity := entities[1];
    snap_after := null;
    snap_trip := case when snap_all then
      (select t from unnest(my_trips || invited) t where t > snap_trip order by t limit 1) end;
  end if;

  while budget > 0 loop
    if snap_trip is not null then
      -- Page through a snapshot: trip, members, people, overrides, items.
      select s.changes, s.n, s.last_id into chunk, n, last_id
      from packsync_private.snapshot_page(snap_trip, snap_entity, snap_after, budget,
        case when snap_trip = any (invited) then uid end) s;
      out := out || chunk;  -- (a null chunk adds nothing to the final text)
      budget := budget - n;
      if n >= budget + n and snap_entity <> entities[1] then
        snap_after := last_id;            -- page full: resume after the last row
      elsif snap_entity <> entities[cardinality(entities)] then
        snap_entity := entities[array_position(entities, snap_entity) + 1];
        snap_after := null;
      elsif snap_all then
        snap_entity := entities[1];
        snap_after := null;
        select m.trip_id into snap_trip
        from public.trip_members m join public.trips t on t.id = m.trip_id and t.deleted_at is null
        where m.user_id = uid and m.deleted_at is null and m.trip_id > snap_trip
        order by m.trip_id limit 1;
      else
        snap_trip := null;
      end if;
      continue;
    end if;

    -- The log after the cursor, only from settled transactions, only for the
    -- caller's trips and memberships: one index range scan per trip.
    start_xid := at_xid;
    start_seq := at_seq;
    page := array(
      select row(l.xid, l.seq, l.entity, l.row_id, l.trip_id, l.op, l.member_user_id, l.changed_fields, l.version,
        l.invited)::packsync_private.log_ref
      from (
        select tl.* from unnest(my_trips) mt(trip_id)
        cross join lateral (
          select c.xid, c.seq, c.entity, c.row_id, c.trip_id, c.op, c.member_user_id, c.changed_fields, c.version,
            case when c.member_user_id is not null then c.new_values ->> 'status' = 'invited' end as invited
          from public.change_log c
          where c.trip_id = mt.trip_id and (c.xid, c.seq) > (start_xid, start_seq) and c.xid < watermark
          -- the whole index order, so the scan stops after budget + 1 rows
          order by c.trip_id, c.xid, c.seq
          limit budget + 1) tl
        union
        (select c.xid, c.seq, c.entity, c.row_id, c.trip_id, c.op, c.member_user_id, c.changed_fields, c.version,
           case when c.member_user_id is not null then c.new_values ->> 'status' = 'invited' end as invited
         from public.change_log c
         where c.member_user_id = uid and (c.xid, c.seq) > (start_xid, start_seq) and c.xid < watermark
         order by c.member_user_id, c.xid, c.seq
         limit budget + 1)
      ) l
      order by l.xid, l.seq
      limit budget + 1);
    more := cardinality(page) > budget;
    if more then
      page := page[1:budget];
    end if;

    -- The caller joined a trip: the log before the join is not theirs to
    -- replay, so stop here and page through the trip's current state. Not
    -- needed when the log after the cursor holds the trip's whole life: the
    -- trip was created after this page's start, or in the joining
    -- transaction itself (its creator; cursors only stop inside a
    -- transaction by paging through it).
    select g.* into gain
    from unnest(page) g
    where g.member_user_id = uid and g.trip_id = any (my_trips || invited) and not g.trip_id = any (snapped)
      -- Access starts with an active membership (inserted, accepted or
      -- restored); an invitation gives a preview (a snapshot of its own)
      -- only while it is one: once accepted, the acceptance is the gain.
      and (case when g.trip_id = any (invited) then g.op = 'insert'
             else (g.op = 'insert' and not coalesce(g.invited, false))
               or (g.op = 'update' and g.changed_fields && '{deleted_at,status}') end)
      -- (an invitee never sees the trip's log: their preview is a snapshot)
      and (g.trip_id = any (invited) or not exists (
        select 1 from public.change_log c
        where c.row_id = g.trip_id and c.version = 1 and c.entity = trip_entity and c.op = 'insert'
          and ((c.xid, c.seq) > (start_xid, start_seq) or c.xid = g.xid)))
    order by g.xid, g.seq
    limit 1;
    if gain.seq is not null then
      page := array(select p from unnest(page) p where (p.xid, p.seq) <= (gain.xid, gain.seq) order by p.xid, p.seq);
      more := false;
      snap_trip := gain.trip_id;
      -- (a snapshot is the trip as it is now: a second gain of the same trip
      -- later in this page, such as accepting an invitation, needs none)
      snapped := snapped || gain.trip_id;
      snap_entity := entities[1];
      snap_after := null;
      snap_all := false;
    end if;

    if cardinality(page) > 0 then
      at_xid := page[cardinality(page)].xid;
      at_seq := page[cardinality(page)].seq;
      budget := budget - cardinality(page);
      -- Newest state per row, in the order of each row's last change;
      -- memberships of trips the caller has left become one "revoke".
      select string_agg(d.change, ', ' order by d.xid, d.seq) into chunk
      from (
        select k.xid, k.seq, case
          when k.revoked then format('{"entity": %s, "id": %s, "trip_id": %s, "op": "revoke", "version": null, "row": null}',
            to_json(trip_entity), to_json(k.trip_id), to_json(k.trip_id))
          else format('{"entity": %s, "id": %s, "trip_id": %s, "op": %s, "version": %s, "row": %s}',
            to_json(k.entity), to_json(k.row_id), to_json(k.trip_id),
            case when r.j is null or r.deleted then '"delete"' else '"upsert"' end,
            coalesce(r.version, k.version)::text, coalesce(r.j::text, 'null'))
          end as change
        from (
          select distinct on (x.revoked, x.entity, x.key) x.*
          from (
            select p.*, not (p.trip_id = any (my_trips || invited)) as revoked,
              case when p.trip_id = any (my_trips || invited) then p.row_id else p.trip_id end as key
            from unnest(page) p
          ) x
          order by x.revoked, x.entity, x.key, x.xid desc, x.seq desc
        ) k
        left join packsync_private.current_rows(page, my_trips || invited) r on r.entity = k.entity and r.id = k.row_id and not k.revoked
      ) d;
      out := out || chunk;
    end if;

    exit when snap_trip is null;
  end loop;

  if snap_trip is not null then
    more := true;
  elsif not more and (at_xid, at_seq) < (watermark, 0::bigint) then
    -- Everything before the watermark was seen: move up to it, so quiet
    -- clients do not fall behind the retention horizon.
    at_xid := watermark;
    at_seq := 0;
  end if;

  return format('{"changes": [%s], "cursor": %s, "has_more": %s}',
    array_to_string(out, ', '),
    to_json(format('v1:%s:%s', at_xid, at_seq) || case when snap_trip is null then ''
      else format(':%s:%s:%s:%s', snap_trip, snap_entity, coalesce(snap_after::text, ''), case when snap_all then '1' else '0' end) end),
    to_json(more))::jsonb;
end
$$;

-- The API: an invoker wrapper, so that no security definer function is
-- exposed in public (the advisor's lint); the caller still needs EXECUTE on
-- it, and packsync_private.pull checks auth.uid() itself.
create or replace function public.pull_changes(cursor text, max_rows integer default 1000)
returns jsonb
language sql
volatile
set search_path = ''
as $$
  select packsync_private.pull(pull_changes.cursor, pull_changes.max_rows)
$$;

-- Grants -------------------------------------------------------------------------
grant select on packsync_private.log_horizon to authenticated;
grant execute on function packsync_private.pull(text, integer) to authenticated;
revoke execute on function packsync_private.compact_change_log(interval) from public, anon, authenticated;
grant execute on function packsync_private.compact_change_log(interval) to service_role;
grant execute on function packsync_private.snapshot_page(uuid, text, uuid, integer, uuid) to authenticated;
grant execute on function packsync_private.current_rows(packsync_private.log_ref[], uuid[]) to authenticated;
revoke execute on function public.pull_changes(text, integer) from public, anon;
grant execute on function public.pull_changes(text, integer) to authenticated;
