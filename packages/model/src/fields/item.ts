import { z } from 'zod';
import { isoDate, quantity, ruleId, text, uuid } from './primitives.ts';
import { defineEntity } from './define-entity.ts';

export const CATEGORIES = [
  'clothing', 'toiletries', 'documents', 'electronics', 'health', 'kids', 'gear', 'misc',
] as const;
export type Category = (typeof CATEGORIES)[number];

export const category = z.enum(CATEGORIES, { error: `must be one of ${CATEGORIES.join(', ')}` });

const name = text(200, { nonBlank: true });
const notes = text(2000);

/**
 * What a rule produced the last time it was evaluated. A field of a generated
 * item counts as user-edited exactly when its current value differs from this.
 */
export const generatedSnapshot = z.strictObject({ name, quantity, category, notes });
export type GeneratedSnapshot = z.infer<typeof generatedSnapshot>;

/** The item fields a rule decides, in the order regeneration compares them. */
export const SNAPSHOT_FIELDS = ['name', 'quantity', 'category', 'notes'] as const satisfies readonly (keyof GeneratedSnapshot)[];

const itemShape = {
  trip_id: uuid,
  person_id: uuid.nullable(),
  name,
  category,
  quantity,
  packed: z.boolean({ error: 'must be true or false' }),
  notes,
  day: isoDate.nullable(),
  rule_id: ruleId.nullable(),
  generated: generatedSnapshot.nullable(),
};

const entity = defineEntity(itemShape);
export const itemFields = entity.fields;
export const itemPatch = entity.patch;
export const itemRow = entity.row;
export const itemColumns = entity.columns;

export type ItemFields = z.infer<typeof itemFields>;
export type ItemPatch = z.infer<typeof itemPatch>;
export type Item = z.infer<typeof itemRow>;

export const itemDefaults = {
  person_id: null,
  quantity: 1,
  packed: false,
  notes: '',
  day: null,
  rule_id: null,
  generated: null,
} as const satisfies Partial<ItemFields>;
