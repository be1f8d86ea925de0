import { describe, expect, it } from 'vitest';
import { addDays, daysBetween, isIsoDate } from './dates.ts';

describe('isIsoDate', () => {
  it('accepts real calendar dates, including leap days', () => {
    expect(isIsoDate('2026-01-31')).toBe(true);
    expect(isIsoDate('2024-02-29')).toBe(true);
    expect(isIsoDate('2000-02-29')).toBe(true);
  });

  it('rejects impossible dates and other shapes', () => {
    for (const bad of ['2026-02-30', '2025-02-29', '1900-02-29', '2026-13-01', '2026-00-10', '2026-04-31', '2026-1-1', '20260101', '2026-01-01T00:00:00Z', '']) {
      expect(isIsoDate(bad), bad).toBe(false);
    }
  });
});

describe('date arithmetic', () => {
  it('counts days across month, year and DST boundaries', () => {
    expect(daysBetween('2026-03-28', '2026-04-02')).toBe(5);
    expect(daysBetween('2025-12-31', '2026-01-01')).toBe(1);
    expect(daysBetween('2026-01-05', '2026-01-01')).toBe(-4);
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2026-10-24', 3)).toBe('2026-10-27');
    expect(addDays('0099-12-31', 1)).toBe('0100-01-01');
  });
});
