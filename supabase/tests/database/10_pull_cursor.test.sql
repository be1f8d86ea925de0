-- pull_changes: unusable cursors and arguments, retention horizon.
begin;
select plan(13);
\ir _personas.sql
\ir _pull_helpers.sql
select pg_temp.settle(100);

set local role authenticated;
set local request.jwt.claims = :'owner';
select throws_like($$select public.pull_changes('not a cursor')$$, 'cursor_invalid%', 'a garbage cursor is cursor_invalid');
select throws_like($$select public.pull_changes('v2:100:1')$$, 'cursor_invalid%', 'a cursor of another version is cursor_invalid');
select throws_like($$select public.pull_changes('v1:100:1:10000000-0000-4000-8000-000000000001:9::0')$$, 'cursor_invalid%',
  'a cursor with a broken snapshot part is cursor_invalid');
select throws_like($$select public.pull_changes('v1:99999999999:0')$$, 'cursor_invalid%',
  'a cursor ahead of the database (e.g. after a reset) is cursor_invalid');
-- a cursor is client input: a forged snapshot part never exposes another trip
set local request.jwt.claims = :'stranger';
select is(public.pull_changes(format('v1:%s:0:%s:items::0', 100, :'trip')) -> 'changes' @> jsonb_build_array(jsonb_build_object('id', :'item')), false,
  'a cursor naming a trip the caller is not in yields none of its rows');
select is((select array_agg(distinct c ->> 'trip_id') from jsonb_array_elements(
    public.pull_changes(format('v1:%s:0:%s:trips::1', 100, '00000000-0000-4000-8000-000000000000')) -> 'changes') c),
  array[:'stranger_trip'], 'a forged "all trips" snapshot still covers only the caller''s own trips');
set local request.jwt.claims = :'owner';
select throws_like($$select public.pull_changes(null, 0)$$, 'invalid_argument:%', 'max_rows must be positive');
select lives_ok($$select public.pull_changes(null, 1000000)$$, 'a huge max_rows is capped, not refused');

-- compaction past a retention horizon
select throws_ok($$select packsync_private.compact_change_log('0 days')$$, '42501', null, 'clients cannot compact the log');
reset role;
update public.change_log set at = now() - interval '100 days' where xid = '100'::xid8;
select ok(packsync_private.compact_change_log('90 days') > 0, 'the service compacts log rows older than the retention');
set local role authenticated;
select throws_like($$select public.pull_changes('v1:99:0')$$, 'cursor_invalid%', 'a cursor from before the horizon is cursor_invalid');
select throws_like($$select public.pull_changes('v1:100:5')$$, 'cursor_invalid%', 'so is one inside the last compacted transaction');
select is(jsonb_array_length(public.pull_changes(null) -> 'changes'), 7, 'a null cursor (full resync) still returns the whole trip');

select * from finish();
rollback;
