-- Measure 5 (pull cost against a small and a big change log): a timed pull
-- and the filler that grows the log. Loaded by bench/measures/pull-cost.ts.
create schema if not exists bench;
grant usage on schema bench to authenticated;

-- One pull_changes call as the caller, server-side milliseconds and the rows it served.
create or replace function bench.timed_pull(cursor text, max_rows integer, out ms double precision, out served integer)
language plpgsql as $$
declare
  t0 timestamptz := clock_timestamp();
  result jsonb := public.pull_changes(cursor, max_rows);
begin
  ms := extract(epoch from clock_timestamp() - t0) * 1000;
  served := jsonb_array_length(result -> 'changes');
end
$$;
grant execute on function bench.timed_pull(text, integer) to authenticated;

-- Other trips' history: `rows` log rows over 20 000 trips nobody in the bench
-- is a member of, their transactions spread around the caller's (xid_low ..
-- xid_high), as a busy server's log looks from one user's seat.
create or replace function bench.fill_log(rows integer, xid_low bigint, xid_high bigint) returns void
language sql as $$
  insert into public.change_log (xid, entity, row_id, trip_id, op, version, changed_fields, new_values)
  select (xid_low + g % greatest(xid_high - xid_low, 1))::text::xid8, 'items', gen_random_uuid(),
    md5('trip' || (g % 20000))::uuid, 'insert', 1, '{name,quantity,trip_id}',
    jsonb_build_object('name', 'filler ' || g, 'quantity', 1)
  from generate_series(1, rows) g
$$;
