-- Push writes a row only at the version it classified it against
-- (20261202110000_push_optimistic.sql). A pgTAP file is one transaction, so
-- the race itself (another session's edit committed between push's read and
-- its write) is driven by supabase/tests/integration/push-optimistic.test.ts;
-- here the write step is given a version the row no longer has: it writes
-- nothing and hands the change back to be done again ('redo'), and without a
-- version (the locking pass) it writes as before.
begin;
select plan(10);
\ir _personas.sql

set local role authenticated;
set local request.jwt.claims = :'owner';

-- A planned write of the fixture item (version 1), as a stage hands it on.
create function pg_temp.planned(action text, version bigint, fields jsonb) returns packsync_private.push_change[]
language sql as $$
  select array[row(1, 'e0000000-0000-4000-8000-000000000001', 'items', case when action = 'tombstone' then 'delete' else 'upsert' end,
    '30000000-0000-4000-8000-000000000001', 1, fields, 1, action, 'applied', version, null, null, null, null)::packsync_private.push_change]
$$;
create function pg_temp.write(action text, version bigint, fields jsonb) returns packsync_private.push_change
language sql as $$
  select (packsync_private.push_write('items', pg_temp.planned(action, version, fields), '{name,quantity,deleted_at}'))[1]
$$;

update public.items set name = 'Socks (server)' where id = :'item';  -- now version 2

select is((pg_temp.write('update', 1, '{"name": "Mine"}')).action, 'redo',
  'an update planned against version 1 of a row now at 2 comes back to be done again');
select is((select name from public.items where id = :'item'), 'Socks (server)', 'and writes nothing');
select is((pg_temp.write('tombstone', 1, null)).action, 'redo', 'so does a tombstone');
select is((select deleted_at from public.items where id = :'item'), null, 'which deletes nothing');
select is((select count(*)::int from public.change_log where row_id = :'item' and version > 2), 0, 'and logs nothing');

select is((pg_temp.write('update', 2, '{"name": "Mine"}')).version, 3::bigint,
  'planned against the version the row has, it is written');
select is((select name from public.items where id = :'item'), 'Mine', '(the name is there)');
select is((pg_temp.write('update', null, '{"quantity": 3}')).version, 4::bigint,
  'without a version (the locking pass) it is written as before');

-- A row its update policy refuses: the optimistic pass hands it back, the
-- locking pass refuses it as before.
set local request.jwt.claims = :'viewer';
select is((pg_temp.write('update', 4, '{"name": "Viewer"}')).action, 'redo',
  'a viewer''s planned update is handed back by the optimistic pass');
select is((pg_temp.write('update', null, '{"name": "Viewer"}')).error ->> 'code', 'permission_denied',
  'and rejected by the locking pass');

select * from finish();
rollback;
