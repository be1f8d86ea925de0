-- Deleting a user (issue 15.7). Their memberships go with them (the foreign
-- key cascades), which the last-owner guard refused for a trip they were the
-- only owner of ("Database error deleting user" on hosted). Before the user
-- row goes, each such trip is settled:
-- * it has an active editor: the one who joined first becomes its owner. The
--   trip is their work too (editors change everything but its name), so it
--   stays with the people who use it, and someone can manage it;
-- * it has other members, none an active editor (viewers, invitations): it is
--   deleted as an owner would delete it (a tombstone: they see it go);
-- * nobody else is a member: it is deleted outright, with everything in it.
-- Trips with another active owner need nothing.

create or replace function packsync_private.settle_trips_of_deleted_user()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  trip uuid;
  heir uuid;
begin
  for trip in
    select t.id from public.trips t
    where t.deleted_at is null and t.id in (
      select m.trip_id from public.trip_members m
      where m.user_id = old.id and m.role = 'owner' and m.status = 'active' and m.deleted_at is null)
    order by t.id
    -- the same lock the last-owner guard takes: no owner steps down meanwhile
    for no key update of t
  loop
    continue when exists (
      select 1 from public.trip_members m
      where m.trip_id = trip and m.user_id <> old.id and m.role = 'owner' and m.status = 'active' and m.deleted_at is null);
    select m.id into heir from public.trip_members m
    where m.trip_id = trip and m.user_id <> old.id and m.role = 'editor' and m.status = 'active' and m.deleted_at is null
    order by m.created_at, m.id
    limit 1;
    if heir is not null then
      update public.trip_members set role = 'owner' where id = heir;
    elsif exists (select 1 from public.trip_members m where m.trip_id = trip and m.user_id <> old.id and m.deleted_at is null) then
      update public.trips set deleted_at = now() where id = trip;
    else
      delete from public.trips where id = trip;
    end if;
  end loop;
  return old;
end
$$;
revoke all on function packsync_private.settle_trips_of_deleted_user() from public, anon, authenticated, service_role;

create trigger packsync_settle_trips before delete on auth.users
  for each row execute function packsync_private.settle_trips_of_deleted_user();
