-- Membership with consent: nobody becomes a member of a trip without saying
-- yes. A membership a signed-in user creates for someone else is an
-- invitation (`status = 'invited'`) that gives no access (the helpers in
-- 20261125090100_trips.sql count active memberships only) until its user
-- accepts it (invited -> active) or declines it (tombstone). Any member may
-- leave; guard_last_owner keeps the last active owner from leaving.
-- Sections: insert rules, update rules, invite_member, grants.

-- Insert rules -------------------------------------------------------------------
-- Security definer: reads auth.users, which API roles cannot.
create or replace function packsync_private.prepare_membership()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  uid constant uuid := auth.uid();
begin
  new.email := (select u.email from auth.users u where u.id = new.user_id);
  -- Rows written outside a user session (service role, maintenance) are
  -- taken as given; the foreign key still checks the user.
  if uid is null then
    return new;
  end if;
  -- A user who does not exist gets the refusal a trip the caller may not
  -- manage gets (the row-level security error), so that creating memberships
  -- for random ids tells nothing about who has an account.
  if not exists (select 1 from auth.users u where u.id = new.user_id) then
    raise exception 'new row violates row-level security policy for table "trip_members"' using errcode = '42501';
  end if;
  -- Only a valid value is replaced, so that an invalid one is still refused
  -- by the constraint, as the model refuses it.
  if new.user_id is distinct from uid and new.status = 'active' then
    new.status := 'invited';
  end if;
  return new;
end
$$;
-- Named to run before stamp_row (triggers fire in name order): both only set
-- columns, so the order does not matter today; keeping it fixed keeps it so.
create trigger prepare_membership before insert on public.trip_members
  for each row execute function packsync_private.prepare_membership();

-- Update rules -------------------------------------------------------------------
-- Row-level security lets owners update the memberships of their trips and
-- every user their own membership; this says which columns each may change.
-- Security definer: an invitee cannot read the trip's other memberships,
-- which the owner check needs.
create or replace function packsync_private.guard_membership_change()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  uid constant uuid := auth.uid();
begin
  if new.user_id is distinct from old.user_id then
    raise exception 'forbidden_field: user_id of a membership cannot change' using errcode = '42501';
  end if;
  -- Only follow_user_email (below) changes it, from auth.users.
  if pg_catalog.current_setting('packsync.following_email', true) is distinct from 'on' then
    new.email := old.email;
  end if;
  if uid is null then
    return new;
  end if;
  if new.status is distinct from old.status
     and not (old.status = 'invited' and new.status = 'active' and new.user_id = uid) then
    raise exception 'permission_denied: only the invited user can accept an invitation, and acceptance is final'
      using errcode = '42501';
  end if;
  if new.role is distinct from old.role and not exists (
    select 1 from public.trip_members m
    where m.trip_id = new.trip_id and m.user_id = uid and m.role = 'owner' and m.status = 'active'
      and m.deleted_at is null)
  then
    raise exception 'permission_denied: only an owner can change a member''s role' using errcode = '42501';
  end if;
  return new;
end
$$;
create trigger guard_membership_change before update on public.trip_members
  for each row execute function packsync_private.guard_membership_change();

-- A changed address reaches the user's live memberships (and, through the
-- log, the other members). Only when the address really changed: the auth
-- server rewrites whole user rows on every sign-in.
create or replace function packsync_private.follow_user_email()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform pg_catalog.set_config('packsync.following_email', 'on', true);
  update public.trip_members m set email = new.email
  where m.user_id = new.id and m.deleted_at is null and m.email is distinct from new.email;
  perform pg_catalog.set_config('packsync.following_email', '', true);
  return null;
end
$$;
create trigger packsync_follow_email after update of email on auth.users
  for each row when (old.email is distinct from new.email)
  execute function packsync_private.follow_user_email();

-- invite_member ------------------------------------------------------------------
-- Owners invite a user by e-mail address. Every reason an invitation cannot be
-- made (nobody has that address, they are already a member or invited, it is
-- the caller) is the same error, so the call does not tell who has an account.
-- The work needs the owner's rights (reading auth.users), so it runs as
-- definer from the private schema; the API exposes only the invoker wrapper
-- below (Supabase's advisor flags security definer functions in exposed
-- schemas: lint 0029).
create or replace function packsync_private.invite_member(trip_id uuid, email text, role text)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
#variable_conflict use_variable
declare
  uid constant uuid := auth.uid();
  invitee uuid;
  membership jsonb;
begin
  if uid is null or trip_id is null or not exists (
    select 1 from public.trip_members m join public.trips t on t.id = m.trip_id and t.deleted_at is null
    where m.trip_id = invite_member.trip_id and m.user_id = uid and m.role = 'owner' and m.status = 'active'
      and m.deleted_at is null)
  then
    raise exception 'permission_denied: only an owner of the trip can invite to it' using errcode = '42501';
  end if;
  if role is null or role not in ('editor', 'viewer') then
    raise exception 'invite_failed: role must be editor or viewer' using errcode = 'P0001';
  end if;
  -- The auth server stores addresses in lower case.
  select u.id into invitee from auth.users u
  where u.email = lower(btrim(invite_member.email)) and u.is_sso_user = false;
  if invitee is null or invitee = uid or exists (
    select 1 from public.trip_members m
    where m.trip_id = invite_member.trip_id and m.user_id = invitee and m.deleted_at is null)
  then
    raise exception 'invite_failed: no invitation was made' using errcode = 'P0001';
  end if;
  begin
    insert into public.trip_members as m (trip_id, user_id, role, status)
    values (invite_member.trip_id, invitee, role, 'invited')
    returning to_jsonb(m) into membership;
  exception when unique_violation then
    -- Invited by another owner at the same moment.
    raise exception 'invite_failed: no invitation was made' using errcode = 'P0001';
  end;
  return membership;
end
$$;

create or replace function public.invite_member(trip_id uuid, email text, role text)
returns jsonb
language sql
volatile
set search_path = ''
as $$
  select packsync_private.invite_member(trip_id, email, role)
$$;

-- Grants (decided in 20261201190000_grants.sql) ---------------------------------
revoke all on function packsync_private.prepare_membership(), packsync_private.guard_membership_change(),
  packsync_private.follow_user_email(),
  packsync_private.invite_member(uuid, text, text), public.invite_member(uuid, text, text)
  from public, anon, authenticated, service_role;
