-- The log triggers under INSERT ... ON CONFLICT DO UPDATE, which fires both
-- the insert and the update trigger of a table whichever path its rows take
-- (and a statement writing no row fires them too): each logs exactly the rows
-- that took its path, and an empty side logs nothing.
begin;
select plan(5);
\ir _personas.sql

create temp table log_mark as select coalesce(max(seq), 0) as seq from public.change_log;

-- one statement: a new row and an existing one
insert into public.items as t (id, trip_id, name) values
  ('30000000-0000-4000-8000-0000000030a1', :'trip', 'Tent'),
  (:'item', :'trip', 'Renamed by upsert')
on conflict (id) do update set name = excluded.name;
select results_eq($$select row_id::text, op, version > 1, changed_fields from public.change_log
    where seq > (select seq from log_mark) order by row_id$$,
  format($$values (%L, 'update', true, '{name}'::text[]),
    ('30000000-0000-4000-8000-0000000030a1', 'insert', false,
     '{category,day,deleted_at,generated,name,notes,packed,person_id,quantity,rule_id,trip_id}'::text[])$$, :'item'),
  'a mixed upsert logs its new row as an insert and its existing row as an update, once each');
update log_mark set seq = (select max(seq) from public.change_log);

-- only new rows: the update trigger's transition table is empty
insert into public.items as t (id, trip_id, name) values ('30000000-0000-4000-8000-0000000030a2', :'trip', 'Stove')
on conflict (id) do update set name = excluded.name;
select results_eq($$select row_id, op from public.change_log where seq > (select seq from log_mark)$$,
  $$values ('30000000-0000-4000-8000-0000000030a2'::uuid, 'insert')$$,
  'an upsert of a new row logs one insert and no update');
update log_mark set seq = (select max(seq) from public.change_log);

-- only existing rows: the insert trigger's transition table is empty
insert into public.items as t (id, trip_id, name) values ('30000000-0000-4000-8000-0000000030a2', :'trip', 'Stove (gas)')
on conflict (id) do update set name = excluded.name;
select results_eq($$select row_id, op, new_values from public.change_log where seq > (select seq from log_mark)$$,
  $$values ('30000000-0000-4000-8000-0000000030a2'::uuid, 'update', '{"name": "Stove (gas)"}'::jsonb)$$,
  'an upsert of an existing row logs one update and no insert');
update log_mark set seq = (select max(seq) from public.change_log);

-- statements that write nothing log nothing
update public.items set name = 'never' where false;
delete from public.items where false;
insert into public.items (id, trip_id, name) select gen_random_uuid(), :'trip', 'never' where false;
select is((select count(*)::int from public.change_log where seq > (select seq from log_mark)), 0,
  'statements that touch no row log nothing');

-- a hard delete still logs its old row
delete from public.items where id = '30000000-0000-4000-8000-0000000030a1';
select results_eq($$select row_id, op, old_values ->> 'name' from public.change_log where seq > (select seq from log_mark)$$,
  $$values ('30000000-0000-4000-8000-0000000030a1'::uuid, 'delete', 'Tent')$$,
  'a hard delete logs the old row');

select * from finish();
rollback;
