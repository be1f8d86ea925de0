import { z } from 'zod';
import { text, uuid } from './primitives.ts';
import { defineEntity } from './define-entity.ts';

export const PERSON_KINDS = ['adult', 'child', 'infant'] as const;
export type PersonKind = (typeof PERSON_KINDS)[number];

/** Per-person switches the packing rules read. Every key optional; absent means false. */
export const personPreferences = z.strictObject({
  contactLenses: z.boolean().optional(),
  glasses: z.boolean().optional(),
  shaves: z.boolean().optional(),
  makeup: z.boolean().optional(),
  /** Takes regular prescription medication. */
  medication: z.boolean().optional(),
  /** Works or studies on a laptop while away. */
  laptop: z.boolean().optional(),
  /** Reads in the evenings: book or e-reader. */
  reads: z.boolean().optional(),
});
export type PersonPreferences = z.infer<typeof personPreferences>;

const personShape = {
  trip_id: uuid,
  name: text(100, { nonBlank: true }),
  kind: z.enum(PERSON_KINDS, { error: `must be one of ${PERSON_KINDS.join(', ')}` }),
  preferences: personPreferences,
};

const entity = defineEntity(personShape);
export const personFields = entity.fields;
export const personPatch = entity.patch;
export const personRow = entity.row;
export const personColumns = entity.columns;

export type PersonFields = z.infer<typeof personFields>;
export type PersonPatch = z.infer<typeof personPatch>;
export type Person = z.infer<typeof personRow>;

export const personDefaults = { preferences: {} } as const satisfies Partial<PersonFields>;
