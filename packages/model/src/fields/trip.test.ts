import { describe, expect, it } from 'vitest';
import { problems } from './test-helpers.ts';
import { tripFields, tripPatch, tripRow } from './trip.ts';

const valid = {
  name: 'Lisbon',
  destination: 'Portugal',
  start_date: '2026-07-01',
  end_date: '2026-07-05',
  days: [{ date: '2026-07-02', label: 'Beach day', tags: ['beach', 'hot'] }],
  settings: { laundry: true },
};

describe('tripFields', () => {
  it('accepts a complete trip, and one with no dates', () => {
    expect(problems(tripFields, valid)).toEqual([]);
    expect(problems(tripFields, { ...valid, start_date: null, end_date: null, days: [], settings: {} })).toEqual([]);
  });

  it('rejects a blank or over-long name', () => {
    expect(problems(tripFields, { ...valid, name: '   ' })).toEqual(['name: must not be blank']);
    expect(problems(tripFields, { ...valid, name: '' })).toEqual(['name: must not be blank']);
    expect(problems(tripFields, { ...valid, name: 'x'.repeat(201) })).toEqual(['name: must be at most 200 characters']);
  });

  it('counts characters as Postgres does (code points, not UTF-16 units)', () => {
    expect(problems(tripFields, { ...valid, name: '🏖'.repeat(200) })).toEqual([]);
    expect(problems(tripFields, { ...valid, name: '🏖'.repeat(201) })).toEqual(['name: must be at most 200 characters']);
  });

  it('rejects an end date before the start date', () => {
    expect(problems(tripFields, { ...valid, end_date: '2026-06-30' })).toEqual([
      'end_date: must be on or after start_date',
    ]);
    expect(problems(tripFields, { ...valid, end_date: '2026-07-01' })).toEqual([]);
  });

  it('rejects dates that are not on the calendar', () => {
    expect(problems(tripFields, { ...valid, start_date: '2026-02-30', end_date: null })).toEqual([
      'start_date: must be a real calendar date in YYYY-MM-DD form',
    ]);
    expect(problems(tripFields, { ...valid, days: [{ date: '2026-7-2', label: '', tags: [] }] })).toEqual([
      'days.0.date: must be a real calendar date in YYYY-MM-DD form',
    ]);
  });

  it('rejects unknown tags, repeated tags and repeated dates', () => {
    expect(problems(tripFields, { ...valid, days: [{ date: '2026-07-02', label: '', tags: ['party'] }] })).toEqual([
      'days.0.tags.0: unknown tag "party"; expected one of beach, hiking, formal, cold, hot, rain, snow, travel, business, swimming, camping',
    ]);
    expect(problems(tripFields, { ...valid, days: [{ date: '2026-07-02', label: '', tags: ['hot', 'hot'] }] })).toEqual([
      'days.0.tags: must not repeat a tag',
    ]);
    const twice = { date: '2026-07-02', label: '', tags: [] };
    expect(problems(tripFields, { ...valid, days: [twice, twice] })).toEqual(['days: must not list a date twice']);
  });

  it('rejects more than 366 days and labels over 100 characters', () => {
    const days = Array.from({ length: 367 }, (_, i) => ({
      date: `${2026 + Math.floor(i / 365)}-01-01`.replace('01-01', dayOfYear(i % 365)),
      label: '',
      tags: [],
    }));
    expect(problems(tripFields, { ...valid, start_date: null, end_date: null, days })).toContain(
      'days: must have at most 366 days',
    );
    expect(problems(tripFields, { ...valid, days: [{ date: '2026-07-02', label: 'x'.repeat(101), tags: [] }] })).toEqual([
      'days.0.label: must be at most 100 characters',
    ]);
  });

  it('rejects unknown keys at every level', () => {
    expect(problems(tripFields, { ...valid, colour: 'red' })).toEqual(['(root): Unrecognized key: "colour"']);
    expect(problems(tripFields, { ...valid, settings: { laundry: true, pool: true } })).toEqual([
      'settings: Unrecognized key: "pool"',
    ]);
    expect(problems(tripFields, { ...valid, days: [{ date: '2026-07-02', label: '', tags: [], weather: 'sun' }] })).toEqual([
      'days.0: Unrecognized key: "weather"',
    ]);
  });

  it('does not accept system fields from a client', () => {
    expect(problems(tripFields, { ...valid, id: '11111111-1111-4111-8111-111111111111', version: 3 })).toEqual([
      '(root): Unrecognized keys: "id", "version"',
    ]);
  });
});

describe('tripPatch', () => {
  it('accepts any subset, checks what it carries', () => {
    expect(problems(tripPatch, {})).toEqual([]);
    expect(problems(tripPatch, { end_date: '2026-01-01' })).toEqual([]);
    expect(problems(tripPatch, { start_date: '2026-01-02', end_date: '2026-01-01' })).toEqual([
      'end_date: must be on or after start_date',
    ]);
    expect(problems(tripPatch, { name: ' ' })).toEqual(['name: must not be blank']);
    expect(problems(tripPatch, { nmae: 'typo' })).toEqual(['(root): Unrecognized key: "nmae"']);
  });
});

describe('tripRow', () => {
  it('is the fields plus the server-managed columns', () => {
    const row = {
      ...valid,
      id: '11111111-1111-4111-8111-111111111111',
      version: 1,
      created_at: '2026-01-01T00:00:00+00:00',
      updated_at: '2026-01-01T00:00:00+00:00',
      deleted_at: null,
      created_by: '33333333-3333-4333-8333-333333333333',
    };
    expect(problems(tripRow, row)).toEqual([]);
    expect(problems(tripRow, valid).length).toBe(6);
  });
});

function dayOfYear(i: number): string {
  const d = new Date(Date.UTC(2026, 0, 1 + i));
  return `${String(d.getUTCMonth() + 1).padStart(2, '0')}-${String(d.getUTCDate()).padStart(2, '0')}`;
}
