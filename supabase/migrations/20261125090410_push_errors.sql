-- push_changes, part 2 of 5: per-change errors and limits. The codes a
-- result may carry, which database errors are transient (abort the push,
-- nothing recorded) rather than a rejection of the change, and the limits
-- that bound what one push may cost whatever its shape.

-- The work one push may do (issue 14.1). Past a limit, the remaining changes
-- come back `rejected` / `retry_later` (retryable, not recorded): the client
-- sends them again in a later push, which makes progress of its own.
--   max_rounds: how many times one row may be changed in one push (each
--     repeat is another round of set statements);
--   max_history: how many versions of a row's log a stale change reads to
--     find what changed since its base; beyond it, every field counts as
--     changed (as after compaction);
--   max_retries: how many bisection retries the writes of one push may make
--     to single out the changes that fail.
create or replace function packsync_private.push_limits(out max_rounds integer, out max_history integer, out max_retries integer)
language sql
immutable
set search_path = ''
as $$
  select 8, 100, 64
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

-- Every code a per-change `rejected` result can carry: a closed set, the one
-- list packages/protocol's PUSH_ERROR_CODES must match (a test compares
-- them). Retryable codes are not recorded: the same change_id may be sent
-- again and be processed then.
create table packsync_private.push_error_codes (
  code text primary key,
  retryable boolean not null,
  meaning text not null
);
alter table packsync_private.push_error_codes enable row level security;
create policy "anyone signed in can read the error codes" on packsync_private.push_error_codes
  for select to authenticated using (true);
insert into packsync_private.push_error_codes (code, retryable, meaning) values
  ('invalid_change', false, 'the change is malformed: change_id, id, op, base_version or fields'),
  ('unknown_entity', false, 'entity is missing or not a synced table'),
  ('invalid_field', false, 'an unknown column, a value of the wrong type, or no trip_id on a create'),
  ('forbidden_field', false, 'a server-managed column, moving a row to another trip, or changing a membership''s user'),
  ('invalid_base_version', false, 'base_version is above any version the server issued for the row'),
  ('not_found', false, 'the row does not exist or the caller cannot see it'),
  ('permission_denied', false, 'the caller''s role does not allow this change'),
  ('check_violation', false, 'a value outside what the column allows'),
  ('not_null_violation', false, 'a required column is missing or null'),
  ('foreign_key_violation', false, 'a reference to a row that does not exist'),
  ('unique_violation', false, 'a value that must be unique is taken'),
  ('last_owner', false, 'the last owner of a live trip cannot step down or leave'),
  ('tombstoned', false, 'a deleted row cannot be changed'),
  ('write_failed', false, 'any other error of the write; it would fail again'),
  ('retry_later', true, 'the push hit its work budget before this change; send it again');

-- A per-change error; a code outside the registry is a bug in this SQL.
create or replace function packsync_private.push_error(code text, message text)
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
begin
  if not exists (select 1 from packsync_private.push_error_codes c where c.code = push_error.code) then
    raise exception 'push_error: % is not in packsync_private.push_error_codes', code using errcode = 'XX000';
  end if;
  return jsonb_build_object('code', code, 'message', message);
end
$$;

-- An error raised by a write, as a per-change error. Messages that start with
-- a registered code word ("last_owner: ...") keep it; otherwise the SQLSTATE
-- decides.
create or replace function packsync_private.write_error(state text, message text)
returns jsonb
language sql
stable
set search_path = ''
as $$
  select packsync_private.push_error(
    coalesce((select c.code from packsync_private.push_error_codes c
              where c.code = substring(message from '^([a-z_]+): ') and not c.retryable), case
      when state = '23514' then 'check_violation'
      when state = '23502' then 'not_null_violation'
      when state = '23503' then 'foreign_key_violation'
      when state = '23505' then 'unique_violation'
      when state = '42501' then 'permission_denied'
      when state like '22%' or state = '42804' then 'invalid_field'
      else 'write_failed' end),
    message)
$$;

-- Grants -------------------------------------------------------------------------
grant select on packsync_private.push_error_codes to authenticated;
grant execute on function
  packsync_private.push_limits(),
  packsync_private.is_transient(text),
  packsync_private.push_error(text, text),
  packsync_private.write_error(text, text)
  to authenticated;
