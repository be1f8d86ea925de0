-- Privileges (issue 14.6): every table, sequence and function in `public` and
-- `packsync_private`, with the rights PUBLIC and each API role holds on it
-- ('-' for none). Decided in supabase/migrations/20261201190000_grants.sql; an
-- object or a right that is not listed here fails this test, so a new one
-- must be decided there and listed here. Then the attacks the review used.
begin;
select plan(9);

create temp view rights as
with objects as (
  select 'table' as kind, n.nspname || '.' || c.relname as name, c.relacl as acl, c.relowner as owner,
    case when c.relkind = 'S' then 's' else 'r' end as acl_kind
  from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
  where n.nspname in ('public', 'packsync_private') and c.relkind in ('r', 'p', 'v', 'm', 'f', 'S')
  union all
  select 'function', n.nspname || '.' || p.proname || '(' || pg_catalog.pg_get_function_identity_arguments(p.oid) || ')',
    p.proacl, p.proowner, 'f'
  from pg_catalog.pg_proc p join pg_catalog.pg_namespace n on n.oid = p.pronamespace
  where n.nspname in ('public', 'packsync_private')
), roles (role, oid) as (
  select 'PUBLIC', 0::oid
  union all select r.rolname::text, r.oid from pg_catalog.pg_roles r where r.rolname in ('anon', 'authenticated', 'service_role')
), rights as (
  select o.kind, o.name, r.role, coalesce((
    select string_agg(a.privilege_type, ',' order by a.privilege_type)
    from pg_catalog.aclexplode(coalesce(o.acl, pg_catalog.acldefault(o.acl_kind::"char", o.owner))) a
    where a.grantee = r.oid), '-') as privileges
  from objects o cross join roles r
)
select name::text collate "default" as name,
  max(privileges) filter (where role = 'PUBLIC') as "PUBLIC",
  max(privileges) filter (where role = 'anon') as anon,
  max(privileges) filter (where role = 'authenticated') as authenticated,
  max(privileges) filter (where role = 'service_role') as service_role
from rights group by 1 order by 1;

select set_eq($$select name, "PUBLIC", anon, authenticated, service_role from rights$$,
  $$values
    ('packsync_private.add_creator_as_owner()', '-', '-', '-', '-'),
    -- sql's objects (entity registry, error codes, push steps, maintenance):
    ('packsync_private.deleted_conflict(c packsync_private.push_change, deleted_at jsonb)', '-', '-', 'EXECUTE', '-'),
    ('packsync_private.push_run(batch packsync_private.push_change[], entities text[])', '-', '-', 'EXECUTE', '-'),
    ('packsync_private.is_transient(state text)', '-', '-', 'EXECUTE', '-'),
    ('packsync_private.push_limits(OUT max_rounds integer, OUT max_history integer, OUT max_retries integer)', '-', '-', 'EXECUTE', '-'),
    ('packsync_private.push_gone_trips(e packsync_private.entities, batch packsync_private.push_change[], read_ids uuid[], read_rows jsonb[])', '-', '-', 'EXECUTE', '-'),
    ('packsync_private.push_check_fields(e packsync_private.entities, cols text[], batch packsync_private.push_change[])', '-', '-', 'EXECUTE', '-'),
    ('packsync_private.push_classify(e packsync_private.entities, batch packsync_private.push_change[], locked_ids uuid[], locked_rows jsonb[], read_ids uuid[], read_rows jsonb[])', '-', '-', 'EXECUTE', '-'),
    ('packsync_private.run_maintenance(keep interval)', '-', '-', '-', 'EXECUTE'),
    ('packsync_private.push_read_rows(entity text, batch packsync_private.push_change[], OUT locked_ids uuid[], OUT locked_rows jsonb[], OUT read_ids uuid[], OUT read_rows jsonb[])', '-', '-', 'EXECUTE', '-'),
    ('packsync_private.push_parse(client_id uuid, changes jsonb, entities text[])', '-', '-', 'EXECUTE', '-'),
    ('packsync_private.push_error_codes', '-', '-', 'SELECT', '-'),
    ('packsync_private.push_resolve_stale(entity text, batch packsync_private.push_change[])', '-', '-', 'EXECUTE', '-'),
    ('packsync_private.push_finish(client_id uuid, batch packsync_private.push_change[], OUT body text, OUT statuses jsonb)', '-', '-', 'EXECUTE', '-'),
    ('public.push_changes_text(client_id uuid, changes jsonb)', '-', '-', 'EXECUTE', '-'),
    ('packsync_private.entity_names()', '-', '-', 'EXECUTE', '-'),
    ('public.trip_history(trip_id uuid, before text, max_rows integer)', '-', '-', 'EXECUTE', '-'),
    ('public.trip_checksums(trip_ids uuid[])', '-', '-', 'EXECUTE', '-'),
    ('packsync_private.current_rows(page packsync_private.log_ref[], my_trips uuid[])', '-', '-', '-', '-'),
    ('packsync_private.push_apply(entity text, batch packsync_private.push_change[], update_cols text[])', '-', '-', 'EXECUTE', '-'),
    ('packsync_private.entities', '-', '-', 'SELECT', '-'),
    ('packsync_private.pull(cursor text, max_rows integer, echo_of uuid)', '-', '-', 'EXECUTE', '-'),
    ('packsync_private.claim_client(client_id uuid)', '-', '-', 'EXECUTE', '-'),
    ('packsync_private.compact_change_log(keep interval)', '-', '-', '-', 'EXECUTE'),
    ('packsync_private.conflict_of(c packsync_private.push_change, fields text[], client jsonb)', '-', '-', 'EXECUTE', '-'),
    ('packsync_private.decide(c packsync_private.push_change, status text, action text, version bigint, row_data json, conflict jsonb, error jsonb)', '-', '-', 'EXECUTE', '-'),
    ('packsync_private.deleted_conflict(c packsync_private.push_change, deleted_at jsonb)', '-', '-', 'EXECUTE', '-'),
    ('packsync_private.editor_trip_ids()', '-', '-', 'EXECUTE', '-'),
    ('packsync_private.field_error(entity text, fields jsonb)', '-', '-', 'EXECUTE', '-'),
    ('packsync_private.field_errors(entity text, changes jsonb[])', '-', '-', 'EXECUTE', '-'),
    ('packsync_private.field_exprs(entity text, cols text[])', '-', '-', 'EXECUTE', '-'),
    ('packsync_private.follow_user_email()', '-', '-', '-', '-'),
    ('packsync_private.guard_last_owner()', '-', '-', '-', '-'),
    ('packsync_private.guard_membership_change()', '-', '-', '-', '-'),
    ('packsync_private.guard_trip_owner_fields()', '-', '-', '-', '-'),
    ('packsync_private.has_exactly_keys(value jsonb, keys text[])', '-', '-', 'EXECUTE', 'EXECUTE'),
    ('packsync_private.invite_member(trip_id uuid, email text, role text)', '-', '-', 'EXECUTE', '-'),
    ('packsync_private.is_blank(value text)', '-', '-', 'EXECUTE', 'EXECUTE'),
    ('packsync_private.is_flag_set(value jsonb, allowed text[])', '-', '-', 'EXECUTE', 'EXECUTE'),
    ('packsync_private.is_generated_snapshot(value jsonb)', '-', '-', 'EXECUTE', 'EXECUTE'),
    ('packsync_private.is_iso_date(value jsonb)', '-', '-', 'EXECUTE', 'EXECUTE'),
    ('packsync_private.is_quantity(value jsonb)', '-', '-', 'EXECUTE', 'EXECUTE'),
    ('packsync_private.is_text(value jsonb, max integer, non_blank boolean)', '-', '-', 'EXECUTE', 'EXECUTE'),
    ('packsync_private.is_transient(state text)', '-', '-', 'EXECUTE', '-'),
    ('packsync_private.is_echo_free(change_id uuid, member_user_id uuid, entity text, op text)', '-', '-', '-', '-'),
    ('packsync_private.is_trip_days(value jsonb)', '-', '-', 'EXECUTE', 'EXECUTE'),
    ('packsync_private.item_categories()', '-', '-', 'EXECUTE', 'EXECUTE'),
    ('packsync_private.lock_live_trips()', '-', '-', '-', '-'),
    ('packsync_private.log_horizon', '-', '-', 'SELECT', '-'),
    ('packsync_private.log_rows()', '-', '-', '-', '-'),
    ('packsync_private.log_shape(entity text, OUT trip_expr text, OUT member_expr text, OUT fields text[], OUT values_expr text)', '-', '-', '-', '-'),
    ('packsync_private.log_update()', '-', '-', '-', '-'),
    ('packsync_private.member_trip_ids()', '-', '-', 'EXECUTE', '-'),
    ('packsync_private.notify_changes(trip_ids uuid[], writer uuid)', '-', '-', '-', '-'),
    ('packsync_private.owner_trip_ids()', '-', '-', 'EXECUTE', '-'),
    ('packsync_private.prepare_membership()', '-', '-', '-', '-'),
    ('packsync_private.processed_changes', '-', '-', '-', '-'),
    ('packsync_private.push_error(code text, message text)', '-', '-', 'EXECUTE', '-'),
    ('packsync_private.push_error_codes', '-', '-', 'SELECT', '-'),
    ('packsync_private.push_stage(entity text, batch packsync_private.push_change[])', '-', '-', 'EXECUTE', '-'),
    ('packsync_private.push_write(entity text, batch packsync_private.push_change[], update_cols text[])', '-', '-', 'EXECUTE', '-'),
    ('packsync_private.push_write_set(entity text, batch packsync_private.push_change[], update_cols text[], OUT ids uuid[], OUT versions bigint[], OUT rows json[])', '-', '-', 'EXECUTE', '-'),
    ('packsync_private.record_results(client_id uuid, change_ids uuid[], statuses text[], results text[])', '-', '-', 'EXECUTE', '-'),
    ('packsync_private.require_server_version(minimum integer)', '-', '-', '-', '-'),
    ('packsync_private.same_values(fields jsonb, server jsonb)', '-', '-', 'EXECUTE', '-'),
    ('packsync_private.settle_trips_of_deleted_user()', '-', '-', '-', '-'),
    ('packsync_private.snapshot_page(trip uuid, entity text, after_id uuid, max_rows integer, preview_for uuid)', '-', '-', 'EXECUTE', '-'),
    ('packsync_private.stamp_row()', '-', '-', '-', '-'),
    ('packsync_private.stored_results(client_id uuid, change_ids uuid[])', '-', '-', 'EXECUTE', '-'),
    ('packsync_private.sync_clients', '-', '-', 'SELECT', '-'),
    ('packsync_private.tombstone_trip_children()', '-', '-', '-', '-'),
    ('packsync_private.try_uuid(value text)', '-', '-', 'EXECUTE', '-'),
    ('packsync_private.write_error(state text, message text)', '-', '-', 'EXECUTE', '-'),
    ('public.change_log', '-', '-', 'SELECT', 'SELECT'),
    ('public.change_log_seq_seq', '-', '-', '-', '-'),
    ('public.invite_member(trip_id uuid, email text, role text)', '-', '-', 'EXECUTE', '-'),
    ('public.items', '-', '-', 'INSERT,SELECT,UPDATE', 'DELETE,INSERT,SELECT,UPDATE'),
    ('public.people', '-', '-', 'INSERT,SELECT,UPDATE', 'DELETE,INSERT,SELECT,UPDATE'),
    ('public.pull_changes(cursor text, max_rows integer)', '-', '-', 'EXECUTE', '-'),
    ('public.pull_changes_text(cursor text, max_rows integer, client_id uuid)', '-', '-', 'EXECUTE', '-'),
    ('public.push_changes(client_id uuid, changes jsonb)', '-', '-', 'EXECUTE', '-'),
    ('public.rule_overrides', '-', '-', 'INSERT,SELECT,UPDATE', 'DELETE,INSERT,SELECT,UPDATE'),
    ('public.trip_members', '-', '-', 'INSERT,SELECT,UPDATE', 'DELETE,INSERT,SELECT,UPDATE'),
    ('public.trips', '-', '-', 'INSERT,SELECT,UPDATE', 'DELETE,INSERT,SELECT,UPDATE')
  $$,
  'every object in public and packsync_private has exactly the rights decided for it');

-- The review's attacks ---------------------------------------------------------------
-- setval is not transactional: should it ever succeed, it sets the value the
-- sequence already has.
select last_value as seq_now from public.change_log_seq_seq \gset
set local role authenticated;
set local request.jwt.claims = '{"sub":"00000000-0000-4000-8000-000000000001","role":"authenticated"}';
select throws_ok(format($$select setval('public.change_log_seq_seq', %s)$$, :'seq_now'), '42501', null,
  'authenticated cannot setval the change log''s sequence');
select throws_ok($$select nextval('public.change_log_seq_seq')$$, '42501', null,
  'authenticated cannot draw from it either');
select throws_ok($$select packsync_private.notify_changes(null)$$, '42501', null,
  'authenticated cannot call notify_changes (poke every stream)');
select throws_ok($$select packsync_private.compact_change_log('0 seconds')$$, '42501', null,
  'authenticated cannot compact the log');
select throws_ok($$truncate public.items$$, '42501', null, 'authenticated cannot truncate (it ignores row-level security)');
reset role;
set local role anon;
select throws_ok(format($$select setval('public.change_log_seq_seq', %s)$$, :'seq_now'), '42501', null, 'anon cannot setval the sequence');
select throws_ok($$select public.push_changes(gen_random_uuid(), '[]')$$, '42501', null, 'anon cannot call push_changes');
reset role;
set local role service_role;
select throws_ok($$truncate public.change_log$$, '42501', null, 'the service role cannot truncate the log');

select * from finish();
rollback;
