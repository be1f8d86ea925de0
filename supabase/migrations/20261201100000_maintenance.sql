-- Retention: one maintenance function for a scheduled job (pg_cron on a
-- hosted project, `npm run stack` locally once a day). It compacts the change
-- log to its horizon and prunes the at-most-once records with it: a change
-- older than the horizon can no longer be replayed by a cursor, and a client
-- re-sending one is treated as a new change based on an old version (see
-- README.md beside this file, "Retention").

create or replace function packsync_private.run_maintenance(keep interval default '90 days')
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  log_removed bigint;
  records_removed bigint;
begin
  if keep is null or keep < interval '1 day' then
    raise exception 'invalid_argument: keep must be at least one day' using errcode = '22023';
  end if;
  log_removed := packsync_private.compact_change_log(keep);
  with gone as (
    delete from packsync_private.processed_changes p where p.processed_at < now() - keep returning 1
  )
  select count(*) into records_removed from gone;
  return jsonb_build_object(
    'log_rows_removed', log_removed,
    'processed_changes_removed', records_removed,
    'horizon_xid', (select h.last_compacted_xid::text from packsync_private.log_horizon h),
    'kept', keep::text);
end
$$;

-- Speeds up the prune (a range on processed_at instead of a full scan).
create index processed_changes_processed_at_idx on packsync_private.processed_changes (processed_at);

revoke execute on function packsync_private.run_maintenance(interval) from public, anon, authenticated;
grant execute on function packsync_private.run_maintenance(interval) to service_role;
