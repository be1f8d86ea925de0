-- Push speed (issue 12.1), part 1: the per-row costs of every write to a
-- synced table. A 500-row push called auth.uid() ~1 500 times (the created_by
-- column default, the row stamp, and the at-most-once record of each change):
-- auth.uid() is a SQL function with its own search_path, so it is never
-- inlined and each call runs its own small executor (~5 us). Here the row
-- stamp reads the caller once per row without a function call, the column
-- defaults that the row stamp overwrites anyway are dropped, and the records
-- read the caller once per statement.

-- Defaults ---------------------------------------------------------------------
-- stamp_row sets created_by on every insert (the caller, or for writes
-- outside a session what the row says), so the default was evaluated per row
-- and thrown away.
alter table public.trips alter column created_by drop default;
alter table public.trip_members alter column created_by drop default;
alter table public.people alter column created_by drop default;
alter table public.items alter column created_by drop default;
alter table public.rule_overrides alter column created_by drop default;

-- Helper functions ---------------------------------------------------------------
-- The row stamp, as in 20261125090000_private_schema.sql, with the caller
-- read as auth.uid() reads it (the `sub` claim of the request), written out:
-- a simple expression that plpgsql evaluates without a function call. The
-- same text as auth.uid()'s body on hosted Supabase and in the local
-- bootstrap; 12_server_managed.test.sql pins the behaviour.
create or replace function packsync_private.stamp_row()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  api_role constant boolean := current_user in ('anon', 'authenticated', 'service_role');
  uid uuid;
begin
  if tg_op = 'INSERT' then
    uid := coalesce(nullif(pg_catalog.current_setting('request.jwt.claim.sub', true), ''),
      (nullif(pg_catalog.current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub'))::uuid;
    new.version := 1;
    new.created_at := now();
    new.updated_at := now();
    if api_role then
      new.created_by := uid;
      new.deleted_at := null;
    else
      new.created_by := coalesce(uid, new.created_by);
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

-- The at-most-once records, as in 20261125090400_push_records.sql, with the
-- caller read once for the statement instead of once per record.
create or replace function packsync_private.record_results(client_id uuid, change_ids uuid[], statuses text[], results text[])
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  uid constant uuid := auth.uid();
begin
  if not exists (select 1 from packsync_private.sync_clients c
                 where c.client_id = record_results.client_id and c.user_id = uid) then
    raise exception 'client_forbidden: client_id % belongs to another user', record_results.client_id using errcode = '42501';
  end if;
  insert into packsync_private.processed_changes (client_id, change_id, user_id, status, result)
  select record_results.client_id, r.change_id, uid, r.status, r.result
  from unnest(change_ids, statuses, results) r(change_id, status, result);
end
$$;
