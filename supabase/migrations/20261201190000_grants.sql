-- Who may do what, decided in one place and applied last (issue 14.6, 15.6).
-- Every table, sequence and function in `public` and `packsync_private` is
-- first stripped of every right of PUBLIC and the API roles, then given
-- exactly the rights listed here. Nothing relies on default privileges:
-- hosted Supabase no longer grants new `public` objects to the API roles, and
-- PostgreSQL grants EXECUTE on every new function to PUBLIC (a per-schema
-- default privilege cannot take that back). The owner (postgres) keeps its
-- rights. supabase/tests/database/14_privileges.test.sql lists every object
-- with each role's rights and fails on any object or right not decided here:
-- a migration that adds a function, table or sequence adds its line below.

-- Start from nothing -------------------------------------------------------------
revoke all on all tables in schema public, packsync_private from public, anon, authenticated, service_role;
revoke all on all sequences in schema public, packsync_private from public, anon, authenticated, service_role;
revoke all on all functions in schema public, packsync_private from public, anon, authenticated, service_role;

-- Schemas ------------------------------------------------------------------------
-- public: usage for the API roles comes with the platform. packsync_private:
-- policies and the invoker RPCs call its helpers as the caller.
revoke all on schema packsync_private from public, anon;
grant usage on schema packsync_private to authenticated, service_role;

-- Tables -------------------------------------------------------------------------
-- Signed-in users: row-level security decides which rows; no DELETE (deletes
-- are tombstones) and no TRUNCATE (it ignores row-level security).
grant select, insert, update on public.trips, public.trip_members, public.people, public.items, public.rule_overrides
  to authenticated;
grant select on public.change_log to authenticated;
grant select on packsync_private.sync_clients, packsync_private.log_horizon to authenticated;
-- The entity registry and the push error codes: push_changes (as the caller)
-- reads them; both are public knowledge (the protocol lists the same).
grant select on packsync_private.entities, packsync_private.push_error_codes to authenticated;
-- The service role administers (support tools, scripts with the secret key):
-- it reads and writes every row but cannot TRUNCATE, and reads the log.
grant select, insert, update, delete on public.trips, public.trip_members, public.people, public.items, public.rule_overrides
  to service_role;
grant select on public.change_log to service_role;
-- packsync_private.processed_changes: only through push_changes' security
-- definer helpers. Sequences (change_log.seq): only the log triggers, which
-- run as the owner; a client that could setval it would stall every push.

-- Functions: the API -------------------------------------------------------------
grant execute on function
  public.push_changes(uuid, jsonb),
  public.pull_changes(text, integer),
  public.trip_history(uuid, text, integer),
  public.trip_checksums(uuid[]),
  public.invite_member(uuid, text, text)
  to authenticated;

-- Functions: helpers the caller's role runs ------------------------------------------
-- Policies (membership lookups), and push_changes, which runs as the caller so
-- that row-level security applies to every write it makes.
grant execute on function
  packsync_private.member_trip_ids(),
  packsync_private.editor_trip_ids(),
  packsync_private.owner_trip_ids(),
  packsync_private.invite_member(uuid, text, text),
  packsync_private.claim_client(uuid),
  packsync_private.stored_results(uuid, uuid[]),
  packsync_private.record_results(uuid, uuid[], text[], text[]),
  packsync_private.decide(packsync_private.push_change, text, text, bigint, json, jsonb, jsonb),
  packsync_private.is_transient(text),
  packsync_private.push_error(text, text),
  packsync_private.write_error(text, text),
  packsync_private.same_values(jsonb, jsonb),
  packsync_private.conflict_of(packsync_private.push_change, text[], jsonb),
  packsync_private.field_exprs(text, text[]),
  packsync_private.field_error(text, jsonb),
  packsync_private.field_errors(text, jsonb[]),
  packsync_private.push_write_set(text, packsync_private.push_change[], text[]),
  packsync_private.push_write(text, packsync_private.push_change[], text[]),
  packsync_private.push_stage(text, packsync_private.push_change[]),
  packsync_private.entity_names(),
  packsync_private.push_limits(),
  packsync_private.deleted_conflict(packsync_private.push_change, jsonb),
  packsync_private.push_check_fields(packsync_private.entities, text[], packsync_private.push_change[]),
  packsync_private.push_read_rows(text, packsync_private.push_change[]),
  packsync_private.push_gone_trips(packsync_private.entities, packsync_private.push_change[], uuid[], jsonb[]),
  packsync_private.push_classify(packsync_private.entities, packsync_private.push_change[], uuid[], jsonb[], uuid[], jsonb[]),
  packsync_private.push_resolve_stale(text, packsync_private.push_change[]),
  packsync_private.push_apply(text, packsync_private.push_change[], text[]),
  packsync_private.push_parse(uuid, jsonb, text[]),
  packsync_private.push_run(packsync_private.push_change[], text[]),
  packsync_private.push_finish(uuid, packsync_private.push_change[]),
  packsync_private.try_uuid(text),
  packsync_private.snapshot_page(uuid, text, uuid, integer, uuid),
  -- pull_changes' body (security definer; see 20261125090500_pull_changes.sql)
  packsync_private.pull(text, integer)
  to authenticated;

-- Check constraints run with the writer's rights: every role that writes rows.
grant execute on function
  packsync_private.is_blank(text),
  packsync_private.is_text(jsonb, integer, boolean),
  packsync_private.is_iso_date(jsonb),
  packsync_private.is_quantity(jsonb),
  packsync_private.is_flag_set(jsonb, text[]),
  packsync_private.has_exactly_keys(jsonb, text[]),
  packsync_private.item_categories(),
  packsync_private.is_trip_days(jsonb),
  packsync_private.is_generated_snapshot(jsonb)
  to authenticated, service_role;

-- Maintenance, scheduled with the service role (docs/deploy.md).
grant execute on function packsync_private.compact_change_log(interval), packsync_private.run_maintenance(interval)
  to service_role;

-- Not granted to anyone (the owner runs them): trigger functions
-- (stamp_row, add_creator_as_owner, guard_*, prepare_membership, follow_user_email,
-- settle_trips_of_deleted_user, log_rows,
-- log_update, tombstone_trip_children, lock_live_trips) and what only security
-- definer code calls (log_shape, notify_changes: a client that could call it
-- would poke every open stream; current_rows, which pull_changes calls).
