-- What a trip contains: people, items and packing-rule overrides.
-- Sections: tables, indexes, triggers, RLS, policies, grants.

-- Tables -----------------------------------------------------------------------
create table public.people (
  id uuid primary key default gen_random_uuid(),
  version bigint not null default 1,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  deleted_at timestamptz,
  created_by uuid default auth.uid(),
  trip_id uuid not null references public.trips (id) on delete cascade,
  name text not null
    constraint people_name_length check (char_length(name) between 1 and 100 and btrim(name) <> ''),
  kind text not null
    constraint people_kind check (kind in ('adult', 'child', 'infant')),
  preferences jsonb not null default '{}'
    constraint people_preferences_object check (jsonb_typeof(preferences) = 'object'),
  -- Target of the (trip_id, person_id) foreign keys below: a row may only
  -- point at a person of its own trip.
  constraint people_trip_id_id_key unique (trip_id, id)
);
comment on table public.people is 'A traveller of a trip.';

create table public.items (
  id uuid primary key default gen_random_uuid(),
  version bigint not null default 1,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  deleted_at timestamptz,
  created_by uuid default auth.uid(),
  trip_id uuid not null references public.trips (id) on delete cascade,
  person_id uuid,
  name text not null
    constraint items_name_length check (char_length(name) between 1 and 200 and btrim(name) <> ''),
  category text not null default 'misc'
    constraint items_category_length check (char_length(category) between 1 and 50),
  quantity integer not null default 1
    constraint items_quantity_range check (quantity between 0 and 999),
  packed boolean not null default false,
  notes text not null default ''
    constraint items_notes_length check (char_length(notes) <= 2000),
  day date,
  rule_id text
    constraint items_rule_id_format check (char_length(rule_id) between 1 and 100 and rule_id ~ '^[a-z0-9][a-z0-9.-]*$'),
  -- What a packing rule last produced for this item; opaque to SQL. It lets
  -- regeneration tell user edits from rule output.
  generated jsonb,
  constraint items_person_fkey foreign key (trip_id, person_id)
    references public.people (trip_id, id) on delete set null (person_id)
);
comment on table public.items is 'A thing to pack, from a packing rule (rule_id, generated) or added by hand.';

create table public.rule_overrides (
  id uuid primary key default gen_random_uuid(),
  version bigint not null default 1,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  deleted_at timestamptz,
  created_by uuid default auth.uid(),
  trip_id uuid not null references public.trips (id) on delete cascade,
  person_id uuid,
  rule_id text not null
    constraint rule_overrides_rule_id_format check (char_length(rule_id) between 1 and 100 and rule_id ~ '^[a-z0-9][a-z0-9.-]*$'),
  quantity integer
    constraint rule_overrides_quantity_range check (quantity between 0 and 999),
  disabled boolean not null default false,
  constraint rule_overrides_person_fkey foreign key (trip_id, person_id)
    references public.people (trip_id, id) on delete set null (person_id)
);
comment on table public.rule_overrides is 'Changes a packing rule''s quantity, or disables it, for a trip or one person of it.';

-- Indexes ----------------------------------------------------------------------
-- (trip_id, id): policies, the trip-delete cascade and snapshots of one trip.
create index items_trip_id_idx on public.items (trip_id, id);
create index items_person_idx on public.items (trip_id, person_id) where person_id is not null;
create index rule_overrides_trip_id_idx on public.rule_overrides (trip_id, id);
create unique index rule_overrides_live_rule_key on public.rule_overrides (trip_id, person_id, rule_id)
  nulls not distinct where deleted_at is null;
-- people (trip_id, id) is indexed by its unique constraint.

-- Triggers ---------------------------------------------------------------------
create trigger stamp_row before insert or update on public.people
  for each row execute function packsync_private.stamp_row();
create trigger stamp_row before insert or update on public.items
  for each row execute function packsync_private.stamp_row();
create trigger stamp_row before insert or update on public.rule_overrides
  for each row execute function packsync_private.stamp_row();

-- RLS --------------------------------------------------------------------------
alter table public.people enable row level security;
alter table public.items enable row level security;
alter table public.rule_overrides enable row level security;

-- Policies -----------------------------------------------------------------------
create policy "members can read the people of their trips" on public.people
  for select to authenticated
  using (trip_id = any ((select packsync_private.member_trip_ids())::uuid[]));
create policy "owners and editors can add people" on public.people
  for insert to authenticated
  with check (trip_id = any ((select packsync_private.editor_trip_ids())::uuid[]));
create policy "owners and editors can change people" on public.people
  for update to authenticated
  using (trip_id = any ((select packsync_private.editor_trip_ids())::uuid[]))
  with check (trip_id = any ((select packsync_private.editor_trip_ids())::uuid[]));

create policy "members can read the items of their trips" on public.items
  for select to authenticated
  using (trip_id = any ((select packsync_private.member_trip_ids())::uuid[]));
create policy "owners and editors can add items" on public.items
  for insert to authenticated
  with check (trip_id = any ((select packsync_private.editor_trip_ids())::uuid[]));
create policy "owners and editors can change items" on public.items
  for update to authenticated
  using (trip_id = any ((select packsync_private.editor_trip_ids())::uuid[]))
  with check (trip_id = any ((select packsync_private.editor_trip_ids())::uuid[]));

create policy "members can read the rule overrides of their trips" on public.rule_overrides
  for select to authenticated
  using (trip_id = any ((select packsync_private.member_trip_ids())::uuid[]));
create policy "owners and editors can add rule overrides" on public.rule_overrides
  for insert to authenticated
  with check (trip_id = any ((select packsync_private.editor_trip_ids())::uuid[]));
create policy "owners and editors can change rule overrides" on public.rule_overrides
  for update to authenticated
  using (trip_id = any ((select packsync_private.editor_trip_ids())::uuid[]))
  with check (trip_id = any ((select packsync_private.editor_trip_ids())::uuid[]));

-- Grants -------------------------------------------------------------------------
revoke all on public.people, public.items, public.rule_overrides from anon, authenticated;
grant select, insert, update on public.people, public.items, public.rule_overrides to authenticated;
