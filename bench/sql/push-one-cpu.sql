-- Push's fixed cost per call, by server CPU time (/proc/<pid>/schedstat, as
-- push-cpu.sql): n one-change pushes, each its own transaction, beside the
-- same one-row write in plain SQL. kind: new (a new item), edit (quantity
-- and packed of an existing item at its version), shipped (that edit as a
-- bare UPDATE with the triggers on), noop (the loop alone).
--   psql "$URL" -v n=200 -v kind=edit -f bench/sql/push-one-cpu.sql
-- Needs a superuser connection and a database seeded by push-cpu-seed.sql.
\set ON_ERROR_STOP on
\ir cpu-setup.sql

create or replace procedure pg_temp.push_one(trip uuid, uid uuid, n integer, kind text)
language plpgsql as $$
declare
  client constant uuid := gen_random_uuid();
  row_id uuid;
  changes jsonb;
  result jsonb;
  started bigint;
  total bigint := 0;
begin
  perform set_config('request.jwt.claims', json_build_object('sub', uid, 'role', 'authenticated')::text, false);
  -- push 0 warms plans and caches and is not counted
  for i in 0..n loop
    if kind = 'new' then
      changes := jsonb_build_array(jsonb_build_object('change_id', gen_random_uuid(), 'entity', 'items', 'op', 'upsert',
        'id', gen_random_uuid(), 'base_version', null,
        'fields', jsonb_build_object('trip_id', trip, 'name', 'one ' || i, 'quantity', 1)));
    else
      select t.id into row_id from public.items t where t.trip_id = push_one.trip order by random() limit 1;
      changes := jsonb_build_array(jsonb_build_object('change_id', gen_random_uuid(), 'entity', 'items', 'op', 'upsert',
        'id', row_id, 'base_version', (select t.version from public.items t where t.id = row_id),
        'fields', jsonb_build_object('quantity', 1 + i % 9, 'packed', i % 2 = 0)));
    end if;
    commit;
    started := pg_temp.cpu_ns();
    set role authenticated;
    if kind = 'noop' then
      perform 1;
    elsif kind = 'shipped' then
      update public.items t set quantity = 1 + i % 9, packed = i % 2 = 0 where t.id = row_id;
    else
      result := public.push_changes(client, changes);
    end if;
    commit;
    reset role;
    if i > 0 then
      total := total + pg_temp.cpu_ns() - started;
    end if;
  end loop;
  raise notice '% | CPU ms a call, commit included: %', rpad(kind, 7), round(total / n / 1e6, 3);
end
$$;

call pg_temp.push_one(:'trip', :'uid', :n, :'kind');
