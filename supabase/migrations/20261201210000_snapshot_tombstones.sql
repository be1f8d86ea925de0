-- Snapshots carry the tombstones a device needs to keep a user's deletes.
--
-- A generated item (rule_id set) the user deleted must stay deleted when the
-- rules run again: the client plans regeneration from its live rows plus the
-- tombstones it remembers. A device that joins, or resyncs, got only live
-- rows from a snapshot, so it had no tombstone and its next regeneration
-- created the deleted item again under a new id, undoing the user's delete.
-- Snapshots now send those rows as `delete` with the row (the client keeps
-- the tombstone, shows nothing). Only what regeneration reads: deleted
-- generated items, a bounded set (rules x people x days); a user-made item
-- that was deleted is never planned again and stays out.

alter table packsync_private.entities
  add column snapshot_tombstones text;
comment on column packsync_private.entities.snapshot_tombstones is
  'A condition on a deleted row (alias t): such rows go into snapshots as deletes; null: none do.';
update packsync_private.entities set snapshot_tombstones = 't.rule_id is not null' where name = 'items';

create or replace function packsync_private.snapshot_page(trip uuid, entity text, after_id uuid, max_rows integer,
  preview_for uuid default null)
returns table (changes text, n integer, last_id uuid)
language plpgsql
stable
set search_path = ''
as $$
declare
  e constant packsync_private.entities := (select x from packsync_private.entities x where x.name = entity);
  row_expr constant text := case when preview_for is null or e.member_column is not null then 'to_json(t)'
    else format('(select json_object_agg(k.key, k.value) from json_each(to_json(t)) k where k.key = any (%L::text[]))',
      e.server_columns || e.preview_columns) end;
  -- Trips are read deleted too (a deleted trip's snapshot says so); an
  -- invitee's preview carries no tombstones.
  deleted_rows constant text := case when e.trip_column = 'id' then 'true'
    when preview_for is null and e.snapshot_tombstones is not null then e.snapshot_tombstones
    else 'false' end;
begin
  if preview_for is not null and e.member_column is null and e.trip_column <> 'id' then
    return query select null::text, 0, null::uuid;
    return;
  end if;
  return query execute format(
    'select string_agg(format(''{"entity": %%s, "id": %%s, "trip_id": %%s, "op": %%s, "version": %%s, "row": %%s}'',
        to_json(%L::text), to_json(t.id), to_json(t.%I),
        case when t.deleted_at is null then ''"upsert"'' else ''"delete"'' end, t.version, %s), '', '' order by t.id),
        count(*)::integer, (array_agg(t.id order by t.id desc))[1]
     from (select * from public.%I t where t.%I = $1 and t.id > coalesce($2, ''00000000-0000-0000-0000-000000000000'')
           and (t.deleted_at is null or %s) and ($4 is null or %s) order by t.id limit $3) t',
    entity, e.trip_column, row_expr, entity, e.trip_column, deleted_rows,
    case when e.member_column is null then 'true' else format('t.%I = $4', e.member_column) end)
    using trip, after_id, max_rows, preview_for;
end
$$;
