-- Trips and their memberships: who may see and change what.
-- Sections: tables, indexes, triggers, RLS, helper functions, policies, grants.

-- Tables -----------------------------------------------------------------------
create table public.trips (
  id uuid primary key default gen_random_uuid(),
  version bigint not null default 1,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  deleted_at timestamptz,
  created_by uuid default auth.uid(),
  name text not null
    constraint trips_name_length check (char_length(name) between 1 and 200 and btrim(name) <> ''),
  destination text not null default ''
    constraint trips_destination_length check (char_length(destination) <= 200),
  start_date date,
  end_date date,
  days jsonb not null default '[]'
    constraint trips_days_array check (jsonb_typeof(days) = 'array' and jsonb_array_length(days) <= 366),
  settings jsonb not null default '{}'
    constraint trips_settings_object check (jsonb_typeof(settings) = 'object'),
  constraint trips_dates_ordered check (end_date is null or start_date is null or end_date >= start_date)
);
comment on table public.trips is 'A trip; its members (trip_members) decide who may read and write it and everything in it.';

create table public.trip_members (
  id uuid primary key default gen_random_uuid(),
  version bigint not null default 1,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  deleted_at timestamptz,
  created_by uuid default auth.uid(),
  trip_id uuid not null references public.trips (id) on delete cascade,
  user_id uuid not null references auth.users (id) on delete cascade,
  role text not null
    constraint trip_members_role check (role in ('owner', 'editor', 'viewer')),
  -- Consent: a membership someone else creates is an invitation until its
  -- user accepts it (see 20261201110000_membership_consent.sql).
  status text not null default 'active'
    constraint trip_members_status check (status in ('invited', 'active')),
  -- Server-managed: copied from auth.users when the membership is created, so
  -- members and history can name people without reading auth.users.
  email text
);
comment on table public.trip_members is 'Membership of a user in a trip; invited until its user accepts; a tombstone (deleted_at) revokes access.';

-- Indexes ----------------------------------------------------------------------
-- One live membership per user and trip.
create unique index trip_members_live_user_key on public.trip_members (trip_id, user_id) where deleted_at is null;
-- Policies look up the caller's live memberships.
create index trip_members_user_live_idx on public.trip_members (user_id, trip_id, role) where deleted_at is null;
-- Snapshots of one trip page through its rows by id.
create index trip_members_trip_id_idx on public.trip_members (trip_id, id);

-- Triggers ---------------------------------------------------------------------
create trigger stamp_row before insert or update on public.trips
  for each row execute function packsync_private.stamp_row();
create trigger stamp_row before insert or update on public.trip_members
  for each row execute function packsync_private.stamp_row();

-- Creating a trip makes its creator its owner in the same transaction. Runs as
-- definer: the creator is not yet a member, so RLS would refuse the insert.
create or replace function packsync_private.add_creator_as_owner()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if auth.uid() is not null then
    insert into public.trip_members (trip_id, user_id, role)
    select n.id, auth.uid(), 'owner' from new_rows n where n.deleted_at is null;
  end if;
  return null;
end
$$;
-- Named to fire after log_insert, so the trip is logged before its owner.
create trigger make_creator_owner after insert on public.trips
  referencing new table as new_rows
  for each statement execute function packsync_private.add_creator_as_owner();

-- Only owners rename or delete a trip; editors may change the rest.
create or replace function packsync_private.guard_trip_owner_fields()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if auth.uid() is not null
     and (new.name is distinct from old.name or (new.deleted_at is not null and old.deleted_at is null))
     and not exists (
       select 1 from public.trip_members m
       where m.trip_id = new.id and m.user_id = auth.uid() and m.role = 'owner' and m.status = 'active'
         and m.deleted_at is null)
  then
    raise exception 'permission_denied: only an owner can rename or delete a trip' using errcode = '42501';
  end if;
  return new;
end
$$;
create trigger guard_trip_owner_fields before update on public.trips
  for each row execute function packsync_private.guard_trip_owner_fields();

-- A live trip keeps at least one active owner. The trips concerned are locked
-- first, so two owners stepping down at once are checked one after the other:
-- the second check runs after the first commits and sees it (each statement
-- of this function takes a new snapshot under READ COMMITTED).
create or replace function packsync_private.guard_last_owner()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform 1 from public.trips tr
  where tr.id in (select o.trip_id from old_rows o where o.role = 'owner' and o.status = 'active' and o.deleted_at is null)
  order by tr.id
  for no key update of tr;
  if exists (
    select 1
    from (select distinct o.trip_id from old_rows o where o.role = 'owner' and o.status = 'active' and o.deleted_at is null) t
    join public.trips tr on tr.id = t.trip_id and tr.deleted_at is null
    where not exists (
      select 1 from public.trip_members m
      where m.trip_id = t.trip_id and m.role = 'owner' and m.status = 'active' and m.deleted_at is null)
  ) then
    raise exception 'last_owner: a trip must keep at least one owner' using errcode = '23514';
  end if;
  return null;
end
$$;
create trigger guard_last_owner_update after update on public.trip_members
  referencing old table as old_rows
  for each statement execute function packsync_private.guard_last_owner();
create trigger guard_last_owner_delete after delete on public.trip_members
  referencing old table as old_rows
  for each statement execute function packsync_private.guard_last_owner();

-- RLS --------------------------------------------------------------------------
alter table public.trips enable row level security;
alter table public.trip_members enable row level security;

-- Helper functions ---------------------------------------------------------------
-- Policies call these once per statement as `(select ...)` (an init plan), so
-- a 500-row write costs one membership lookup, not 500. Security definer:
-- they read trip_members without recursing into its own policies.

-- Trips the caller is an active member of, in any role (deleted trips
-- included, so members still read the tombstone). An invitation gives no
-- access until it is accepted.
create or replace function packsync_private.member_trip_ids()
returns uuid[]
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce(array_agg(m.trip_id), '{}')
  from public.trip_members m
  where m.user_id = auth.uid() and m.status = 'active' and m.deleted_at is null
$$;

-- Live trips where the caller is an owner or editor: they may write content.
create or replace function packsync_private.editor_trip_ids()
returns uuid[]
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce(array_agg(m.trip_id), '{}')
  from public.trip_members m
  join public.trips t on t.id = m.trip_id and t.deleted_at is null
  where m.user_id = auth.uid() and m.status = 'active' and m.deleted_at is null and m.role in ('owner', 'editor')
$$;

-- Live trips the caller owns: they may manage members.
create or replace function packsync_private.owner_trip_ids()
returns uuid[]
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce(array_agg(m.trip_id), '{}')
  from public.trip_members m
  join public.trips t on t.id = m.trip_id and t.deleted_at is null
  where m.user_id = auth.uid() and m.status = 'active' and m.deleted_at is null and m.role = 'owner'
$$;

-- Policies -----------------------------------------------------------------------
-- No DELETE policies anywhere: clients delete by tombstoning (an UPDATE of
-- deleted_at); hard deletes are for the service role and maintenance SQL.

create policy "members can read their trips" on public.trips
  for select to authenticated
  using (id = any ((select packsync_private.member_trip_ids())::uuid[]));

create policy "signed-in users can create trips" on public.trips
  for insert to authenticated
  with check ((select auth.uid()) is not null);

create policy "owners and editors can update their trips" on public.trips
  for update to authenticated
  using (id = any ((select packsync_private.editor_trip_ids())::uuid[]))
  with check (id = any ((select packsync_private.editor_trip_ids())::uuid[]));

-- An invitee reads their own invitation, nothing else of the trip.
create policy "members read their trips' memberships, everyone their own" on public.trip_members
  for select to authenticated
  using (trip_id = any ((select packsync_private.member_trip_ids())::uuid[]) or user_id = (select auth.uid()));

create policy "owners can add members" on public.trip_members
  for insert to authenticated
  with check (trip_id = any ((select packsync_private.owner_trip_ids())::uuid[]));

-- Owners change and remove members; every user may accept, decline or leave
-- their own membership (guard_membership_change says which columns each may
-- change).
create policy "owners manage members, everyone their own membership" on public.trip_members
  for update to authenticated
  using (trip_id = any ((select packsync_private.owner_trip_ids())::uuid[]) or user_id = (select auth.uid()))
  with check (trip_id = any ((select packsync_private.owner_trip_ids())::uuid[]) or user_id = (select auth.uid()));

-- Grants -------------------------------------------------------------------------
-- Supabase grants everything on new tables to the API roles; narrow it. No
-- DELETE or TRUNCATE (TRUNCATE ignores RLS) for clients.
revoke all on public.trips, public.trip_members from anon, authenticated;
grant select, insert, update on public.trips, public.trip_members to authenticated;
grant execute on function
  packsync_private.member_trip_ids(),
  packsync_private.editor_trip_ids(),
  packsync_private.owner_trip_ids()
  to authenticated, service_role;
