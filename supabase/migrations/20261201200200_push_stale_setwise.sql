-- Push speed (issue 12.1), part 3: stale changes resolved set-wise. The
-- version of 20261125090420_push_classify.sql ran, per stale change, two log
-- subqueries (a count and the changed fields) and then decide(),
-- same_values() and a row parse through function calls that are never
-- inlined (each has its own search_path): the largest statement of a push of
-- 500 stale edits. Here one statement reads the log once for every stale row
-- of the batch (one index range scan of change_log (row_id, version) per row,
-- only for rows at most max_history versions behind), each server row is
-- parsed once, and the outcomes are built with the row constructor. The rules are
-- unchanged: fields changed on the server since base_version disjoint from
-- the client's -> merged; the same fields with other values -> conflict;
-- nothing to change -> applied without a write; a gap in the log or a
-- history longer than max_history counts as "everything changed".

-- Helper functions ---------------------------------------------------------------
create or replace function packsync_private.push_resolve_stale(entity text, batch packsync_private.push_change[])
returns packsync_private.push_change[]
language plpgsql
stable
set search_path = ''
as $$
#variable_conflict use_variable
declare
  max_history constant integer := (packsync_private.push_limits()).max_history;
begin
  if not exists (select 1 from unnest(batch) b where b.action = 'stale') then
    return batch;
  end if;
  return array(
    select case when x.o is null then b else row(b.ord, b.change_id, b.entity, b.op, b.id, b.base_version, b.fields,
        b.round, (x.o).action, (x.o).status, (x.o).version, (x.o).row_data, (x.o).conflict, (x.o).error,
        b.result)::packsync_private.push_change end
    from unnest(batch) b
    left join lateral (
      select case
        when b.op = 'delete' then row('conflict', null, b.version, b.row_data,
          packsync_private.conflict_of(b, changed.fields, null), null)::packsync_private.push_outcome
        when cardinality(clash.fields) > 0 then row('conflict', null, b.version, b.row_data,
          packsync_private.conflict_of(b, clash.fields, b.fields), null)::packsync_private.push_outcome
        -- nothing to change: every field already has the value sent
        when not exists (select 1 from jsonb_each(b.fields - 'id') e where e.value is distinct from srv.r -> e.key)
          then row('applied', null, b.version, b.row_data, null, null)::packsync_private.push_outcome
        when not (client.keys && changed.fields) then row('merged', 'update', null, null, null, null)::packsync_private.push_outcome
        else row('applied', 'update', null, null, null, null)::packsync_private.push_outcome
        end as o
      -- (offset 0: the row is parsed once, not once per use)
      from (select b.row_data::jsonb as r, coalesce(b.base_version, 0) as base offset 0) srv
      -- The versions the log holds since the base (all of them, unless
      -- compacted) and the fields they changed: one index range scan of
      -- change_log (row_id, version), for rows at most max_history behind.
      cross join lateral (
        select count(distinct cl.version) as versions,
          coalesce(array_agg(distinct f.f) filter (where f.f is not null), '{}') as fields
        from public.change_log cl
        left join lateral unnest(cl.changed_fields) f(f) on true
        where b.version - srv.base <= max_history
          and cl.row_id = b.id and cl.entity = entity and cl.version > srv.base
      ) h
      cross join lateral (select case when b.version - srv.base <= max_history and h.versions >= b.version - srv.base
        then h.fields else array(select jsonb_object_keys(srv.r)) end as fields) changed
      cross join lateral (
        select array(select k from jsonb_object_keys(b.fields) k where k not in ('id', 'trip_id')) as keys
      ) client
      cross join lateral (
        select array(select k from unnest(client.keys) k
                     where k = any (changed.fields) and b.fields -> k is distinct from srv.r -> k) as fields
      ) clash
      where b.action = 'stale'
    ) x on true
    order by b.ord);
end
$$;
