-- Helpers for the pull tests (included with \ir, not a test itself).
-- A pgTAP file is one transaction, and pull_changes serves only settled
-- transactions; so the tests "commit" by relabelling the log rows written so
-- far with an older transaction id, in the order they want commits to land.
-- (Real concurrent commits are exercised by supabase/tests/integration.)
create function pg_temp.settle(fake_xid integer) returns void language sql as $$
  update public.change_log set xid = fake_xid::text::xid8 where xid = pg_current_xact_id()
$$;
-- "entity:op" of each change of a pull, in order.
create function pg_temp.ops(pulled jsonb) returns jsonb language sql as $$
  select coalesce(jsonb_agg((c ->> 'entity') || ':' || (c ->> 'op') order by n), '[]')
  from jsonb_array_elements(pulled -> 'changes') with ordinality e(c, n)
$$;
-- Every change of a pull followed page by page until has_more is false.
create function pg_temp.pull_all(start text, page_size integer) returns jsonb language plpgsql as $$
declare
  pulled jsonb;
  cur text := start;
  acc jsonb := '[]';
begin
  for i in 1 .. 100 loop
    pulled := public.pull_changes(cur, page_size);
    acc := acc || (pulled -> 'changes');
    cur := pulled ->> 'cursor';
    exit when not (pulled ->> 'has_more')::boolean;
  end loop;
  return jsonb_build_object('changes', acc, 'cursor', cur);
end
$$;
-- A cursor just after every log row of a (fake) transaction.
\set after_100 'v1:100:9223372036854775807'
\set after_101 'v1:101:9223372036854775807'
\set after_102 'v1:102:9223372036854775807'
\set after_103 'v1:103:9223372036854775807'
\set after_104 'v1:104:9223372036854775807'
