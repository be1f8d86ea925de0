-- push_changes, part 1 of 5: the at-most-once records. A client id belongs
-- to one user; each processed change's result is stored in the same
-- transaction as its write and replayed verbatim on a repeat. Also the one
-- composite type a batch travels in. See README.md beside this file.

-- Types ------------------------------------------------------------------------
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
-- per-change error). Stable, not immutable: to_jsonb is stable. With its
-- own search_path it is never inlined (~3 us a call), so push_parse writes
-- the same check out for the two uuids of every change.
create or replace function packsync_private.try_uuid(value text)
returns uuid
language sql
stable
set search_path = ''
as $$
  -- Canonical 8-4-4-4-12 text only: the pattern fixes the length and the
  -- hyphens, and then the uuid input (error-safe through JSON_VALUE ... NULL ON
  -- ERROR) accepts exactly the strings whose other 32 characters are hex
  -- digits: ~5x cheaper than checking the characters with translate() or a
  -- regex.
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
  packsync_private.record_results(uuid, uuid[], text[], text[])
  to authenticated;
