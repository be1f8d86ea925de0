-- push_changes, part 4 of 5: the set-wise write of classified changes, with
-- bisection so that only the changes that fail end up rejected.

-- The SQL that reads column col of a change's fields (jsonb alias u.f) as the
-- column's type, exactly as jsonb_populate_record would (JSON null is NULL;
-- scalars go through the type's input function; json/jsonb keep the value).
-- Per column instead of jsonb_populate_record per row: a third of the cost.
create or replace function packsync_private.field_exprs(entity text, cols text[])
returns text[]
language sql
stable
set search_path = ''
as $$
  select array(
    select case
      when a.atttypid in ('jsonb'::regtype, 'json'::regtype)
        then format('nullif(u.f -> %L, ''null'')::%s', c, format_type(a.atttypid, a.atttypmod))
      when t.typtype = 'b' and t.typcategory <> 'A' and a.atttypmod < 0
        then format('(u.f ->> %L)::%s', c, format_type(a.atttypid, a.atttypmod))
      else format('(jsonb_populate_record(null::public.%I, u.f)).%I', entity, c)
      end
    from unnest(cols) with ordinality x(c, n)
    join pg_catalog.pg_attribute a on a.attrelid = ('public.' || entity)::regclass and a.attname = x.c
    join pg_catalog.pg_type t on t.oid = a.atttypid
    order by x.n)
$$;

-- Writes a group of classified changes of one entity as set statements and
-- returns the written rows (id, version, the row as JSON text). Raises if any
-- row fails; push_write narrows the failure down.
create or replace function packsync_private.push_write_set(entity text, batch packsync_private.push_change[], update_cols text[],
  out ids uuid[], out versions bigint[], out rows json[])
language plpgsql
set search_path = ''
as $$
#variable_conflict use_variable
declare
  returning_clause constant text := 'returning t.id, t.version, to_json(t) as j';
  -- A new trip is not readable until its owner row exists (statement end), so
  -- a RETURNING that reads the row would trip the read policy; those rows are
  -- read back later.
  insert_returning constant text := case when entity <> 'trips' then returning_clause
    else 'returning null::uuid as id, null::bigint as version, null::json as j' end;
  keys text[];
  same_keys boolean;
  expected integer;
  done integer;
  change_ids uuid[];
  fields jsonb[];
  field_map jsonb;
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
  -- keeps it one lookup per row).
  select array_agg(b.id), jsonb_object_agg(b.id, b.fields - 'id'), count(*) into change_ids, field_map, expected
  from unnest(batch) b where b.action = 'update';
  if expected > 0 then
    execute format('with w as (update public.%I t set (%s) = (select %s from (select $2 -> t.id::text as f offset 0) u)
        where t.id = any ((select $1)::uuid[]) %s)
        select array_agg(w.id), array_agg(w.version), array_agg(w.j), count(*) from w',
      entity,
      (select string_agg(quote_ident(c), ', ') from unnest(update_cols) c),
      (select string_agg(format('case when u.f ? %1$L then %2$s else t.%1$I end', c, e), ', ')
       from unnest(update_cols, packsync_private.field_exprs(entity, update_cols)) x(c, e)),
      returning_clause)
      into chunk_ids, chunk_versions, chunk, done using change_ids, field_map;
    if done <> expected then
      raise exception 'permission_denied: % of % rows updated', done, expected using errcode = '42501';
    end if;
    ids := ids || chunk_ids;
    versions := versions || chunk_versions;
    rows := rows || chunk;
  end if;

  -- Deletes are tombstones.
  select array_agg(b.id), count(*) into change_ids, expected from unnest(batch) b where b.action = 'tombstone';
  if expected > 0 then
    execute format('with w as (update public.%I t set deleted_at = now() where t.id = any ((select $1)::uuid[]) %s)
        select array_agg(w.id), array_agg(w.version), array_agg(w.j), count(*) from w', entity, returning_clause)
      into chunk_ids, chunk_versions, chunk, done using change_ids;
    if done <> expected then
      raise exception 'permission_denied: % of % rows deleted', done, expected using errcode = '42501';
    end if;
    ids := ids || chunk_ids;
    versions := versions || chunk_versions;
    rows := rows || chunk;
  end if;
end
$$;

-- Writes the group in one sub-transaction; if that fails, splits it in halves
-- and tries each, so only the changes that fail end up alone (and rejected).
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
      select row(b.ord, b.change_id, b.entity, b.op, b.id, b.base_version, b.fields, b.round,
          null, b.status, w.version, w.j, b.conflict, b.error, b.result)::packsync_private.push_change
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

-- Step 5 of a stage: writes what was decided, set-wise; failures come back
-- rejected. Returns the changes of the batch with each written change's row,
-- in no particular order (push_run orders the whole batch once).
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
      select case when w.status = 'rejected' or w.row_data is not null then w
        else packsync_private.decide(w, w.status, null, (written -> w.id::text ->> 'version')::bigint, (written -> w.id::text)::json)
        end
      from unnest(writes) w);
  end if;
  return array(select b from unnest(batch) b where b.action is null or b.action not in ('insert', 'update', 'tombstone'))
    || writes;
end
$$;

-- Grants -------------------------------------------------------------------------
grant execute on function
  packsync_private.field_exprs(text, text[]),
  packsync_private.push_write_set(text, packsync_private.push_change[], text[]),
  packsync_private.push_write(text, packsync_private.push_change[], text[]),
  packsync_private.push_apply(text, packsync_private.push_change[], text[])
  to authenticated;
