-- Shared by push-cpu.sql and push-one-cpu.sql (included with \ir): the trip
-- push-cpu-seed.sql (or measure 1) seeded, as :trip and :uid, and the
-- backend's own CPU time in nanoseconds (/proc/<pid>/schedstat).
select t.id as trip, t.created_by as uid from public.trips t
where t.name = 'Push floor bench' and t.deleted_at is null order by t.created_at desc limit 1 \gset

create or replace function pg_temp.cpu_ns() returns bigint language sql as $$
  select split_part(pg_read_file('/proc/' || pg_backend_pid() || '/schedstat'), ' ', 1)::bigint
$$;
