import { describe, expect, it } from 'vitest';
import { figure, quantile, ratios, summarize } from './stats.ts';

describe('bench statistics', () => {
  it('interpolates quantiles between ranks', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([10], 0.99)).toBe(10);
    expect(quantile([0, 10], 0.95)).toBeCloseTo(9.5);
  });

  it('summarises unsorted samples without changing them', () => {
    const samples = [5, 1, 4, 2, 3];
    const s = summarize(samples);
    expect(s).toMatchObject({ count: 5, min: 1, median: 3, max: 5, mean: 3 });
    expect(s.p95).toBeCloseTo(4.8);
    expect(samples).toEqual([5, 1, 4, 2, 3]);
  });

  it('refuses no samples and non-finite ones', () => {
    expect(() => summarize([])).toThrow(/no samples/);
    expect(() => summarize([1, Number.NaN])).toThrow(/finite/);
  });

  it('takes the headline the figure asks for and checks it against the goal', () => {
    const latencies = Array.from({ length: 100 }, (_, i) => i + 1);
    const p95 = figure({ id: 'x', label: 'x', unit: 'ms', samples: latencies, headline: 'p95', goal: { direction: 'at_most', value: 95 } });
    expect(p95.value).toBeCloseTo(95.05);
    expect(p95.met).toBe(false);
    const median = figure({ id: 'y', label: 'y', unit: '×', samples: [0.4, 0.5, 0.6], goal: { direction: 'at_least', value: 0.5 } });
    expect(median.value).toBe(0.5);
    expect(median.met).toBe(true);
    expect(figure({ id: 'z', label: 'z', unit: 'rows/s', samples: [3] }).met).toBeUndefined();
  });

  it('divides per round and refuses mismatched or zero denominators', () => {
    expect(ratios([2, 9], [4, 3])).toEqual([0.5, 3]);
    expect(() => ratios([1], [1, 2])).toThrow(/1 and 2/);
    expect(() => ratios([1], [0])).toThrow(/zero/);
  });
});

describe('rotated rounds', () => {
  it('starts each round one variant later and keeps every variant once', async () => {
    const { rotate } = await import('./rounds.ts');
    expect(rotate(['a', 'b', 'c'], 0)).toEqual(['a', 'b', 'c']);
    expect(rotate(['a', 'b', 'c'], 1)).toEqual(['b', 'c', 'a']);
    expect(rotate(['a', 'b', 'c'], 5)).toEqual(['c', 'a', 'b']);
  });
});
