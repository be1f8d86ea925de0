// Counters and timings kept in memory for the life of the engine. Counters
// are keyed by name and labels (`operations{entity=items,op=upsert,status=applied}`);
// timings keep count, sum, max and a bounded sample for percentiles.

export interface TimingSummary {
  count: number;
  mean: number;
  p50: number;
  p95: number;
  max: number;
}

export interface MetricsSnapshot {
  counters: Record<string, number>;
  timings: Record<string, TimingSummary>;
  gauges: Record<string, number>;
}

const SAMPLE = 512;

function key(name: string, labels?: Record<string, string>): string {
  if (!labels) return name;
  const parts = Object.keys(labels).sort().map((k) => `${k}=${labels[k]}`);
  return `${name}{${parts.join(',')}}`;
}

export class Metrics {
  private counters = new Map<string, number>();
  private timings = new Map<string, { count: number; sum: number; max: number; sample: number[] }>();
  private gauges = new Map<string, number>();

  count(name: string, labels?: Record<string, string>, by = 1): void {
    const k = key(name, labels);
    this.counters.set(k, (this.counters.get(k) ?? 0) + by);
  }

  timing(name: string, ms: number): void {
    let t = this.timings.get(name);
    if (!t) this.timings.set(name, (t = { count: 0, sum: 0, max: 0, sample: [] }));
    t.count++;
    t.sum += ms;
    t.max = Math.max(t.max, ms);
    // Keep the newest SAMPLE values: percentiles describe recent behaviour.
    t.sample.push(ms);
    if (t.sample.length > SAMPLE) t.sample.shift();
  }

  gauge(name: string, value: number): void {
    this.gauges.set(name, value);
  }

  snapshot(): MetricsSnapshot {
    const timings: Record<string, TimingSummary> = {};
    for (const [name, t] of this.timings) {
      const sorted = [...t.sample].sort((a, b) => a - b);
      const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
      timings[name] = { count: t.count, mean: t.count ? t.sum / t.count : 0, p50: at(0.5), p95: at(0.95), max: t.max };
    }
    return {
      counters: Object.fromEntries(this.counters),
      timings,
      gauges: Object.fromEntries(this.gauges),
    };
  }
}
