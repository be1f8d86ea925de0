// @packsync/model: the domain's field schemas and packing rules. Imported by
// the web app, the sync engine and (through relative paths) the Deno edge
// function, so: explicit `.ts` imports, no Node built-ins, no clock.
export { addDays, daysBetween, isIsoDate, type IsoDate } from './dates.ts';

export {
  codePointLength,
  isoDate,
  quantity,
  QUANTITY_MAX,
  RULE_ID_MAX,
  RULE_ID_PATTERN,
  ruleId,
  uuid,
} from './fields/primitives.ts';
export { systemColumns, systemShape, type SystemFields } from './fields/system.ts';
export {
  MAX_TRIP_DAYS,
  TAGS,
  tag,
  tripColumns,
  tripDay,
  tripDefaults,
  tripFields,
  tripPatch,
  tripRow,
  tripSettings,
  type Tag,
  type Trip,
  type TripDay,
  type TripFields,
  type TripPatch,
  type TripSettings,
} from './fields/trip.ts';
export {
  MEMBERSHIP_STATUSES,
  ROLES,
  tripMemberColumns,
  tripMemberFields,
  tripMemberPatch,
  tripMemberRow,
  type MembershipStatus,
  type Role,
  type TripMember,
  type TripMemberFields,
  type TripMemberPatch,
} from './fields/trip-member.ts';
export {
  PERSON_KINDS,
  personColumns,
  personDefaults,
  personFields,
  personPatch,
  personPreferences,
  personRow,
  type Person,
  type PersonFields,
  type PersonKind,
  type PersonPatch,
  type PersonPreferences,
} from './fields/person.ts';
export {
  CATEGORIES,
  category,
  generatedSnapshot,
  itemColumns,
  itemDefaults,
  itemFields,
  itemPatch,
  itemRow,
  SNAPSHOT_FIELDS,
  type Category,
  type GeneratedSnapshot,
  type Item,
  type ItemFields,
  type ItemPatch,
} from './fields/item.ts';
export {
  ruleOverrideColumns,
  ruleOverrideDefaults,
  ruleOverrideFields,
  ruleOverridePatch,
  ruleOverrideRow,
  type RuleOverride,
  type RuleOverrideFields,
  type RuleOverridePatch,
} from './fields/rule-override.ts';
export {
  ENTITY_NAMES,
  entityColumns,
  entityFieldColumns,
  entityFieldSchemas,
  entityPatchSchemas,
  entityRowSchemas,
  isEntityName,
  type EntityName,
} from './fields/entities.ts';

export type {
  Applicability,
  Catalogue,
  GeneratedItem,
  PreferenceFlag,
  QuantityFormula,
  Rule,
  RuleScope,
  SettingFlag,
} from './rules/types.ts';
export { builtInCatalogue } from './rules/catalogue/index.ts';
export { capOf, computeQuantity, type QuantityInputs } from './rules/quantity.ts';
export { packingDayCount, planDays, type PlanDay, type TripShape } from './rules/trip-days.ts';
export { OverrideIndex, type EffectiveOverride, type OverrideInput } from './rules/overrides.ts';
export { evaluate, type PersonInput } from './rules/evaluate.ts';
export {
  generatedKey,
  planRegeneration,
  type ExistingItem,
  type FlagReason,
  type Operation,
  type RegenerationInput,
} from './rules/regenerate.ts';
