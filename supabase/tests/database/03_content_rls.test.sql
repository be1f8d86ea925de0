-- RLS on people, items and rule_overrides: every command for every persona.
begin;
select plan(49);
\ir _personas.sql

create temporary table content (entity text, row_id uuid, new_values text) on commit drop;
insert into content values
  ('people', :'person', $$(trip_id, name, kind) values ('10000000-0000-4000-8000-000000000001', 'Kid %s', 'child')$$),
  ('items', :'item', $$(trip_id, name) values ('10000000-0000-4000-8000-000000000001', 'Hat %s')$$),
  ('rule_overrides', :'override', $$(trip_id, rule_id) values ('10000000-0000-4000-8000-000000000001', 'rule.%s')$$);
grant select on content to authenticated, anon;

set local role authenticated;

-- owner and editor: read, add, change, delete (tombstone)
set local request.jwt.claims = :'owner';
select is((select count(*)::int from content c, lateral (select 1 from public.people where id = c.row_id union all
  select 1 from public.items where id = c.row_id union all select 1 from public.rule_overrides where id = c.row_id) x), 3,
  'owner reads a person, an item and an override');
select lives_ok(format('insert into public.%I %s', c.entity, format(c.new_values, 'owner')), format('owner adds %s', c.entity)) from content c;
select isnt_empty(format('update public.%I set updated_at = now() where id = %L returning 1', c.entity, c.row_id),
  format('owner changes %s', c.entity)) from content c;

set local request.jwt.claims = :'editor';
select isnt_empty(format('select 1 from public.%I where id = %L', c.entity, c.row_id), format('editor reads %s', c.entity)) from content c;
select lives_ok(format('insert into public.%I %s', c.entity, format(c.new_values, 'editor')), format('editor adds %s', c.entity)) from content c;
select isnt_empty(format('update public.%I set deleted_at = now() where id = %L returning 1', c.entity, c.row_id),
  format('editor deletes %s (tombstone)', c.entity)) from content c;
select throws_like(format('update public.%I set deleted_at = null where id = %L', c.entity, c.row_id),
  'tombstoned:%', format('a deleted %s stays deleted', c.entity)) from content c;

-- viewer: read only
set local request.jwt.claims = :'viewer';
select isnt_empty(format('select 1 from public.%I where id = %L', c.entity, c.row_id), format('viewer reads %s', c.entity)) from content c;
select throws_ok(format('insert into public.%I %s', c.entity, format(c.new_values, 'viewer')), '42501', null,
  format('viewer cannot add %s', c.entity)) from content c;
select is_empty(format('update public.%I set updated_at = now() returning 1', c.entity),
  format('viewer cannot change %s', c.entity)) from content c;

-- stranger: nothing
set local request.jwt.claims = :'stranger';
select is_empty(format('select 1 from public.%I', c.entity), format('stranger reads no %s', c.entity)) from content c;
select throws_ok(format('insert into public.%I %s', c.entity, format(c.new_values, 'stranger')), '42501', null,
  format('stranger cannot add %s to the trip', c.entity)) from content c;
select is_empty(format('update public.%I set updated_at = now() returning 1', c.entity),
  format('stranger cannot change %s', c.entity)) from content c;

-- nobody hard-deletes through the API
set local request.jwt.claims = :'owner';
select throws_ok(format('delete from public.%I where id = %L', c.entity, c.row_id), '42501', null,
  format('owner cannot hard-delete %s', c.entity)) from content c;
select throws_ok(format('truncate public.%I', c.entity), '42501', null,
  format('owner cannot truncate %s', c.entity)) from content c;

-- anon: nothing at all
reset role;
set local request.jwt.claims = '';
set local role anon;
select throws_ok(format('select * from public.%I', c.entity), '42501', null, format('anon cannot read %s', c.entity)) from content c;
select throws_ok(format('insert into public.%I %s', c.entity, format(c.new_values, 'anon')), '42501', null,
  format('anon cannot add %s', c.entity)) from content c;

select * from finish();
rollback;
