-- trip_history pages by the key it orders by, (xid, seq) (issue 9.3). Log
-- rows whose seq order is not their transaction order (a transaction that
-- wrote first commits with a lower seq but a higher xid than another) are
-- each served exactly once, newest first, however small the pages.
begin;
select plan(8);
\ir _personas.sql

-- Three more log rows for the trip, as out-of-order transactions leave them:
-- seq ascending, xid in the order 3, 1, 2 (so by seq: newest, oldest, middle).
insert into public.change_log (xid, entity, row_id, trip_id, op, version, changed_fields)
select (pg_current_xact_id()::text::bigint + x)::text::xid8, 'items', :'item', :'trip', 'update', 10 + x, '{name}'
from unnest(array[3, 1, 2]) x;

set local role authenticated;
set local request.jwt.claims = :'viewer';

-- Page through with one row per page.
create temporary table paged (n integer, version bigint, cursor text);
do $$
declare
  before text := null;
  n integer := 0;
  got record;
begin
  loop
    select h.version, h.cursor into got
    from public.trip_history('10000000-0000-4000-8000-000000000001', before, 1) h;
    exit when not found or n > 100;
    n := n + 1;
    insert into paged values (n, got.version, got.cursor);
    before := got.cursor;
  end loop;
end
$$;

select is((select count(*)::int from paged), (select count(*)::int from public.change_log where trip_id = :'trip'),
  'one row per page reaches every row of the history');
select is((select count(distinct cursor)::int from paged), (select count(*)::int from paged), 'each exactly once');
select is((select array_agg(version order by n) from paged where version > 10), '{13,12,11}'::bigint[],
  'newest transaction first, whatever the seq order');
select is((select array_agg(p.cursor order by p.n) from paged p),
  (select array_agg(h.cursor) from public.trip_history(:'trip', null, 1000) h),
  'pages agree with one big page');
select is((select array_agg(h.version) from public.trip_history(:'trip', (select cursor from paged where n = 1), 2) h),
  '{12,11}'::bigint[], 'a page of two after the newest row');
select throws_ok(format($$select * from public.trip_history(%L, 'v1:1:2')$$, :'trip'), '22023', null,
  'a cursor that trip_history did not issue is refused');

set local request.jwt.claims = :'stranger';
select is_empty(format($$select 1 from public.trip_history(%L, %L)$$, :'trip', (select cursor from paged where n = 1)),
  'a stranger with a cursor still reads nothing');
reset role;
set local role anon;
select throws_ok(format($$select * from public.trip_history(%L)$$, :'trip'), '42501', null, 'anon cannot call trip_history');

select * from finish();
rollback;
