// Summaries of samples and the figure built from them. Quantiles interpolate
// linearly between the two nearest ranks (the "R-7" rule spreadsheets use), so
// the median of an even count is the mean of the middle two.
import type { Figure, Goal, Headline, Summary } from './types.ts';

export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) throw new Error('quantile of no samples');
  if (q < 0 || q > 1) throw new Error(`quantile ${q} is outside 0..1`);
  const position = (sorted.length - 1) * q;
  const lower = at(sorted, Math.floor(position));
  const upper = at(sorted, Math.ceil(position));
  return lower + (upper - lower) * (position - Math.floor(position));
}

export function summarize(samples: readonly number[]): Summary {
  if (samples.length === 0) throw new Error('summary of no samples');
  if (samples.some((s) => !Number.isFinite(s))) throw new Error('samples must be finite numbers');
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    count: sorted.length,
    min: at(sorted, 0),
    median: quantile(sorted, 0.5),
    max: at(sorted, sorted.length - 1),
    mean: sorted.reduce((a, b) => a + b, 0) / sorted.length,
    p95: quantile(sorted, 0.95),
    p99: quantile(sorted, 0.99),
  };
}

function headlineOf(summary: Summary, headline: Headline): number {
  switch (headline) {
    case 'median':
    case 'p50':
    case 'single':
      return summary.median;
    case 'p95':
      return summary.p95;
    case 'p99':
      return summary.p99;
    case 'max':
      return summary.max;
    case 'min':
      return summary.min;
  }
}

export function meets(value: number, goal: Goal): boolean {
  return goal.direction === 'at_least' ? value >= goal.value : value <= goal.value;
}

export interface FigureInput {
  id: string;
  label: string;
  unit: string;
  samples: readonly number[];
  headline?: Headline;
  goal?: Goal;
  baseline?: string;
}

export function figure(input: FigureInput): Figure {
  const summary = summarize(input.samples);
  const headline = input.headline ?? (input.samples.length === 1 ? 'single' : 'median');
  const value = headlineOf(summary, headline);
  return {
    id: input.id,
    label: input.label,
    unit: input.unit,
    headline,
    value,
    samples: [...input.samples],
    summary,
    goal: input.goal,
    met: input.goal ? meets(value, input.goal) : undefined,
    baseline: input.baseline,
  };
}

/** Element-wise a[i] / b[i], e.g. per-round ratios of two variants' times. */
export function ratios(numerators: readonly number[], denominators: readonly number[]): number[] {
  if (numerators.length !== denominators.length) {
    throw new Error(`ratios of ${numerators.length} and ${denominators.length} samples`);
  }
  return numerators.map((n, i) => {
    const d = at(denominators, i);
    if (d === 0) throw new Error('ratio with a zero denominator');
    return n / d;
  });
}

function at(values: readonly number[], i: number): number {
  const v = values[i];
  if (v === undefined) throw new Error(`no sample at ${i} of ${values.length}`);
  return v;
}

export function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

/** Rounds to a few significant digits for display (never used for goal checks). */
export function round(value: number, digits = 3): number {
  if (value === 0 || !Number.isFinite(value)) return value;
  const magnitude = Math.floor(Math.log10(Math.abs(value)));
  const factor = 10 ** Math.max(0, digits - 1 - magnitude);
  return Math.round(value * factor) / factor;
}
