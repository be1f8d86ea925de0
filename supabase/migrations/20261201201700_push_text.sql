-- Push speed (issue 12.2), part 8: the response as text. push_changes built
-- its response as JSON text, parsed it into jsonb (its contract), and the
-- sync function serialized that jsonb back to text and counted the statuses
-- with jsonb_array_elements: 3.5-5 ms of a 500-change push spent converting.
-- As pull_changes_text does for pull (20261201200000_pull_text.sql), the
-- function now calls push_changes_text, which returns the text as built and
-- the status counts from the batch; push_changes keeps its jsonb contract
-- and is that text, parsed once. Same results, byte for byte up to jsonb's
-- normalisation (28_push_results.test.sql compares them).

-- Helper functions ---------------------------------------------------------------
-- As in 20261125090440_push_changes.sql, returning the text it recorded and
-- the count of results per status (for the request log) instead of jsonb.
-- Dropped and created again: the return type changes.
drop function packsync_private.push_finish(uuid, packsync_private.push_change[]);
create function packsync_private.push_finish(client_id uuid, batch packsync_private.push_change[],
  out body text, out statuses jsonb)
language plpgsql
set search_path = ''
as $$
declare
  texts text[] := array(
    select coalesce(b.result::text, format(
      '{"change_id": %s, "status": %s, "version": %s, "row": %s, "conflict": %s, "error": %s}',
      coalesce(to_json(b.change_id)::text, 'null'), to_json(b.status), coalesce(b.version::text, 'null'),
      coalesce(b.row_data::text, 'null'), coalesce(b.conflict::text, 'null'), coalesce(b.error::text, 'null')))
    from unnest(batch) b order by b.ord);
  -- the status each result reports ('stored' results replay their own)
  reported text[] := array(select coalesce(b.result ->> 'status', b.status) from unnest(batch) b order by b.ord);
  retryable constant text[] := array(select c.code from packsync_private.push_error_codes c where c.retryable);
begin
  -- A duplicate repeats the result of its first occurrence.
  if exists (select 1 from unnest(batch) b where b.status = 'duplicate') then
    select array_agg(texts[f.first] order by b.ord), array_agg(reported[f.first] order by b.ord)
      into texts, reported
    from unnest(batch) b
    cross join lateral (select case when b.status = 'duplicate'
      then (select min(d.ord) from unnest(batch) d where d.change_id = b.change_id) else b.ord end as first) f;
  end if;
  perform packsync_private.record_results(client_id, array_agg(b.change_id), array_agg(b.status), array_agg(t.result))
  from unnest(batch) b join unnest(texts) with ordinality t(result, ord) on t.ord = b.ord
  where b.change_id is not null and b.status in ('applied', 'merged', 'conflict', 'rejected')
    and (b.error is null or b.error ->> 'code' <> all (retryable));
  body := '{"results": [' || array_to_string(texts, ', ') || ']}';
  statuses := coalesce((select jsonb_object_agg(s.status, s.n)
    from (select r as status, count(*) as n from unnest(reported) r group by r) s), '{}');
end
$$;

-- RPCs ---------------------------------------------------------------------------
-- What the sync function calls: the response as text (sent as it is) and the
-- results per status. The body of push_changes before this migration; see
-- there and README.md for what it does. Whole-call errors raise.
create function public.push_changes_text(client_id uuid, changes jsonb)
returns table (body text, statuses jsonb)
language plpgsql
set search_path = ''
as $$
declare
  entities constant text[] := packsync_private.entity_names();
  finished record;
begin
  if auth.uid() is null then
    raise exception 'not_authenticated: push_changes needs a signed-in user' using errcode = '28000';
  end if;
  if push_changes_text.client_id is null then
    raise exception 'invalid_argument: client_id is required' using errcode = '22023';
  end if;
  if changes is null or jsonb_typeof(changes) <> 'array' then
    raise exception 'invalid_argument: changes must be a JSON array' using errcode = '22023';
  end if;
  if jsonb_array_length(changes) > 1000 then
    raise exception 'too_many_changes: % changes in one call; the limit is 1000', jsonb_array_length(changes)
      using errcode = '54000';
  end if;
  perform packsync_private.claim_client(push_changes_text.client_id);
  perform set_config('packsync.client_id', push_changes_text.client_id::text, true);
  perform set_config('packsync.write_retries', '0', true);
  finished := packsync_private.push_finish(push_changes_text.client_id,
    packsync_private.push_run(packsync_private.push_parse(push_changes_text.client_id, changes, entities), entities));
  return query select finished.body, finished.statuses;
end
$$;

-- The contract's shape, unchanged.
create or replace function public.push_changes(client_id uuid, changes jsonb)
returns jsonb
language plpgsql
set search_path = ''
as $$
begin
  return (select p.body::jsonb from public.push_changes_text(push_changes.client_id, push_changes.changes) p);
end
$$;

-- Grants (as 20261201190000_grants.sql decides them: nothing by default) ----------
revoke all on function packsync_private.push_finish(uuid, packsync_private.push_change[]) from public, anon, authenticated, service_role;
revoke all on function public.push_changes_text(uuid, jsonb) from public, anon, authenticated, service_role;
grant execute on function packsync_private.push_finish(uuid, packsync_private.push_change[]) to authenticated;
grant execute on function public.push_changes_text(uuid, jsonb) to authenticated;
