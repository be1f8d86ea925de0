// Column-level validators shared by every entity. Messages name the rule that
// failed so a rejected push can be shown to a person as-is.
import { z } from 'zod';
import { isIsoDate } from '../dates.ts';

/**
 * Length in Unicode code points, which is what Postgres `char_length` counts.
 * `string.length` counts UTF-16 units and would reject 150 emoji in a
 * 200-character column that the database accepts.
 */
export function codePointLength(value: string): number {
  let n = 0;
  for (const _ of value) n++;
  return n;
}

/** Text of at most `max` characters; `nonBlank` also demands a non-space character. */
export function text(max: number, options: { nonBlank?: boolean } = {}) {
  let schema = z
    .string({ error: 'must be a string' })
    .refine((s) => codePointLength(s) <= max, { message: `must be at most ${max} characters` });
  if (options.nonBlank) {
    schema = schema.refine((s) => s.trim().length > 0, { message: 'must not be blank' });
  }
  return schema;
}

/**
 * Any hex UUID as Postgres accepts it (z.uuid() insists on RFC version bits,
 * which hand-written fixture ids and some generators do not have).
 */
export const uuid = z.guid({ error: 'must be a UUID' });

export const isoDate = z
  .string({ error: 'must be a date string' })
  .refine(isIsoDate, { message: 'must be a real calendar date in YYYY-MM-DD form' });

export const QUANTITY_MAX = 999;

export const quantity = z
  .number({ error: 'must be a number' })
  .int({ error: 'must be a whole number' })
  .min(0, { error: 'must be 0 or more' })
  .max(QUANTITY_MAX, { error: `must be ${QUANTITY_MAX} or less` });

/** Stable rule ids: lower-case, dot/dash separated, e.g. `clothing.socks`. */
export const RULE_ID_PATTERN = /^[a-z0-9][a-z0-9.-]*$/;
export const RULE_ID_MAX = 100;

export const ruleId = z
  .string({ error: 'must be a string' })
  .min(1, { error: 'must not be empty', abort: true })
  .max(RULE_ID_MAX, { error: `must be at most ${RULE_ID_MAX} characters` })
  .regex(RULE_ID_PATTERN, { error: 'must be lower-case letters, digits, dots and dashes, starting with a letter or digit' });
