-- Push speed (issue 12, measure 1), session 4, part 1: optimistic row
-- versions instead of locking before classification. push_read_rows
-- (20261201201300_push_classify_lean.sql) locked every existing row of a
-- stage FOR UPDATE before classifying it (a heap write and a WAL record per
-- row), then read the rows it could not lock in a second query; a batch of
-- new rows probed the id index twice for nothing.
--
-- Now a stage reads its rows once, without locks, classifies and resolves
-- them as before, and every UPDATE (edit, merge, tombstone) writes a row only
-- `where version = <the version it was classified against>`. Why that is
-- still correct (read committed): the UPDATE takes the row lock itself and,
-- if another transaction changed the row after the read and committed, it
-- re-evaluates its WHERE clause on the newest row version (EvalPlanQual), so
-- the version test fails and the row is skipped instead of overwritten. A
-- row the UPDATE skips (changed meanwhile, or refused by an update policy)
-- comes back as action 'redo', and the stage runs those changes again the
-- old way: locked FOR UPDATE in id order, classified against the row as it
-- now is (stale, so merged or a conflict), written without a version test;
-- there a shortfall raises as before (permission_denied after bisection).
-- So every write is decided against exactly the row it replaces, as with the
-- lock. Outcomes that write nothing (values already there, conflicts,
-- tombstones) are answered from the committed row the read saw, as if the
-- push had run just before the concurrent writer. The locking pass ordered
-- locks by id, so two pushes did not deadlock on each other's rows; the
-- UPDATE now locks in its scan's order, and a deadlock between two pushes is
-- a transient failure (40P01: the whole push aborts unrecorded, answered
-- 503 retryable, as push-transient.test.ts shows for other lock cycles).
-- supabase/tests/integration/push-optimistic.test.ts drives the race.

-- Helper functions ---------------------------------------------------------------
-- As in 20261201201100_push_slim_results.sql, plus the version test: an
-- update or tombstone whose change carries a version (the optimistic pass)
-- writes the row only at that version, and a row it skips is no error (the
-- caller redoes it); without versions (the locking pass) a shortfall raises.
create or replace function packsync_private.push_write_set(entity text, batch packsync_private.push_change[], update_cols text[],
  out ids uuid[], out versions bigint[], out rows json[])
language plpgsql
set search_path = ''
as $$
#variable_conflict use_variable
declare
  slim constant text := (select 'json_build_object(' || string_agg(format('%L, t.%I', c, c), ', ') || ')'
    from packsync_private.entities x, unnest(x.result_columns) c where x.name = entity);
  -- A new trip is not readable until its owner row exists (statement end), so
  -- a RETURNING that reads the row would trip the read policy; those rows are
  -- read back later.
  insert_returning constant text := case when entity <> 'trips' then format('returning t.id, t.version, %s as j', slim)
    else 'returning null::uuid as id, null::bigint as version, null::json as j' end;
  keys text[];
  same_keys boolean;
  expected integer;
  done integer;
  change_ids uuid[];
  fields jsonb[];
  field_map jsonb;
  merged jsonb;
  -- id -> the version a change was classified against (optimistic pass only)
  read_versions jsonb;
  chunk_ids uuid[];
  chunk_versions bigint[];
  chunk json[];
  -- columns a change may provide, in column order
  cols constant text[] := array(select a.attname::text from pg_catalog.pg_attribute a
    where a.attrelid = ('public.' || entity)::regclass and a.attnum > 0 and not a.attisdropped
      and a.attname <> 'id' order by a.attnum);
begin
  ids := '{}';
  versions := '{}';
  rows := '{}';
  -- The log triggers attribute each row to its change.
  perform set_config('packsync.change_map',
    (select json_object_agg(b.id, b.change_id) from unnest(batch) b)::text, true);

  -- Inserts: one statement per distinct set of provided columns (in column
  -- order), so omitted columns take their defaults; in batch order.
  -- (Usually every insert of a batch provides the same columns: checking that
  -- is cheaper than working out each change's column list.)
  select array(select c from unnest(cols) c where b.fields ? c) into keys
  from unnest(batch) b where b.action = 'insert' order by b.ord limit 1;
  same_keys := not exists (select 1 from unnest(batch) b
    where b.action = 'insert' and not (b.fields ?& keys and (b.fields - 'id') - keys = '{}'));
  for keys, change_ids, fields, expected in
    select k.keys, array_agg(b.id), array_agg(b.fields), count(*)
    from unnest(batch) b
    cross join lateral (select case when same_keys then keys
      else array(select c from unnest(cols) c where b.fields ? c) end as keys) k
    where b.action = 'insert'
    group by k.keys
    order by min(b.ord)
  loop
    execute format('with w as (insert into public.%I as t (%s)
          select %s from unnest($1::uuid[], $2::jsonb[]) u(id, f) %s)
        select array_agg(w.id), array_agg(w.version), array_agg(w.j), count(*) from w',
      entity,
      (select string_agg(quote_ident(x), ', ') from unnest('{id}' || keys) x),
      array_to_string('{u.id}' || packsync_private.field_exprs(entity, keys), ', '),
      insert_returning)
      into chunk_ids, chunk_versions, chunk, done using change_ids, fields;
    if done <> expected then
      raise exception 'permission_denied: % of % rows inserted', done, expected using errcode = '42501';
    end if;
    ids := ids || chunk_ids;
    versions := versions || chunk_versions;
    rows := rows || chunk;
  end loop;

  -- Updates: the server row with the client's fields laid over it. The rows
  -- are reached by id through an index and each finds its fields in a map (a
  -- join to the change list gets planned as a nested loop or a scan of the
  -- whole trip, the row estimates under RLS being what they are; offset 0
  -- keeps it one lookup per row). Merged changes return the whole row.
  select array_agg(b.id), jsonb_object_agg(b.id, b.fields - 'id'), count(*),
      coalesce(jsonb_object_agg(b.id, true) filter (where b.status = 'merged'), '{}'),
      jsonb_object_agg(b.id, b.version) filter (where b.version is not null)
    into change_ids, field_map, expected, merged, read_versions
  from unnest(batch) b where b.action = 'update';
  if expected > 0 then
    execute format('with w as (update public.%I t set (%s) = (select %s from (select $2 -> t.id::text as f offset 0) u)
        where t.id = any ((select $1)::uuid[]) %s returning t.id, t.version, %s as j)
        select array_agg(w.id), array_agg(w.version), array_agg(w.j), count(*) from w',
      entity,
      (select string_agg(quote_ident(c), ', ') from unnest(update_cols) c),
      (select string_agg(format('case when u.f ? %1$L then %2$s else t.%1$I end', c, e), ', ')
       from unnest(update_cols, packsync_private.field_exprs(entity, update_cols)) x(c, e)),
      case when read_versions is not null then 'and t.version = ($4 ->> t.id::text)::bigint' else '' end,
      case when merged = '{}' then slim else format('case when $3 ? t.id::text then to_json(t) else %s end', slim) end)
      into chunk_ids, chunk_versions, chunk, done using change_ids, field_map, merged, read_versions;
    if done <> expected and read_versions is null then
      raise exception 'permission_denied: % of % rows updated', done, expected using errcode = '42501';
    end if;
    ids := ids || coalesce(chunk_ids, '{}');
    versions := versions || coalesce(chunk_versions, '{}');
    rows := rows || coalesce(chunk, '{}');
  end if;

  -- Deletes are tombstones.
  select array_agg(b.id), count(*), jsonb_object_agg(b.id, b.version) filter (where b.version is not null)
    into change_ids, expected, read_versions
  from unnest(batch) b where b.action = 'tombstone';
  if expected > 0 then
    execute format('with w as (update public.%I t set deleted_at = now() where t.id = any ((select $1)::uuid[]) %s
          returning t.id, t.version, %s as j)
        select array_agg(w.id), array_agg(w.version), array_agg(w.j), count(*) from w', entity,
      case when read_versions is not null then 'and t.version = ($2 ->> t.id::text)::bigint' else '' end, slim)
      into chunk_ids, chunk_versions, chunk, done using change_ids, read_versions;
    if done <> expected and read_versions is null then
      raise exception 'permission_denied: % of % rows deleted', done, expected using errcode = '42501';
    end if;
    ids := ids || coalesce(chunk_ids, '{}');
    versions := versions || coalesce(chunk_versions, '{}');
    rows := rows || coalesce(chunk, '{}');
  end if;
end
$$;

-- As in 20261125090430_push_write.sql, except that an update or tombstone
-- of the optimistic pass that wrote no row comes back as action 'redo'
-- (still pending) instead of being taken as written.
create or replace function packsync_private.push_write(entity text, batch packsync_private.push_change[], update_cols text[])
returns packsync_private.push_change[]
language plpgsql
set search_path = ''
as $$
#variable_conflict use_variable
declare
  n integer := cardinality(batch);
  half integer;
  written record;
  state text;
  message text;
  retries integer;
begin
  if n = 0 then
    return batch;
  end if;
  begin
    written := packsync_private.push_write_set(entity, batch, update_cols);
    -- (the row constructor written out: a decide() call per row costs more)
    return array(
      select case when w.id is null and b.version is not null and b.action in ('update', 'tombstone')
          then row(b.ord, b.change_id, b.entity, b.op, b.id, b.base_version, b.fields, b.round,
            'redo', null, null, null, null, null, b.result)::packsync_private.push_change
        else row(b.ord, b.change_id, b.entity, b.op, b.id, b.base_version, b.fields, b.round,
          null, b.status, w.version, w.j, b.conflict, b.error, b.result)::packsync_private.push_change end
      from unnest(batch) b left join unnest(written.ids, written.versions, written.rows) w(id, version, j) on w.id = b.id
      order by b.ord);
  exception when others then
    get stacked diagnostics state = returned_sqlstate, message = message_text;
    -- A lock or statement timeout, a deadlock, a serialization failure, lack
    -- of resources: the same write can succeed later, so the whole push
    -- aborts (nothing recorded; the function answers a retryable 503) rather
    -- than storing a rejection the change_id could never get past.
    if packsync_private.is_transient(state) then
      raise;
    end if;
  end;
  if n = 1 then
    return array[packsync_private.decide(batch[1], 'rejected', error => packsync_private.write_error(state, message))];
  end if;
  -- Each retry is a sub-transaction and a set write: a push full of failing
  -- changes would cost ~2n of them. Past the push's budget the rest is left
  -- for the client to send again (the counter lives in a transaction-local
  -- setting, outside the rolled-back sub-transaction).
  retries := coalesce(nullif(current_setting('packsync.write_retries', true), '')::integer, 0) + 2;
  if retries > (packsync_private.push_limits()).max_retries then
    return array(select packsync_private.decide(b, 'rejected', error => packsync_private.push_error('retry_later',
        'this push made too many attempts to single out failing changes; send this change again'))
      from unnest(batch) b order by b.ord);
  end if;
  perform set_config('packsync.write_retries', retries::text, true);
  half := n / 2;
  return packsync_private.push_write(entity, batch[1:half], update_cols)
      || packsync_private.push_write(entity, batch[half + 1:n], update_cols);
end
$$;

-- As in 20261125090430_push_write.sql; changes to redo pass through as they
-- are (the new-trip read-back leaves them alone).
create or replace function packsync_private.push_apply(entity text, batch packsync_private.push_change[], update_cols text[])
returns packsync_private.push_change[]
language plpgsql
set search_path = ''
as $$
declare
  writes packsync_private.push_change[] :=
    array(select b from unnest(batch) b where b.action in ('insert', 'update', 'tombstone') order by b.ord);
  ids uuid[];
  written jsonb;
begin
  if cardinality(writes) = 0 then
    return batch;
  end if;
  writes := packsync_private.push_write(entity, writes, update_cols);
  -- New trips could not use RETURNING (see push_write_set): read them now.
  ids := array(select w.id from unnest(writes) w where w.status <> 'rejected' and w.row_data is null);
  if cardinality(ids) > 0 then
    execute format('select jsonb_object_agg(t.id, to_jsonb(t)) from public.%I t where t.id = any ($1)', entity)
      into written using ids;
    writes := array(
      select case when w.status is null or w.status = 'rejected' or w.row_data is not null then w
        else packsync_private.decide(w, w.status, null, (written -> w.id::text ->> 'version')::bigint, (written -> w.id::text)::json)
        end
      from unnest(writes) w);
  end if;
  return array(select b from unnest(batch) b where b.action is null or b.action not in ('insert', 'update', 'tombstone'))
    || writes;
end
$$;

-- Classifies and writes the pending changes of one entity (each row at most
-- once per call: push_run splits repeated rows into rounds). The optimistic
-- pass first (see the top of this file), then, for what it could not write,
-- the locking pass of 20261125090440_push_changes.sql.
create or replace function packsync_private.push_stage(entity text, batch packsync_private.push_change[])
returns packsync_private.push_change[]
language plpgsql
set search_path = ''
as $$
#variable_conflict use_variable
declare
  e constant packsync_private.entities := (select x from packsync_private.entities x where x.name = entity);
  cols constant text[] := array(select a.attname::text from pg_catalog.pg_attribute a
    where a.attrelid = ('public.' || entity)::regclass and a.attnum > 0 and not a.attisdropped);
  -- Fixed columns never change, so updates leave them out.
  update_cols constant text[] := array(select c from unnest(cols) c
    where c <> all (e.server_columns) and c <> all (e.fixed_columns));
  ids uuid[];
  seen_ids uuid[];
  seen_rows jsonb[];
  rows record;
  redo packsync_private.push_change[];
begin
  batch := packsync_private.push_check_fields(e, cols, batch);
  -- The rows as committed, unlocked: one index probe per id (a batch of new
  -- rows finds nothing and stops here). Every row read counts as writable
  -- for classification (the update's own policy check has the last word),
  -- and as read, for the trips it may name (push_gone_trips).
  ids := array(select b.id from unnest(batch) b where b.status is null);
  if cardinality(ids) > 0 then
    execute format('select array_agg(t.id), array_agg(to_jsonb(t)) from public.%I t where t.id = any ((select $1)::uuid[])', entity)
      into seen_ids, seen_rows using ids;
  end if;
  batch := packsync_private.push_classify(e, batch, seen_ids, seen_rows, seen_ids, seen_rows);
  batch := packsync_private.push_resolve_stale(entity, batch);
  if seen_ids is not null then
    -- Each update and tombstone carries the version it was decided against.
    batch := array(
      select case when b.action in ('update', 'tombstone') then row(b.ord, b.change_id, b.entity, b.op, b.id,
          b.base_version, b.fields, b.round, b.action, b.status, (s.r ->> 'version')::bigint, b.row_data, b.conflict,
          b.error, b.result)::packsync_private.push_change else b end
      from unnest(batch) b left join unnest(seen_ids, seen_rows) s(id, r) on s.id = b.id and b.action in ('update', 'tombstone'));
  end if;
  batch := packsync_private.push_apply(entity, batch, update_cols);
  if not exists (select 1 from unnest(batch) b where b.action = 'redo') then
    return batch;
  end if;
  -- Rows changed since the read (or refused by their update policy): again,
  -- locked this time, so that they are classified against the row they
  -- replace.
  redo := array(select packsync_private.decide(b, null) from unnest(batch) b where b.action = 'redo' order by b.ord);
  rows := packsync_private.push_read_rows(entity, redo);
  redo := packsync_private.push_classify(e, redo, rows.locked_ids, rows.locked_rows, rows.read_ids, rows.read_rows);
  redo := packsync_private.push_resolve_stale(entity, redo);
  return array(select b from unnest(batch) b where b.action is distinct from 'redo')
    || packsync_private.push_apply(entity, redo, update_cols);
end
$$;
