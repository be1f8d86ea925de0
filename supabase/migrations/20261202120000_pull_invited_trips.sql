-- An invitee's preview stays current (issue 10/11 follow-up).
--
-- An invitation gave a preview of the trip (its name and server columns, the
-- registry's preview_columns) only as a snapshot when the invitation arrived;
-- incremental pulls served an invitee nothing but their own membership rows.
-- So a rename by the owner after the invitation never reached the invitee's
-- device, and a deleted trip stayed on it. Now the log of the trip row itself
-- (never its people, items, overrides or other members) is served to an
-- invitee too: inserts, deletes and updates that touch a preview or server
-- column, each as the row's current state cut down to those columns, as the
-- preview snapshot serves it. Declining or being removed stays a revoke (the
-- membership's own log); after acceptance the trip is in my_trips as before.
--
-- Cost: the invitee's scan must not walk the trip's whole log (items are
-- most of it), so it reads a partial index of trip-row log entries, one
-- ordered range scan per invited trip, like the members' scan per trip.
-- Members' pages keep their plans (change_log_trip_cursor_idx,
-- change_log_member_cursor_idx); the join check may now take the new index,
-- bounded to one trip by trip_id.
-- Sections: indexes, helper functions.

-- Indexes ----------------------------------------------------------------------
-- Pull: the log of trip rows only (an invitee's preview). Partial: writes of
-- people, items, overrides and memberships do not maintain it. The predicate
-- names the trip entity literally; pull's query repeats the literal so the
-- planner can prove it whatever plan it caches.
create index change_log_trip_row_cursor_idx on public.change_log (trip_id, xid, seq)
  where entity = 'trips';

-- Helper functions ---------------------------------------------------------------
-- (The body is 20261201200000_pull_text.sql's, with the invitee's trip-row
-- scan in the page query and the preview cut in the page's rows.)
create or replace function packsync_private.pull(cursor text, max_rows integer, echo_of uuid)
returns table (body text, changes integer, has_more boolean)
language plpgsql
security definer
set search_path = ''
set enable_bitmapscan = off
as $$
#variable_conflict use_variable
declare
  entities constant text[] := packsync_private.entity_names();
  trip_entity constant text := (select e.name from packsync_private.entities e where e.trip_column = 'id');
  -- What an invitee sees of the trip row (snapshot_page cuts it the same way).
  preview_fields constant text[] := (select e.server_columns || e.preview_columns
    from packsync_private.entities e where e.trip_column = 'id');
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
  served integer := 0;
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
  -- membership row and a preview of the trip row (its name), until accepted.
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
      served := served + n;
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
    -- caller's trips and memberships, and the trip rows of trips they are
    -- invited to: one index range scan per trip.
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
            -- No echo: a row the caller's own client wrote through a push
            -- came back to it in the push's result (see the header).
            -- (coalesce: a null anywhere, such as no echo_of, means "send it")
            and not coalesce(c.client_id = echo_of and c.actor = uid and c.change_id is not null
                     and c.member_user_id is null and not (c.entity = trip_entity and c.op = 'insert'), false)
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
        union
        -- An invitee's preview: the trip row's own log (change_log_trip_row_cursor_idx;
        -- 'trips' written out, see the index). Updates that change nothing
        -- of the preview are not news to them.
        select il.* from unnest(invited) it(trip_id)
        cross join lateral (
          select c.xid, c.seq, c.entity, c.row_id, c.trip_id, c.op, c.member_user_id, c.changed_fields, c.version,
            null::boolean as invited
          from public.change_log c
          where c.trip_id = it.trip_id and c.entity = 'trips' and (c.xid, c.seq) > (start_xid, start_seq)
            and c.xid < watermark and (c.op <> 'update' or c.changed_fields && preview_fields)
          order by c.trip_id, c.xid, c.seq
          limit budget + 1) il
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
      -- (an invitation's preview starts with a snapshot: the trip row's log
      -- before it may be older than the page)
      and (g.trip_id = any (invited) or not exists (
        select 1 from public.change_log c
        -- (trip_id: a trip row's own; with it every index the planner may
        -- take here, change_log_trip_row_cursor_idx too, reads one trip's rows)
        where c.row_id = g.trip_id and c.trip_id = g.trip_id and c.version = 1 and c.entity = trip_entity
          and c.op = 'insert' and ((c.xid, c.seq) > (start_xid, start_seq) or c.xid = g.xid)))
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
      -- memberships of trips the caller has left become one "revoke"; an
      -- invited trip's row is cut down to its preview.
      select string_agg(d.change, ', ' order by d.xid, d.seq), count(*) into chunk, n
      from (
        select k.xid, k.seq, case
          when k.revoked then format('{"entity": %s, "id": %s, "trip_id": %s, "op": "revoke", "version": null, "row": null}',
            to_json(trip_entity), to_json(k.trip_id), to_json(k.trip_id))
          else format('{"entity": %s, "id": %s, "trip_id": %s, "op": %s, "version": %s, "row": %s}',
            to_json(k.entity), to_json(k.row_id), to_json(k.trip_id),
            case when r.j is null or r.deleted then '"delete"' else '"upsert"' end,
            coalesce(r.version, k.version)::text,
            coalesce(case when k.entity = trip_entity and k.trip_id = any (invited)
                       then (select json_object_agg(f.key, f.value) from json_each(r.j) f where f.key = any (preview_fields))
                       else r.j end::text, 'null'))
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
      served := served + n;
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

  return query select format('{"changes": [%s], "cursor": %s, "has_more": %s}',
    array_to_string(out, ', '),
    to_json(format('v1:%s:%s', at_xid, at_seq) || case when snap_trip is null then ''
      else format(':%s:%s:%s:%s', snap_trip, snap_entity, coalesce(snap_after::text, ''), case when snap_all then '1' else '0' end) end),
    to_json(more)), served, more;
end
$$;
