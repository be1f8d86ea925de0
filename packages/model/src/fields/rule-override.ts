import { z } from 'zod';
import { quantity, ruleId, uuid } from './primitives.ts';
import { defineEntity } from './define-entity.ts';

// person_id null: the override holds for the whole trip; a person's own
// override wins over it (see rules/overrides.ts).
const ruleOverrideShape = {
  trip_id: uuid,
  person_id: uuid.nullable(),
  rule_id: ruleId,
  quantity: quantity.nullable(),
  disabled: z.boolean({ error: 'must be true or false' }),
};

const entity = defineEntity(ruleOverrideShape);
export const ruleOverrideFields = entity.fields;
export const ruleOverridePatch = entity.patch;
export const ruleOverrideRow = entity.row;
export const ruleOverrideColumns = entity.columns;

export type RuleOverrideFields = z.infer<typeof ruleOverrideFields>;
export type RuleOverridePatch = z.infer<typeof ruleOverridePatch>;
export type RuleOverride = z.infer<typeof ruleOverrideRow>;

export const ruleOverrideDefaults = { person_id: null, quantity: null, disabled: false } as const satisfies Partial<RuleOverrideFields>;
