-- The entity registry: the one list of synced tables and what the sync core
-- needs to know about each. The log triggers are created from it, push runs
-- a batch's entities in its order and takes server-managed and fixed columns
-- from it, pull pages snapshots in its order and reads rows through it.
-- Cursors name entities (never a position in this list), so reordering or
-- adding an entity does not break a cursor in flight.
-- packages/model's ENTITY_NAMES must list the same names (a test compares).
-- (Timestamp 090250, not the 20261201 block: the log triggers of 090300 are
-- created from this table, so it must exist first.)

-- Tables -----------------------------------------------------------------------
create table packsync_private.entities (
  name text primary key,
  -- Parents first: push writes a batch's entities in this order, so a batch
  -- may create a trip and fill it; snapshots page in it.
  parent_order smallint not null unique,
  -- The column naming the row's trip ('id' for trips themselves).
  trip_column text not null,
  -- For memberships: the column naming whose access the row grants (pull's
  -- revokes and snapshots of newly joined trips).
  member_column text,
  -- Columns that never change once inserted (besides id).
  fixed_columns text[] not null default '{trip_id}',
  -- Columns only the server writes: a client sending one is refused
  -- (forbidden_field), not silently ignored.
  server_columns text[] not null default '{id,version,created_at,updated_at,deleted_at,created_by}',
  -- The least role that changes rows of this entity, that deletes them, and
  -- the columns only owners change (a trip's name). Creating a trip needs no
  -- role: its creator becomes its owner.
  write_role text not null constraint entities_write_role check (write_role in ('owner', 'editor')),
  delete_role text not null constraint entities_delete_role check (delete_role in ('owner', 'editor')),
  owner_columns text[] not null default '{}',
  -- What an invitee sees of a row of this entity before accepting, besides
  -- server columns (only the trip's name; of memberships, their own).
  preview_columns text[] not null default '{}',
  -- Tombstoned together with their trip.
  deleted_with_trip boolean not null
);
comment on table packsync_private.entities is 'The synced tables: one registry for log triggers, push and pull.';

insert into packsync_private.entities
  (name, parent_order, trip_column, member_column, fixed_columns, server_columns,
   write_role, delete_role, owner_columns, deleted_with_trip, preview_columns)
values
  ('trips', 1, 'id', null, '{}', default, 'editor', 'owner', '{name}', false, '{name}'),
  ('trip_members', 2, 'trip_id', 'user_id', '{trip_id,user_id}',
   '{id,version,created_at,updated_at,deleted_at,created_by,email}', 'owner', 'owner', '{}', false, '{}'),
  ('people', 3, 'trip_id', null, default, default, 'editor', 'editor', '{}', true, '{}'),
  ('rule_overrides', 4, 'trip_id', null, default, default, 'editor', 'editor', '{}', true, '{}'),
  ('items', 5, 'trip_id', null, default, default, 'editor', 'editor', '{}', true, '{}');

-- RLS --------------------------------------------------------------------------
alter table packsync_private.entities enable row level security;
create policy "signed-in users can read the entity registry" on packsync_private.entities
  for select to authenticated
  using (true);

-- Helper functions ---------------------------------------------------------------
-- Entity names, parents first.
create or replace function packsync_private.entity_names()
returns text[]
language sql
stable
set search_path = ''
as $$
  select array_agg(e.name order by e.parent_order) from packsync_private.entities e
$$;

-- Grants -------------------------------------------------------------------------
grant select on packsync_private.entities to authenticated;
grant execute on function packsync_private.entity_names() to authenticated;
