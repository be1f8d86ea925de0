-- trip_checksums: a fingerprint of what a caller can see of each trip, for
-- the client engine's recovery: after catching up it hashes its mirror the
-- same way and fetches a trip again when the two differ (packages/sync,
-- verify.ts). Sections: RPCs, grants.
--
-- The fingerprint is sha256 (hex) of the lines `entity:id:version` of every
-- live row of the trip (the trip, members, people, rule overrides, items),
-- sorted bytewise and joined with '\n'. Security invoker: RLS decides what
-- the caller sees, exactly as for pull. Trips the caller cannot see are left
-- out of the answer (no row), so it tells a stranger nothing.

-- RPCs -------------------------------------------------------------------------
create or replace function public.trip_checksums(trip_ids uuid[])
returns table (trip_id uuid, checksum text)
language sql
stable
security invoker
set search_path = ''
as $$
  select t.id,
    encode(sha256(convert_to(coalesce((
      select string_agg(r.line, E'\n' order by r.line collate "C")
      from (
        select 'trips:' || t.id || ':' || t.version as line
        union all select 'trip_members:' || m.id || ':' || m.version from public.trip_members m
          where m.trip_id = t.id and m.deleted_at is null
        union all select 'people:' || p.id || ':' || p.version from public.people p
          where p.trip_id = t.id and p.deleted_at is null
        union all select 'rule_overrides:' || o.id || ':' || o.version from public.rule_overrides o
          where o.trip_id = t.id and o.deleted_at is null
        union all select 'items:' || i.id || ':' || i.version from public.items i
          where i.trip_id = t.id and i.deleted_at is null
      ) r), ''), 'UTF8')), 'hex')
  from public.trips t
  where t.id = any (trip_ids) and t.deleted_at is null
  -- a bounded request: the engine asks for the trips one pull touched
  limit 1000
$$;

comment on function public.trip_checksums(uuid[]) is
  'sha256 of sorted "entity:id:version" lines of the live rows of each visible trip; compared by the client engine with its mirror.';

-- Grants -------------------------------------------------------------------------
revoke execute on function public.trip_checksums(uuid[]) from public, anon;
grant execute on function public.trip_checksums(uuid[]) to authenticated;
