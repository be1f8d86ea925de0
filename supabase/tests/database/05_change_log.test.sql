-- The change log as audit: every write however made, read only by members.
begin;
select plan(17);
\ir _personas.sql

-- direct SQL as postgres (no JWT): insert, update, tombstone, hard delete
insert into public.items (id, trip_id, name) values ('30000000-0000-4000-8000-0000000000aa', :'trip', 'Sunscreen');
update public.items set quantity = 2, notes = 'spf 50' where id = '30000000-0000-4000-8000-0000000000aa';
update public.items set deleted_at = now() where id = '30000000-0000-4000-8000-0000000000aa';
delete from public.items where id = '30000000-0000-4000-8000-0000000000aa';

select results_eq($$select op, version from public.change_log where row_id = '30000000-0000-4000-8000-0000000000aa' order by seq$$,
  $$values ('insert', 1::bigint), ('update', 2::bigint), ('delete', 3::bigint), ('delete', 3::bigint)$$,
  'insert, update, tombstone and hard delete by direct SQL are all logged with versions');
select is((select changed_fields from public.change_log where row_id = '30000000-0000-4000-8000-0000000000aa' and version = 2),
  array['notes', 'quantity'], 'an update logs exactly the fields it changed');
select is((select old_values from public.change_log where row_id = '30000000-0000-4000-8000-0000000000aa' and version = 2),
  '{"notes": "", "quantity": 1}'::jsonb, 'with their old values');
select is((select new_values from public.change_log where row_id = '30000000-0000-4000-8000-0000000000aa' and version = 2),
  '{"notes": "spf 50", "quantity": 2}'::jsonb, 'and their new values');
select ok((select actor is null and client_id is null and change_id is null and xid = pg_current_xact_id()
  from public.change_log where row_id = '30000000-0000-4000-8000-0000000000aa' and version = 1),
  'direct SQL has no actor, client or change id; the transaction id is recorded');
select is((select trip_id from public.change_log where row_id = '30000000-0000-4000-8000-0000000000aa' limit 1),
  :'trip'::uuid, 'log rows carry their trip');
select is((select count(*)::int from public.change_log where entity = 'trips' and row_id = :'trip' and op = 'insert'), 1,
  'the trip''s creation is logged');

-- actor from the JWT
set local role authenticated;
set local request.jwt.claims = :'editor';
update public.items set packed = true where id = :'item';
reset role;
select is((select actor from public.change_log where row_id = :'item' order by seq desc limit 1), :'editor_id'::uuid,
  'a write through the API records its actor');

-- who reads the log
set local role authenticated;
set local request.jwt.claims = :'viewer';
select isnt_empty(format($$select 1 from public.trip_history(%L)$$, :'trip'), 'viewer reads the trip''s history');
select is((select count(*)::int from public.trip_history(:'trip', null, 1000)),
  (select count(*)::int from public.change_log where trip_id = :'trip'), 'trip_history returns the whole history to a member');
select throws_ok($$insert into public.change_log (entity, row_id, trip_id, op) values ('items', gen_random_uuid(), gen_random_uuid(), 'insert')$$,
  '42501', null, 'clients cannot write the log');
select throws_ok($$update public.change_log set actor = null$$, '42501', null, 'clients cannot alter the log');
select throws_ok($$delete from public.change_log$$, '42501', null, 'clients cannot delete from the log');

set local request.jwt.claims = :'stranger';
select is_empty(format($$select 1 from public.trip_history(%L)$$, :'trip'), 'stranger reads none of the trip''s history');
select is_empty(format($$select 1 from public.change_log where trip_id = %L$$, :'trip'), 'stranger reads no log rows of the trip');

reset role;
set local request.jwt.claims = '';
set local role anon;
select throws_ok(format($$select * from public.trip_history(%L)$$, :'trip'), '42501', null, 'anon cannot call trip_history');
select throws_ok($$select * from public.change_log$$, '42501', null, 'anon cannot read the log');

select * from finish();
rollback;
