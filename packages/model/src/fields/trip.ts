import { z } from 'zod';
import { isoDate, text } from './primitives.ts';
import { defineEntity } from './define-entity.ts';

/** Activity and weather tags on a day; packing rules key off them. */
export const TAGS = [
  'beach', 'hiking', 'formal', 'cold', 'hot', 'rain', 'snow',
  'travel', 'business', 'swimming', 'camping',
] as const;
export type Tag = (typeof TAGS)[number];

export const MAX_TRIP_DAYS = 366;

export const tag = z.enum(TAGS, {
  error: (issue) => `unknown tag ${JSON.stringify(issue.input)}; expected one of ${TAGS.join(', ')}`,
});

export const tripDay = z.strictObject({
  date: isoDate,
  label: text(100),
  tags: z
    .array(tag)
    .max(TAGS.length, { error: `must have at most ${TAGS.length} tags` })
    .refine((tags) => new Set(tags).size === tags.length, { message: 'must not repeat a tag' }),
});
export type TripDay = z.infer<typeof tripDay>;

// Rules match per-day items by date, so two entries for one date would make
// the list ambiguous.
const days = z
  .array(tripDay)
  .max(MAX_TRIP_DAYS, { error: `must have at most ${MAX_TRIP_DAYS} days` })
  .refine((ds) => new Set(ds.map((d) => d.date)).size === ds.length, { message: 'must not list a date twice' });

/** Trip-wide switches the packing rules read. Every key optional; absent means false. */
export const tripSettings = z.strictObject({
  /** Laundry is available: clothing caps drop (see `laundryMax` in rules). */
  laundry: z.boolean().optional(),
  /** Crossing a border: passports, adapters, insurance. */
  international: z.boolean().optional(),
  /** Flying somewhere: in-flight comfort items. */
  flying: z.boolean().optional(),
  /** Someone drives (own or rental car): licence. */
  driving: z.boolean().optional(),
});
export type TripSettings = z.infer<typeof tripSettings>;

const tripShape = {
  name: text(200, { nonBlank: true }),
  destination: text(200),
  start_date: isoDate.nullable(),
  end_date: isoDate.nullable(),
  days,
  settings: tripSettings,
};

// Cross-field check. A patch can only be checked when it carries both dates;
// the database constraint is the final word on the merged row.
function endNotBeforeStart(value: Record<string, unknown>, ctx: z.RefinementCtx): void {
  const { start_date, end_date } = value;
  // 'YYYY-MM-DD' strings order like the dates they name.
  if (typeof start_date === 'string' && typeof end_date === 'string' && end_date < start_date) {
    ctx.addIssue({ code: 'custom', path: ['end_date'], message: 'must be on or after start_date' });
  }
}

const trip = defineEntity(tripShape, endNotBeforeStart);
export const tripFields = trip.fields;
export const tripPatch = trip.patch;
export const tripRow = trip.row;
export const tripColumns = trip.columns;

export type TripFields = z.infer<typeof tripFields>;
export type TripPatch = z.infer<typeof tripPatch>;
export type Trip = z.infer<typeof tripRow>;

/** Values the database fills in when a create leaves them out. */
export const tripDefaults = {
  destination: '',
  start_date: null,
  end_date: null,
  days: [],
  settings: {},
} as const satisfies Partial<TripFields>;
