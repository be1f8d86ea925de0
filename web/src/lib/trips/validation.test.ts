import { personFields, tripFields } from '@packsync/model';
import { describe, expect, it } from 'vitest';
import { firstIssue } from './validation.ts';

describe('firstIssue', () => {
  it('names the field and the rule from the model', () => {
    const trip = { name: ' ', destination: '', start_date: null, end_date: null, days: [], settings: {} };
    expect(firstIssue(tripFields, trip)).toBe('name: must not be blank');
    expect(firstIssue(tripFields, { ...trip, name: 'Ski', start_date: '2026-12-10', end_date: '2026-12-01' })).toBe(
      'end date: must be on or after start_date',
    );
    expect(firstIssue(tripFields, { ...trip, name: 'Ski' })).toBeUndefined();
    expect(firstIssue(personFields, { trip_id: crypto.randomUUID(), name: 'Ann', kind: 'robot', preferences: {} })).toMatch(/^kind: must be one of/);
  });
});
