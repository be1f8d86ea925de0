-- Seeds a database for bench/sql/push-cpu.sql and push-one-cpu.sql as measure
-- 1 seeds its throw-away one (bench/measures/push-floor.ts: the floor's
-- tables and functions, a user and a trip named 'Push floor bench', 50 000
-- items, ~100 000 log rows, the floor's copies of both). `npm run bench`
-- always starts a stack of its own, so a dev database is seeded with this:
--   npm run db -- 64422 /tmp/push-cpu-db     (or a dev stack)
--   psql "$URL" -f bench/sql/push-cpu-seed.sql
\set ON_ERROR_STOP on
\ir push-floor.sql
insert into auth.users (id, email) values (gen_random_uuid(), 'push-floor-' || gen_random_uuid() || '@bench.test')
returning id as uid \gset
select gen_random_uuid() as trip \gset
begin;
select set_config('role', 'authenticated', true),
  set_config('request.jwt.claims', json_build_object('sub', :'uid', 'role', 'authenticated')::text, true);
insert into public.trips (id, name) values (:'trip', 'Push floor bench');
commit;
begin;
select set_config('role', 'authenticated', true),
  set_config('request.jwt.claims', json_build_object('sub', :'uid', 'role', 'authenticated')::text, true);
insert into public.items (trip_id, name, quantity) select :'trip', 'seed ' || g, 1 + g % 5 from generate_series(1, 50000) g;
commit;
begin;
select set_config('role', 'authenticated', true),
  set_config('request.jwt.claims', json_build_object('sub', :'uid', 'role', 'authenticated')::text, true);
-- a second log row per item: the log is twice the table, as after some use
update public.items set notes = 'seeded' where trip_id = :'trip';
commit;
insert into bench.items_floor select * from public.items where trip_id = :'trip';
insert into bench.items_bare select * from public.items where trip_id = :'trip';
insert into bench.log_floor overriding system value select * from public.change_log;
select setval(pg_get_serial_sequence('bench.log_floor', 'seq'), (select max(seq) from bench.log_floor));
vacuum analyze public.items, public.change_log, bench.items_floor, bench.items_bare, bench.log_floor;
select (select count(*) from public.items) as items, (select count(*) from public.change_log) as log_rows;
