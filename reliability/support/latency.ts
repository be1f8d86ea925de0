// Latency figures for reports (never asserted: speed is compared as ratios
// within one run, and printed).
export interface Latency {
  count: number;
  p50: number;
  p95: number;
  max: number;
}

export function summarize(samples: number[]): Latency {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  return { count: sorted.length, p50: at(0.5), p95: at(0.95), max: sorted[sorted.length - 1] ?? NaN };
}

export const ms = (value: number) => `${value.toFixed(1)} ms`;
export const describeLatency = (l: Latency) => `n=${l.count} p50 ${ms(l.p50)} p95 ${ms(l.p95)} max ${ms(l.max)}`;
