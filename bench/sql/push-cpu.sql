-- Measure 1 by server CPU time: push_changes, the floor and items as shipped,
-- batch after batch, each batch its own transaction, timed by the backend's
-- own CPU time (/proc/<pid>/schedstat: nanoseconds on a CPU), which the run
-- queue of a shared machine does not inflate, beside the wall-clock medians
-- that measure 1 reports. A fast A/B loop for push SQL work; not a test.
--   psql "$URL" -v n=20 -v shapes=new,mixed,merged -f bench/sql/push-cpu.sql
-- Needs a superuser connection (it reads /proc through pg_read_file) and a
-- database seeded as measure 1 seeds its own: `psql "$URL" -f
-- bench/sql/push-cpu-seed.sql` (`npm run bench` always starts a throw-away
-- stack, so it cannot seed a dev database).
\set ON_ERROR_STOP on
\ir cpu-setup.sql
create or replace function pg_temp.median(a double precision[]) returns numeric language sql as $$
  select round(percentile_cont(0.5) within group (order by x)::numeric, 1) from unnest(a) x
$$;

create or replace procedure pg_temp.push_cpu(trip uuid, uid uuid, n integer, shapes text[])
language plpgsql as $$
declare
  shape text;
  variant text;
  input jsonb;
  ms double precision;
  started bigint;
  wall jsonb;
  cpu jsonb;
  client constant uuid := gen_random_uuid();
begin
  perform set_config('request.jwt.claims', json_build_object('sub', uid, 'role', 'authenticated')::text, false);
  foreach shape in array shapes loop
    wall := '{"push": [], "floor": [], "shipped": []}';
    cpu := '{"push": 0, "floor": 0, "shipped": 0}';
    -- batch 0 warms plans and caches and is not counted
    for i in 0..n loop
      foreach variant in array array['push', 'floor', 'shipped'] loop
        set role authenticated;
        input := bench.prepare(variant, shape, trip, 500);
        commit;
        reset role;
        started := pg_temp.cpu_ns();
        set role authenticated;
        ms := case variant
          when 'push' then bench.timed_push(client, input, case shape when 'merged' then 'merged' else 'applied' end)
          when 'floor' then bench.timed_floor(trip, input, shape <> 'merged')
          else bench.timed_shipped(trip, input, shape <> 'merged') end;
        commit;
        reset role;
        if i > 0 then
          wall := jsonb_set(wall, array[variant], (wall -> variant) || to_jsonb(ms));
          cpu := jsonb_set(cpu, array[variant], to_jsonb((cpu ->> variant)::bigint + pg_temp.cpu_ns() - started));
        end if;
      end loop;
    end loop;
    raise notice '% | CPU ms a batch: push %, floor %, shipped % | push ÷ floor by CPU % (shipped %) | wall medians ms: push %, floor % (ratio %)',
      rpad(shape, 6),
      round((cpu ->> 'push')::numeric / n / 1e6, 1), round((cpu ->> 'floor')::numeric / n / 1e6, 1),
      round((cpu ->> 'shipped')::numeric / n / 1e6, 1),
      round((cpu ->> 'floor')::numeric / (cpu ->> 'push')::numeric, 3),
      round((cpu ->> 'floor')::numeric / (cpu ->> 'shipped')::numeric, 3),
      pg_temp.median(array(select jsonb_array_elements_text(wall -> 'push')::float8)),
      pg_temp.median(array(select jsonb_array_elements_text(wall -> 'floor')::float8)),
      round(pg_temp.median(array(select jsonb_array_elements_text(wall -> 'floor')::float8))
        / pg_temp.median(array(select jsonb_array_elements_text(wall -> 'push')::float8)), 3);
  end loop;
end
$$;

call pg_temp.push_cpu(:'trip', :'uid', :n, string_to_array(:'shapes', ','));
