-- Private schema for Packsync's internal helpers, and the row stamp that every
-- synced table shares. Nothing in `packsync_private` is exposed through the
-- API; clients reach it only through policies and the public RPCs.

-- Schema ---------------------------------------------------------------------
create schema if not exists packsync_private;

-- Server version -------------------------------------------------------------
-- The migrations need PostgreSQL 17 (JSON_VALUE, among others). On an older
-- server they would fail somewhere in the middle with a confusing error;
-- this says why at once, before anything else is created.
create or replace function packsync_private.require_server_version(minimum integer)
returns void
language plpgsql
set search_path = ''
as $$
begin
  if pg_catalog.current_setting('server_version_num')::integer < minimum then
    raise exception 'packsync needs PostgreSQL % or newer; this server runs PostgreSQL %',
      minimum / 10000, pg_catalog.current_setting('server_version')
      using errcode = '0A000',
        hint = 'On Supabase, upgrade the project''s Postgres version (Project Settings > Infrastructure), then run the migrations again.';
  end if;
end
$$;
revoke all on function packsync_private.require_server_version(integer) from public;
do $$ begin perform packsync_private.require_server_version(170000); end $$;
revoke all on schema packsync_private from public;
-- Policies and the invoker RPCs call helpers from here as the caller's role.
grant usage on schema packsync_private to authenticated, service_role;

-- Functions created here are executable by PUBLIC unless revoked (a
-- per-schema default privilege cannot take back PostgreSQL's global one);
-- 20261201190000_grants.sql revokes and grants every right explicitly.

-- Helper functions -------------------------------------------------------------

-- Server-managed columns of every synced table. Clients never set them; the
-- push RPC rejects them as mass assignment and this trigger overwrites them
-- for every other write path (PostgREST, SQL, service role).
-- deleted_at: a tombstone is set only with the server's clock (whatever time
-- a writer gives), and is final for the API roles. Writes by other roles
-- (migrations, maintenance, test fixtures: no API role) may repair or seed
-- tombstones.
create or replace function packsync_private.stamp_row()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  api_role constant boolean := current_user in ('anon', 'authenticated', 'service_role');
begin
  if tg_op = 'INSERT' then
    new.version := 1;
    new.created_at := now();
    new.updated_at := now();
    if api_role then
      new.created_by := auth.uid();
      new.deleted_at := null;
    else
      new.created_by := coalesce(auth.uid(), new.created_by);
    end if;
    return new;
  end if;

  if new.id is distinct from old.id then
    raise exception 'forbidden_field: id cannot change' using errcode = '42501';
  end if;
  if old.deleted_at is not null and (api_role or auth.uid() is not null) then
    raise exception 'tombstoned: % % is deleted', tg_table_name, old.id using errcode = '55000';
  end if;
  -- A row never moves to another trip: the trip decides who may see it.
  if tg_table_name <> 'trips' then
    if new.trip_id is distinct from old.trip_id then
      raise exception 'forbidden_field: trip_id cannot change' using errcode = '42501';
    end if;
  end if;
  if old.deleted_at is null and new.deleted_at is not null then
    new.deleted_at := now();
  end if;
  new.version := old.version + 1;
  new.created_at := old.created_at;
  new.updated_at := now();
  new.created_by := old.created_by;
  return new;
end
$$;
revoke all on function packsync_private.stamp_row() from public;
