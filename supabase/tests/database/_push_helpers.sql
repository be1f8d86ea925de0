-- Helpers for the push tests (included with \ir, not a test itself).
-- One change through push_changes as the caller, from the caller's own client.
create function pg_temp.push1(change jsonb) returns jsonb language sql as $$
  select public.push_changes(('c' || substr(auth.uid()::text, 2))::uuid, jsonb_build_array(change)) -> 'results' -> 0
$$;
-- A change with change_id d0000000-…-<n>.
create function pg_temp.change(n integer, op text, entity text, id uuid, base bigint, fields jsonb) returns jsonb language sql as $$
  select jsonb_build_object('change_id', format('d0000000-0000-4000-8000-%s', lpad(n::text, 12, '0')),
    'entity', entity, 'op', op, 'id', id, 'base_version', base, 'fields', fields)
$$;
