-- Races between writing into a trip and deleting it (issue 14.5).
-- Row-level security checks that a trip is live with the statement's
-- snapshot; a trip deleted by a transaction that commits meanwhile is still
-- live in it, and that deletion's cascade (tombstone_trip_children) cannot see
-- rows that are not committed yet, so they stayed alive. Every insert into a
-- trip's content by an API role therefore takes a share lock on the trip and
-- checks it again:
-- * the delete came first: the lock waits for it to commit, the check (a new
--   snapshot) sees the tombstone, and the insert fails;
-- * the insert came first: the delete waits for the insert's transaction and
--   its cascade then sees (and tombstones) the new rows.
-- Two owners stepping down at once are serialised the same way, by
-- guard_last_owner (20261125090100_trips.sql).

create or replace function packsync_private.lock_live_trips()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  dead uuid;
begin
  -- Maintenance (no API role) may write into deleted trips, e.g. to repair.
  -- The `role` setting is the role the request switched to (SET ROLE, as
  -- PostgREST and the sync function do); security definer leaves it as it is.
  if pg_catalog.current_setting('role') not in ('anon', 'authenticated', 'service_role') then
    return null;
  end if;
  perform 1 from public.trips t
  where t.id in (select distinct n.trip_id from new_rows n)
  order by t.id
  for share of t;
  select t.id into dead from public.trips t
  where t.id in (select distinct n.trip_id from new_rows n) and t.deleted_at is not null
  limit 1;
  if dead is not null then
    raise exception 'tombstoned: trip % is deleted', dead using errcode = '55000';
  end if;
  return null;
end
$$;
revoke all on function packsync_private.lock_live_trips() from public, anon, authenticated, service_role;

create trigger lock_live_trips after insert on public.trip_members
  referencing new table as new_rows for each statement execute function packsync_private.lock_live_trips();
create trigger lock_live_trips after insert on public.people
  referencing new table as new_rows for each statement execute function packsync_private.lock_live_trips();
create trigger lock_live_trips after insert on public.items
  referencing new table as new_rows for each statement execute function packsync_private.lock_live_trips();
create trigger lock_live_trips after insert on public.rule_overrides
  referencing new table as new_rows for each statement execute function packsync_private.lock_live_trips();
