-- trip_checksums: the fingerprint the client engine compares its mirror with.
-- Per persona: a member gets one row per visible trip, changing with every
-- write; a stranger and anon get nothing.
begin;
select plan(9);
\ir _personas.sql

set local role authenticated;
set local request.jwt.claims = :'owner';

select is((select count(*) from public.trip_checksums(array[:'trip', :'stranger_trip']::uuid[])), 1::bigint,
  'a member gets a checksum for their trip only, not for a trip they cannot see');

-- the documented text: sorted entity:id:version lines of the live rows
select is((select checksum from public.trip_checksums(array[:'trip']::uuid[])),
  encode(sha256(convert_to((
    select string_agg(l, E'\n' order by l collate "C") from (
      select 'trips:' || id || ':' || version as l from public.trips where id = :'trip'
      union all select 'trip_members:' || id || ':' || version from public.trip_members where trip_id = :'trip'
      union all select 'people:' || id || ':' || version from public.people where trip_id = :'trip'
      union all select 'rule_overrides:' || id || ':' || version from public.rule_overrides where trip_id = :'trip'
      union all select 'items:' || id || ':' || version from public.items where trip_id = :'trip') x), 'UTF8')), 'hex'),
  'it is sha256 of the sorted entity:id:version lines of the trip''s rows');

create temp table before_edit as select checksum from public.trip_checksums(array[:'trip']::uuid[]);
update public.items set packed = true where id = :'item';
select isnt((select checksum from public.trip_checksums(array[:'trip']::uuid[])), (select checksum from before_edit),
  'an update (a new version) changes it');

create temp table before_delete as select checksum from public.trip_checksums(array[:'trip']::uuid[]);
update public.items set deleted_at = now() where id = :'item';
select isnt((select checksum from public.trip_checksums(array[:'trip']::uuid[])), (select checksum from before_delete),
  'a tombstone changes it (the row leaves the set)');
select unalike((select 'x' || string_agg(checksum, '') from public.trip_checksums(array[:'trip']::uuid[])), '%' || :'item' || '%',
  'it carries no row ids');
select is((select checksum from public.trip_checksums(array[:'trip']::uuid[])) ~ '^[0-9a-f]{64}$', true, 'it is 64 hex digits');

set local request.jwt.claims = :'viewer';
select ok(exists (select 1 from public.trip_checksums(array[:'trip']::uuid[])), 'a viewer gets one too');

set local request.jwt.claims = :'stranger';
select is((select count(*) from public.trip_checksums(array[:'trip']::uuid[])), 0::bigint, 'a stranger gets nothing');

reset role;
set local role anon;
select throws_ok($$select * from public.trip_checksums(array['10000000-0000-4000-8000-000000000001']::uuid[])$$,
  '42501', null, 'anon may not call it');

select * from finish();
rollback;
