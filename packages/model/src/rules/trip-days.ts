import { addDays, daysBetween } from '../dates.ts';
import { MAX_TRIP_DAYS, type Tag, type TripFields } from '../fields/trip.ts';

export interface PlanDay {
  readonly date: string;
  readonly tags: ReadonlySet<Tag>;
}

export type TripShape = Pick<TripFields, 'start_date' | 'end_date' | 'days' | 'settings'>;

/**
 * The trip's days, sorted: every date from start to end (a person packs for
 * those even when nobody labelled them) plus any day listed in `days`, which
 * contributes its tags. Duplicate dates are merged rather than trusted away,
 * because rows from older clients may not have been validated.
 */
export function planDays(trip: TripShape): PlanDay[] {
  const tags = new Map<string, Set<Tag>>();
  const add = (date: string, dayTags: readonly Tag[]) => {
    const set = tags.get(date) ?? new Set<Tag>();
    for (const t of dayTags) set.add(t);
    tags.set(date, set);
  };
  if (trip.start_date) {
    const end = trip.end_date ?? trip.start_date;
    const span = Math.min(daysBetween(trip.start_date, end), MAX_TRIP_DAYS - 1);
    for (let i = 0; i <= span; i++) add(addDays(trip.start_date, i), []);
  }
  for (const day of trip.days) add(day.date, day.tags);
  return [...tags.keys()].sort().map((date) => ({ date, tags: tags.get(date)! }));
}

/**
 * How many days to pack for. A trip with no dates at all counts as one day
 * so that the list is useful before the dates are known.
 */
export function packingDayCount(days: readonly PlanDay[]): number {
  return Math.max(1, days.length);
}
