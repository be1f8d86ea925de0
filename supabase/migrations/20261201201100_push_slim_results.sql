-- Push speed (issue 12.1), part 2: an `applied` result that wrote carries
-- only the columns the server decided (the contract: the client already has
-- the fields it sent). Building, recording and returning the whole row of
-- every written change was a third of a 500-change push's own work: to_json
-- of each row in RETURNING, ~4x the text in each at-most-once record, and
-- the response parsed into jsonb once more. `merged` and `conflict` results
-- keep the whole server row, and so does an `applied` change that wrote
-- nothing (its values were already there).

-- Tables -----------------------------------------------------------------------
-- What an applied result carries: the server-managed columns, and any column
-- a trigger may set differently from what the client sent (a membership
-- someone else creates is forced to `invited`).
alter table packsync_private.entities add column result_columns text[];
update packsync_private.entities set result_columns = server_columns;
update packsync_private.entities set result_columns = server_columns || '{status}' where name = 'trip_members';
alter table packsync_private.entities alter column result_columns set not null;
comment on column packsync_private.entities.result_columns is
  'Columns an applied push result carries: server-managed ones and those a trigger may rewrite.';

-- Helper functions ---------------------------------------------------------------
-- As in 20261125090430_push_write.sql, except what RETURNING builds: the
-- result columns for applied changes, the whole row for merged ones (status
-- 'merged' in the batch).
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
      coalesce(jsonb_object_agg(b.id, true) filter (where b.status = 'merged'), '{}')
    into change_ids, field_map, expected, merged
  from unnest(batch) b where b.action = 'update';
  if expected > 0 then
    execute format('with w as (update public.%I t set (%s) = (select %s from (select $2 -> t.id::text as f offset 0) u)
        where t.id = any ((select $1)::uuid[]) returning t.id, t.version, %s as j)
        select array_agg(w.id), array_agg(w.version), array_agg(w.j), count(*) from w',
      entity,
      (select string_agg(quote_ident(c), ', ') from unnest(update_cols) c),
      (select string_agg(format('case when u.f ? %1$L then %2$s else t.%1$I end', c, e), ', ')
       from unnest(update_cols, packsync_private.field_exprs(entity, update_cols)) x(c, e)),
      case when merged = '{}' then slim else format('case when $3 ? t.id::text then to_json(t) else %s end', slim) end)
      into chunk_ids, chunk_versions, chunk, done using change_ids, field_map, merged;
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
    execute format('with w as (update public.%I t set deleted_at = now() where t.id = any ((select $1)::uuid[])
          returning t.id, t.version, %s as j)
        select array_agg(w.id), array_agg(w.version), array_agg(w.j), count(*) from w', entity, slim)
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
