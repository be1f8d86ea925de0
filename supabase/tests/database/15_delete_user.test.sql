-- Deleting a user (issue 15.7): the deletion succeeds, and each trip they were
-- the only owner of passes to its longest-standing active editor, or is
-- deleted (a tombstone when others were members, outright when nobody was).
begin;
select plan(11);
\set gone '00000000-0000-4000-8000-0000000000a1'
\set coowner '00000000-0000-4000-8000-0000000000a2'
\set early '00000000-0000-4000-8000-0000000000a3'
\set late '00000000-0000-4000-8000-0000000000a4'
\set viewer '00000000-0000-4000-8000-0000000000a5'
\set shared '10000000-0000-4000-8000-0000000000a1'
\set watched '10000000-0000-4000-8000-0000000000a2'
\set alone '10000000-0000-4000-8000-0000000000a3'
\set co '10000000-0000-4000-8000-0000000000a4'
insert into auth.users (id, email) values
  (:'gone', 'gone@packsync.test'), (:'coowner', 'coowner@packsync.test'), (:'early', 'early@packsync.test'),
  (:'late', 'late@packsync.test'), (:'viewer', 'viewer-a5@packsync.test');

-- Maintenance inserts (no user session): memberships are active at once.
insert into public.trips (id, name) values (:'shared', 'Shared'), (:'watched', 'Watched'), (:'alone', 'Alone'), (:'co', 'Co-owned');
-- Who joined first is told by created_at, which stamp_row sets to the
-- transaction's time: set it by hand here (the later editor has the smaller
-- id, so the id alone would pick the wrong one).
alter table public.trip_members disable trigger stamp_row;
insert into public.trip_members (id, trip_id, user_id, role, status, version, created_at, updated_at) values
  ('50000000-0000-4000-8000-000000000001', :'shared', :'gone', 'owner', 'active', 1, '2026-01-01', '2026-01-01'),
  ('50000000-0000-4000-8000-000000000003', :'shared', :'early', 'editor', 'active', 1, '2026-01-02', '2026-01-02'),
  ('50000000-0000-4000-8000-000000000002', :'shared', :'late', 'editor', 'active', 1, '2026-01-03', '2026-01-03');
alter table public.trip_members enable trigger stamp_row;
insert into public.trip_members (id, trip_id, user_id, role) values
  ('50000000-0000-4000-8000-000000000004', :'shared', :'viewer', 'viewer'),
  ('50000000-0000-4000-8000-000000000005', :'watched', :'gone', 'owner'),
  ('50000000-0000-4000-8000-000000000006', :'watched', :'viewer', 'viewer'),
  ('50000000-0000-4000-8000-000000000007', :'alone', :'gone', 'owner'),
  ('50000000-0000-4000-8000-000000000008', :'co', :'gone', 'owner'),
  ('50000000-0000-4000-8000-000000000009', :'co', :'coowner', 'owner'),
  ('50000000-0000-4000-8000-00000000000a', :'co', :'early', 'editor');
insert into public.items (trip_id, name) values (:'shared', 'Tent'), (:'watched', 'Map'), (:'alone', 'Diary');
-- An invitation of the user's own does not stop the deletion either.
insert into public.trip_members (trip_id, user_id, role, status) values (:'co', :'viewer', 'viewer', 'invited');

select lives_ok(format($$delete from auth.users where id = %L$$, :'gone'), 'a user who is a trip''s only owner can be deleted');
select is_empty(format($$select 1 from public.trip_members where user_id = %L$$, :'gone'), 'their memberships are gone');

select results_eq(format($$select user_id::text, role from public.trip_members where trip_id = %L and deleted_at is null order by user_id$$, :'shared'),
  format($$values (%L, 'owner'), (%L, 'editor'), (%L, 'viewer')$$, :'early', :'late', :'viewer'),
  'a trip with active editors passes to the one who joined first');
select is((select deleted_at from public.trips where id = :'shared'), null, '... and stays');
select is((select count(*)::int from public.items where trip_id = :'shared' and deleted_at is null), 1, '... with its content');

select is((select deleted_at from public.trips where id = :'watched'), now(), 'a trip with only viewers left is deleted (tombstone)');
select is((select count(*)::int from public.items where trip_id = :'watched' and deleted_at is null), 0, '... its content too');

select is_empty(format($$select 1 from public.trips where id = %L$$, :'alone'), 'a trip nobody else belonged to is deleted outright');
select is_empty(format($$select 1 from public.items where trip_id = %L$$, :'alone'), '... with its content');

select results_eq(format($$select user_id::text, role from public.trip_members where trip_id = %L and deleted_at is null and status = 'active' order by user_id$$, :'co'),
  format($$values (%L, 'owner'), (%L, 'editor')$$, :'coowner', :'early'),
  'a trip with another owner keeps its members as they were');

select throws_like(format($$update public.trip_members set deleted_at = now() where trip_id = %L and user_id = %L$$, :'co', :'coowner'),
  'last_owner:%', 'the remaining owner is still guarded');

select * from finish();
rollback;
