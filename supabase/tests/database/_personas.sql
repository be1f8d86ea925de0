-- Shared fixture for the pgTAP files (included with \ir, not a test itself).
-- One trip with an owner, an editor and a viewer; a stranger with a trip of
-- their own; anon. Run inside the test's transaction, so it is rolled back.
\set owner '{"sub":"00000000-0000-4000-8000-000000000001","role":"authenticated"}'
\set editor '{"sub":"00000000-0000-4000-8000-000000000002","role":"authenticated"}'
\set viewer '{"sub":"00000000-0000-4000-8000-000000000003","role":"authenticated"}'
\set stranger '{"sub":"00000000-0000-4000-8000-000000000004","role":"authenticated"}'
\set owner_id '00000000-0000-4000-8000-000000000001'
\set editor_id '00000000-0000-4000-8000-000000000002'
\set viewer_id '00000000-0000-4000-8000-000000000003'
\set stranger_id '00000000-0000-4000-8000-000000000004'
\set trip '10000000-0000-4000-8000-000000000001'
\set stranger_trip '10000000-0000-4000-8000-000000000002'
\set person '20000000-0000-4000-8000-000000000001'
\set item '30000000-0000-4000-8000-000000000001'
\set override '40000000-0000-4000-8000-000000000001'

insert into auth.users (id, email) values
  (:'owner_id', 'owner@packsync.test'),
  (:'editor_id', 'editor@packsync.test'),
  (:'viewer_id', 'viewer@packsync.test'),
  (:'stranger_id', 'stranger@packsync.test');

set local role authenticated;
set local request.jwt.claims = :'owner';
insert into public.trips (id, name, destination) values (:'trip', 'Lisbon', 'Portugal');
-- Added outside a user session, as maintenance would, so the memberships are
-- active at once (a signed-in owner's would be invitations: 11_membership_consent).
reset role;
set local request.jwt.claims = '';
insert into public.trip_members (trip_id, user_id, role) values
  (:'trip', :'editor_id', 'editor'),
  (:'trip', :'viewer_id', 'viewer');
set local role authenticated;
set local request.jwt.claims = :'owner';
insert into public.people (id, trip_id, name, kind) values (:'person', :'trip', 'Ana', 'adult');
insert into public.items (id, trip_id, person_id, name) values (:'item', :'trip', :'person', 'Socks');
insert into public.rule_overrides (id, trip_id, rule_id, quantity) values (:'override', :'trip', 'socks.per-day', 2);

set local request.jwt.claims = :'stranger';
insert into public.trips (id, name) values (:'stranger_trip', 'Elsewhere');
reset role;
set local request.jwt.claims = '';
