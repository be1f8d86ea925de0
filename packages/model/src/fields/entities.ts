// One table per entity; these maps let the protocol and the sync engine
// validate any change generically by its `entity` name.
import { itemColumns, itemFields, itemPatch, itemRow } from './item.ts';
import { personColumns, personFields, personPatch, personRow } from './person.ts';
import { ruleOverrideColumns, ruleOverrideFields, ruleOverridePatch, ruleOverrideRow } from './rule-override.ts';
import { systemColumns } from './system.ts';
import { tripMemberColumns, tripMemberFields, tripMemberPatch, tripMemberRow, tripMemberServerColumns } from './trip-member.ts';
import { tripColumns, tripFields, tripPatch, tripRow } from './trip.ts';

export const ENTITY_NAMES = ['trips', 'trip_members', 'people', 'items', 'rule_overrides'] as const;
export type EntityName = (typeof ENTITY_NAMES)[number];

export function isEntityName(value: unknown): value is EntityName {
  return typeof value === 'string' && (ENTITY_NAMES as readonly string[]).includes(value);
}

/** Client-writable fields of a complete row (a create). */
export const entityFieldSchemas = {
  trips: tripFields,
  trip_members: tripMemberFields,
  people: personFields,
  items: itemFields,
  rule_overrides: ruleOverrideFields,
} as const satisfies Record<EntityName, unknown>;

/** Any subset of the client-writable fields (an update). */
export const entityPatchSchemas = {
  trips: tripPatch,
  trip_members: tripMemberPatch,
  people: personPatch,
  items: itemPatch,
  rule_overrides: ruleOverridePatch,
} as const satisfies Record<EntityName, unknown>;

/** Whole rows as the server returns them: system fields plus fields. */
export const entityRowSchemas = {
  trips: tripRow,
  trip_members: tripMemberRow,
  people: personRow,
  items: itemRow,
  rule_overrides: ruleOverrideRow,
} as const satisfies Record<EntityName, unknown>;

/** Client-writable column names per table. */
export const entityFieldColumns: { readonly [E in EntityName]: readonly string[] } = {
  trips: tripColumns,
  trip_members: tripMemberColumns,
  people: personColumns,
  items: itemColumns,
  rule_overrides: ruleOverrideColumns,
};

/** Every column per table, system (and other server-written) columns first: compare with the generated DB types. */
export const entityColumns: { readonly [E in EntityName]: readonly string[] } = {
  trips: [...systemColumns, ...tripColumns],
  trip_members: [...systemColumns, ...tripMemberServerColumns, ...tripMemberColumns],
  people: [...systemColumns, ...personColumns],
  items: [...systemColumns, ...itemColumns],
  rule_overrides: [...systemColumns, ...ruleOverrideColumns],
};
