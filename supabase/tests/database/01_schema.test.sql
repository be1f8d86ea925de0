-- Schema: tables, key columns, RLS on every table, policies, RPC grants.
begin;
select plan(42);

select has_table('public', t, format('table %s exists', t))
from unnest(array['trips', 'trip_members', 'people', 'items', 'rule_overrides', 'change_log']) t;

select col_type_is('public', t, 'id', 'uuid', format('%s.id is uuid', t))
from unnest(array['trips', 'trip_members', 'people', 'items', 'rule_overrides']) t;
select col_type_is('public', t, 'version', 'bigint', format('%s.version is bigint', t))
from unnest(array['trips', 'trip_members', 'people', 'items', 'rule_overrides']) t;
select col_type_is('public', t, 'deleted_at', 'timestamp with time zone', format('%s.deleted_at is a timestamptz tombstone', t))
from unnest(array['trips', 'trip_members', 'people', 'items', 'rule_overrides']) t;
select col_type_is('public', 'trips', 'days', 'jsonb', 'trips.days is jsonb');
select col_type_is('public', 'items', 'quantity', 'integer', 'items.quantity is integer');
select col_type_is('public', 'items', 'generated', 'jsonb', 'items.generated is jsonb');
select col_type_is('public', 'change_log', 'xid', 'xid8', 'change_log.xid is xid8');
select col_type_is('public', 'change_log', 'changed_fields', 'text[]', 'change_log.changed_fields is text[]');

select ok((select c.relrowsecurity from pg_class c where c.oid = format('public.%I', t)::regclass),
  format('RLS is enabled on %s', t))
from unnest(array['trips', 'trip_members', 'people', 'items', 'rule_overrides', 'change_log']) t;

select policies_are('public', 'trips', array[
  'members can read their trips', 'signed-in users can create trips', 'owners and editors can update their trips']);
select policies_are('public', 'trip_members', array[
  'members read their trips'' memberships, everyone their own', 'owners can add members', 'owners manage members, everyone their own membership']);
select policies_are('public', 'items', array[
  'members can read the items of their trips', 'owners and editors can add items', 'owners and editors can change items']);
select policies_are('public', 'change_log', array[
  'members read trip history, users their memberships'' changes']);

select function_privs_are('public', 'push_changes', array['uuid', 'jsonb'], 'anon', array[]::text[],
  'anon cannot execute push_changes');
select function_privs_are('public', 'push_changes', array['uuid', 'jsonb'], 'authenticated', array['EXECUTE'],
  'authenticated can execute push_changes');
select function_privs_are('public', 'pull_changes', array['text', 'integer'], 'anon', array[]::text[],
  'anon cannot execute pull_changes');
select function_privs_are('public', 'pull_changes', array['text', 'integer'], 'authenticated', array['EXECUTE'],
  'authenticated can execute pull_changes');
select table_privs_are('public', 'change_log', 'authenticated', array['SELECT'],
  'clients can only read the change log');
select table_privs_are('public', 'items', 'authenticated', array['SELECT', 'INSERT', 'UPDATE'],
  'clients cannot hard-delete or truncate items');

select * from finish();
rollback;
