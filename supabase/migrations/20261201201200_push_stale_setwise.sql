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
          packsync_private.conflict_of(b, case when changed.logged
            then array(select distinct f from unnest(changed.fields) f order by f) else changed.fields end, null),
          null)::packsync_private.push_outcome
        -- The client's fields overlap what changed on the server: a conflict
        -- where a value differs; else nothing to do, or an update.
        when (b.fields - 'id' - 'trip_id') ?| changed.fields then (
          select case
            when cardinality(clash.fields) > 0 then row('conflict', null, b.version, b.row_data,
              packsync_private.conflict_of(b, clash.fields, b.fields), null)::packsync_private.push_outcome
            when not exists (select 1 from jsonb_each(b.fields - 'id') e where e.value is distinct from srv.r -> e.key)
              then row('applied', null, b.version, b.row_data, null, null)::packsync_private.push_outcome
            else row('applied', 'update', null, null, null, null)::packsync_private.push_outcome
            end
          from (select array(select k from jsonb_object_keys(b.fields - 'id' - 'trip_id') k
                             where k = any (changed.fields) and b.fields -> k is distinct from srv.r -> k) as fields) clash)
        -- Disjoint: merged, unless every value sent is already there (which
        -- containment rules out cheaply in the common case).
        when srv.r @> (b.fields - 'id')
          and not exists (select 1 from jsonb_each(b.fields - 'id') e where e.value is distinct from srv.r -> e.key)
          then row('applied', null, b.version, b.row_data, null, null)::packsync_private.push_outcome
        else row('merged', 'update', null, null, null, null)::packsync_private.push_outcome
        end as o
      -- (offset 0: the row is parsed once, not once per use)
      from (select b.row_data::jsonb as r, coalesce(b.base_version, 0) as base offset 0) srv
      -- The versions the log holds since the base (all of them, unless
      -- compacted) and the fields they changed (repeats included: they only
      -- feed overlap tests): one index range scan of change_log (row_id,
      -- version), for rows at most max_history behind. Field names are
      -- identifiers without commas, so they travel joined as text (an array
      -- aggregate of arrays needs equal lengths, and unnesting them costs a
      -- sort per row).
      cross join lateral (
        select count(*) as versions,
          string_to_array(string_agg(array_to_string(cl.changed_fields, ','), ','), ',') as fields
        from public.change_log cl
        where b.version - srv.base <= max_history
          and cl.row_id = b.id and cl.entity = entity and cl.version > srv.base
      ) h
      cross join lateral (select b.version - srv.base <= max_history and h.versions >= b.version - srv.base as logged) l
      cross join lateral (select case when l.logged then coalesce(h.fields, '{}')
        else array(select jsonb_object_keys(srv.r)) end as fields, l.logged) changed
      where b.action = 'stale'
    ) x on true
    order by b.ord);
end
$$;
