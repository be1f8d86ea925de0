-- Membership with consent, per persona: owner, editor, viewer, invitee,
-- stranger, anon. Invitations, accept, decline, leave, the last owner, and
-- that a membership for an unknown user id is refused like any other.
begin;
select plan(44);
\ir _personas.sql
\ir _push_helpers.sql
\set invitee '{"sub":"00000000-0000-4000-8000-000000000005","role":"authenticated"}'
\set invitee_id '00000000-0000-4000-8000-000000000005'
\set nobody_id '00000000-0000-4000-8000-0000000000ff'
insert into auth.users (id, email) values (:'invitee_id', 'invitee@packsync.test');
create temp table invitation (id uuid, row jsonb);
grant all on invitation to authenticated;

set local role authenticated;

-- owner -------------------------------------------------------------------------
set local request.jwt.claims = :'owner';
insert into invitation select (r ->> 'id')::uuid, r
  from public.invite_member(:'trip', '  Invitee@Packsync.TEST ', 'viewer') r;
select is((select row ->> 'status' from invitation), 'invited', 'owner: invite_member makes an invitation');
select is((select row ->> 'email' from invitation), 'invitee@packsync.test', 'owner: the membership carries the invitee''s e-mail');
select is((select row ->> 'role' from invitation), 'viewer', 'owner: with the role asked for');
select throws_ok($$select public.invite_member('10000000-0000-4000-8000-000000000001', 'nobody@packsync.test', 'editor')$$,
  'P0001', 'invite_failed: no invitation was made', 'owner: an unknown e-mail gets the generic invite_failed');
select throws_ok($$select public.invite_member('10000000-0000-4000-8000-000000000001', 'editor@packsync.test', 'viewer')$$,
  'P0001', 'invite_failed: no invitation was made', 'owner: an existing member gets the same error');
select throws_ok($$select public.invite_member('10000000-0000-4000-8000-000000000001', 'invitee@packsync.test', 'viewer')$$,
  'P0001', 'invite_failed: no invitation was made', 'owner: an open invitation gets the same error');
select throws_ok($$select public.invite_member('10000000-0000-4000-8000-000000000001', 'owner@packsync.test', 'editor')$$,
  'P0001', 'invite_failed: no invitation was made', 'owner: inviting oneself gets the same error');
select throws_like($$select public.invite_member('10000000-0000-4000-8000-000000000001', 'stranger@packsync.test', 'owner')$$,
  'invite_failed:%', 'owner: only editor or viewer can be invited');
select lives_ok($$insert into public.trip_members (trip_id, user_id, role, status, email)
    values ('10000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000004', 'editor', 'active', 'forged@example.com')$$,
  'owner: a direct insert of a membership for someone else is accepted');
select results_eq($$select status, email from public.trip_members where user_id = '00000000-0000-4000-8000-000000000004' and trip_id = '10000000-0000-4000-8000-000000000001'$$,
  $$values ('invited', 'stranger@packsync.test')$$, '... as an invitation, with the e-mail from auth.users');
select throws_ok(format($$insert into public.trip_members (trip_id, user_id, role) values (%L, %L, 'viewer')$$, :'trip', :'nobody_id'),
  '42501', 'new row violates row-level security policy for table "trip_members"',
  'owner: a membership for a user id that does not exist is refused like any row-level refusal');
select is(pg_temp.push1(pg_temp.change(1, 'upsert', 'trip_members', 'e0000000-0000-4000-8000-000000000001', null,
    jsonb_build_object('trip_id', :'trip', 'user_id', :'nobody_id', 'role', 'viewer'))) -> 'error' ->> 'code',
  'permission_denied', 'owner: through push too, the unknown user is permission_denied');
select throws_like(format($$update public.trip_members set status = 'active' where id = %L$$, (select id from invitation)),
  'permission_denied:%', 'owner: cannot accept on the invitee''s behalf');
select throws_like($$update public.trip_members set deleted_at = now() where user_id = '00000000-0000-4000-8000-000000000001'$$,
  'last_owner:%', 'owner: the last owner cannot leave');

-- editor -------------------------------------------------------------------------
set local request.jwt.claims = :'editor';
select throws_ok($$select public.invite_member('10000000-0000-4000-8000-000000000001', 'stranger@packsync.test', 'viewer')$$,
  '42501', 'permission_denied: only an owner of the trip can invite to it', 'editor: cannot invite');
select throws_like($$update public.trip_members set status = 'invited' where user_id = '00000000-0000-4000-8000-000000000002'$$,
  'permission_denied:%', 'editor: acceptance is final (active never goes back to invited)');
select is_empty(format($$update public.trip_members set status = 'active' where id = %L returning 1$$, (select id from invitation)),
  'editor: cannot accept someone else''s invitation');

-- invitee ------------------------------------------------------------------------
set local request.jwt.claims = :'invitee';
select results_eq($$select user_id::text, status from public.trip_members$$,
  $$values ('00000000-0000-4000-8000-000000000005', 'invited')$$, 'invitee: reads their invitation and no other membership');
select is_empty($$select 1 from public.trips$$, 'invitee: reads no trip before accepting');
select is_empty($$select 1 from public.items union all select 1 from public.people union all select 1 from public.rule_overrides$$,
  'invitee: reads no content before accepting');
select is_empty($$select 1 from public.change_log where member_user_id is distinct from '00000000-0000-4000-8000-000000000005'$$,
  'invitee: reads no history but their own membership''s before accepting');
select throws_ok(format($$insert into public.items (trip_id, name) values (%L, 'Sneaky')$$, :'trip'), '42501', null,
  'invitee: cannot add items before accepting');
select throws_like(format($$update public.trip_members set role = 'owner' where id = %L$$, (select id from invitation)),
  'permission_denied:%', 'invitee: cannot change the role they were invited with');
select lives_ok(format($$update public.trip_members set status = 'active' where id = %L$$, (select id from invitation)),
  'invitee: accepts');
select results_eq($$select name from public.trips$$, array['Lisbon'], 'invitee: reads the trip once accepted');
select is((select count(*)::int from public.items), 1, 'invitee: reads the content once accepted');
select is((select count(*)::int from public.trip_members where trip_id = :'trip' and deleted_at is null), 5,
  'invitee: reads the other memberships once accepted');
select throws_like(format($$update public.trip_members set status = 'invited' where id = %L$$, (select id from invitation)),
  'permission_denied:%', 'invitee: acceptance is final');

-- stranger (invited above by a direct insert) declines ---------------------------
set local request.jwt.claims = :'stranger';
select is_empty($$select 1 from public.trips where id = '10000000-0000-4000-8000-000000000001'$$,
  'stranger: an invitation shows no trip');
select throws_ok(format($$insert into public.trip_members (trip_id, user_id, role) values (%L, %L, 'viewer')$$, :'trip', :'viewer_id'),
  '42501', 'new row violates row-level security policy for table "trip_members"', 'stranger: cannot add members');
select throws_ok(format($$insert into public.trip_members (trip_id, user_id, role) values (%L, %L, 'viewer')$$, :'trip', :'nobody_id'),
  '42501', 'new row violates row-level security policy for table "trip_members"',
  'stranger: a user id that does not exist gets the very same error');
select is(pg_temp.push1(pg_temp.change(2, 'upsert', 'trip_members', 'e0000000-0000-4000-8000-000000000002', null,
    jsonb_build_object('trip_id', :'trip', 'user_id', :'nobody_id', 'role', 'owner'))) -> 'error',
  pg_temp.push1(pg_temp.change(3, 'upsert', 'trip_members', 'e0000000-0000-4000-8000-000000000003', null,
    jsonb_build_object('trip_id', :'trip', 'user_id', :'viewer_id', 'role', 'owner'))) -> 'error',
  'stranger: through push, a missing user and an existing one get the same error');
select throws_ok($$select public.invite_member('10000000-0000-4000-8000-000000000001', 'viewer@packsync.test', 'viewer')$$,
  '42501', 'permission_denied: only an owner of the trip can invite to it', 'stranger: cannot invite');
select lives_ok($$update public.trip_members set deleted_at = now() where user_id = '00000000-0000-4000-8000-000000000004' and trip_id = '10000000-0000-4000-8000-000000000001'$$,
  'stranger: declines an invitation (tombstone)');
select is_empty($$select 1 from public.trip_members where trip_id = '10000000-0000-4000-8000-000000000001' and deleted_at is null$$,
  'stranger: after declining, nothing of the trip is visible');
set local request.jwt.claims = :'owner';
select is((public.invite_member(:'trip', 'stranger@packsync.test', 'editor')) ->> 'status', 'invited',
  'owner: a declined user can be invited again');

-- viewer and editor leave --------------------------------------------------------
set local request.jwt.claims = :'viewer';
select lives_ok($$update public.trip_members set deleted_at = now() where user_id = '00000000-0000-4000-8000-000000000003'$$,
  'viewer: leaves the trip');
select is_empty($$select 1 from public.trips$$, 'viewer: reads no trip after leaving');
set local request.jwt.claims = :'editor';
select lives_ok($$update public.trip_members set deleted_at = now() where user_id = '00000000-0000-4000-8000-000000000002'$$,
  'editor: leaves the trip');

-- two owners: either may leave, not both ------------------------------------------
set local request.jwt.claims = :'owner';
select lives_ok(format($$update public.trip_members set role = 'owner' where id = %L$$, (select id from invitation)),
  'owner: promotes the accepted invitee to owner');
set local request.jwt.claims = :'invitee';
select lives_ok($$update public.trip_members set deleted_at = now() where user_id = '00000000-0000-4000-8000-000000000005'$$,
  'second owner: leaves');
set local request.jwt.claims = :'owner';
select throws_like($$update public.trip_members set role = 'editor' where user_id = '00000000-0000-4000-8000-000000000001'$$,
  'last_owner:%', 'owner: now the last owner, cannot step down');

-- anon ---------------------------------------------------------------------------
reset role;
set local request.jwt.claims = '';
set local role anon;
select throws_ok($$select public.invite_member('10000000-0000-4000-8000-000000000001', 'viewer@packsync.test', 'viewer')$$,
  '42501', null, 'anon: cannot call invite_member');
select throws_ok($$select 1 from public.trip_members$$, '42501', null, 'anon: cannot read memberships');

select * from finish();
rollback;
