-- The database refuses every row the model (packages/model, zod) refuses, on
-- every write path: push_changes, PostgREST and SQL alike. The checks below
-- mirror the model's schemas field by field; supabase/tests/integration/
-- model-checks.test.ts drives the model's own schemas against them so the two
-- cannot drift apart.
-- Two levels:
-- * stored rows: check constraints (category, days, settings, preferences,
--   generated, dates, blank names);
-- * JSON values as a client sends them: packsync_private.field_error, for the
--   push path, because a column's input function turns JSON "yes" into a
--   boolean and "today" into a date before any constraint sees it.
-- Sections: value checks, constraints, field_error.

-- Value checks ---------------------------------------------------------------------
-- White space as JavaScript's String.prototype.trim sees it (the model's
-- "must not be blank"), not just the ASCII space btrim() strips by default.
create or replace function packsync_private.is_blank(value text)
returns boolean
language sql
immutable
set search_path = ''
as $$
  select pg_catalog.btrim(value, E' \t\n\v\f\r\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff') = ''
$$;

-- The model's text(max, { nonBlank }): a JSON string of at most max code points.
create or replace function packsync_private.is_text(value jsonb, max integer, non_blank boolean default false)
returns boolean
language sql
immutable
set search_path = ''
as $$
  select coalesce(pg_catalog.jsonb_typeof(value) = 'string'
    and pg_catalog.char_length(value #>> '{}') <= max
    and not (non_blank and packsync_private.is_blank(value #>> '{}')), false)
$$;

-- The model's isoDate: 'YYYY-MM-DD', a real calendar date, year 1 to 9999.
create or replace function packsync_private.is_iso_date(value jsonb)
returns boolean
language sql
immutable
set search_path = ''
as $$
  select coalesce(pg_catalog.jsonb_typeof(value) = 'string'
    and (value #>> '{}') ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'
    and (value #>> '{}') >= '0001-01-01'
    and pg_catalog.pg_input_is_valid(value #>> '{}', 'date'), false)
$$;

-- The model's quantity: a whole JSON number from 0 to 999.
create or replace function packsync_private.is_quantity(value jsonb)
returns boolean
language sql
immutable
set search_path = ''
as $$
  select coalesce(pg_catalog.jsonb_typeof(value) = 'number'
    and (value::numeric) = pg_catalog.trunc(value::numeric)
    and (value::numeric) between 0 and 999, false)
$$;

-- A strict object whose keys are all optional booleans (trip settings,
-- person preferences).
create or replace function packsync_private.is_flag_set(value jsonb, allowed text[])
returns boolean
language sql
immutable
set search_path = ''
as $$
  select coalesce(pg_catalog.jsonb_typeof(value) = 'object' and not exists (
    select 1 from pg_catalog.jsonb_each(value) e
    where e.key <> all (allowed) or pg_catalog.jsonb_typeof(e.value) <> 'boolean'), false)
$$;

-- Exactly these keys (a strictObject whose fields are all required).
create or replace function packsync_private.has_exactly_keys(value jsonb, keys text[])
returns boolean
language sql
immutable
set search_path = ''
as $$
  select coalesce(pg_catalog.jsonb_typeof(value) = 'object'
    and (select pg_catalog.array_agg(k order by k) from pg_catalog.jsonb_object_keys(value) k)
      = (select pg_catalog.array_agg(k order by k) from pg_catalog.unnest(keys) k), false)
$$;

-- Item categories (model: CATEGORIES in fields/item.ts).
create or replace function packsync_private.item_categories()
returns text[]
language sql
immutable
set search_path = ''
as $$
  select '{clothing,toiletries,documents,electronics,health,kids,gear,misc}'::text[]
$$;

-- trips.days (model: tripDay and days in fields/trip.ts).
create or replace function packsync_private.is_trip_days(value jsonb)
returns boolean
language sql
immutable
set search_path = ''
as $$
  select coalesce(pg_catalog.jsonb_typeof(value) = 'array'
    and pg_catalog.jsonb_array_length(value) <= 366
    and not exists (
      select 1 from pg_catalog.jsonb_array_elements(value) d
      where not (
        packsync_private.has_exactly_keys(d, '{date,label,tags}')
        and packsync_private.is_iso_date(d -> 'date')
        and packsync_private.is_text(d -> 'label', 100)
        and pg_catalog.jsonb_typeof(d -> 'tags') = 'array'
        and pg_catalog.jsonb_array_length(d -> 'tags') <= 11
        and not exists (
          select 1 from pg_catalog.jsonb_array_elements(d -> 'tags') t
          where pg_catalog.jsonb_typeof(t) <> 'string'
            or (t #>> '{}') <> all ('{beach,hiking,formal,cold,hot,rain,snow,travel,business,swimming,camping}'))
        and (select count(distinct t) = count(*) from pg_catalog.jsonb_array_elements(d -> 'tags') t)))
    and (select count(distinct d -> 'date') = count(*) from pg_catalog.jsonb_array_elements(value) d), false)
$$;

-- items.generated (model: generatedSnapshot in fields/item.ts).
create or replace function packsync_private.is_generated_snapshot(value jsonb)
returns boolean
language sql
immutable
set search_path = ''
as $$
  select coalesce(packsync_private.has_exactly_keys(value, '{name,quantity,category,notes}')
    and packsync_private.is_text(value -> 'name', 200, true)
    and packsync_private.is_quantity(value -> 'quantity')
    and pg_catalog.jsonb_typeof(value -> 'category') = 'string'
    and (value ->> 'category') = any (packsync_private.item_categories())
    and packsync_private.is_text(value -> 'notes', 2000), false)
$$;

-- Constraints ------------------------------------------------------------------------
alter table public.trips
  drop constraint trips_name_length,
  add constraint trips_name_length check (char_length(name) between 1 and 200 and not packsync_private.is_blank(name)),
  drop constraint trips_days_array,
  add constraint trips_days_valid check (packsync_private.is_trip_days(days)),
  drop constraint trips_settings_object,
  add constraint trips_settings_valid check (packsync_private.is_flag_set(settings, '{laundry,international,flying,driving}')),
  add constraint trips_dates_range check (start_date between '0001-01-01' and '9999-12-31' and end_date between '0001-01-01' and '9999-12-31');

alter table public.people
  drop constraint people_name_length,
  add constraint people_name_length check (char_length(name) between 1 and 100 and not packsync_private.is_blank(name)),
  drop constraint people_preferences_object,
  add constraint people_preferences_valid check (packsync_private.is_flag_set(preferences,
    '{contactLenses,glasses,shaves,makeup,medication,laptop,reads}'));

alter table public.items
  drop constraint items_name_length,
  add constraint items_name_length check (char_length(name) between 1 and 200 and not packsync_private.is_blank(name)),
  drop constraint items_category_length,
  add constraint items_category_valid check (category = any (packsync_private.item_categories())),
  add constraint items_day_range check (day between '0001-01-01' and '9999-12-31'),
  add constraint items_generated_valid check (generated is null or packsync_private.is_generated_snapshot(generated));

-- field_error ------------------------------------------------------------------------
-- The first field of a change whose JSON value has the wrong type for its
-- column, as 'name: reason', or null when every value has the right type.
-- Types come from the catalog, so a new column is covered without an edit.
-- Ranges, lengths and shapes are the constraints' job. `field_errors` judges
-- a whole push batch with one catalog lookup (ord: the position in `changes`);
-- `field_error` is one change.
create or replace function packsync_private.field_errors(entity text, changes jsonb[])
returns table (ord bigint, error text)
language sql
stable
set search_path = ''
as $$
  select c.ord, (pg_catalog.array_agg(f.key || ': ' || case a.atttypid
      when 'boolean'::pg_catalog.regtype then 'must be true or false'
      when 'integer'::pg_catalog.regtype then 'must be a whole number'
      when 'date'::pg_catalog.regtype then 'must be a real calendar date in YYYY-MM-DD form'
      when 'uuid'::pg_catalog.regtype then 'must be a UUID'
      else 'must be a string' end order by a.attnum))[1]
  from unnest(changes) with ordinality c(fields, ord)
  cross join lateral pg_catalog.jsonb_each(c.fields) f
  join pg_catalog.pg_attribute a
    on a.attrelid = pg_catalog.to_regclass('public.' || pg_catalog.quote_ident(entity)) and a.attname = f.key
      and a.attnum > 0 and not a.attisdropped
  where not (pg_catalog.jsonb_typeof(f.value) = 'null' or case a.atttypid
      when 'boolean'::pg_catalog.regtype then pg_catalog.jsonb_typeof(f.value) = 'boolean'
      when 'integer'::pg_catalog.regtype then pg_catalog.jsonb_typeof(f.value) = 'number'
        and (f.value::numeric) = pg_catalog.trunc(f.value::numeric)
      when 'date'::pg_catalog.regtype then packsync_private.is_iso_date(f.value)
      when 'uuid'::pg_catalog.regtype then pg_catalog.jsonb_typeof(f.value) = 'string'
        and (f.value #>> '{}') ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
      when 'text'::pg_catalog.regtype then pg_catalog.jsonb_typeof(f.value) = 'string'
      else true end)
  group by c.ord
$$;

create or replace function packsync_private.field_error(entity text, fields jsonb)
returns text
language sql
stable
set search_path = ''
as $$
  select e.error from packsync_private.field_errors(entity, array[fields]) e
$$;

-- Grants: 20261201190000_grants.sql (check constraints run with the writer's
-- rights, so every role that writes rows may execute the value checks).
