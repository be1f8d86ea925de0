// The shapes every measure reports and the renderers read. A figure is one
// number shown beside its goal; its samples are what the number summarises
// (per-round ratios, per-request latencies, ...), kept so a reader can see
// the spread and not only the headline.

/** How a figure is compared with its goal. */
export type GoalDirection = 'at_least' | 'at_most';

export interface Goal {
  direction: GoalDirection;
  value: number;
  /** Where the goal comes from, e.g. "issue #12" or "PowerSync publishes 27 600". */
  source?: string;
}

/** Which summary of the samples is the figure's headline value. */
export type Headline = 'median' | 'p50' | 'p95' | 'p99' | 'max' | 'min' | 'single';

export interface Summary {
  count: number;
  min: number;
  median: number;
  max: number;
  mean: number;
  p95: number;
  p99: number;
}

export interface Figure {
  /** Stable key, e.g. "push_floor.new.ratio". */
  id: string;
  label: string;
  unit: string;
  headline: Headline;
  value: number;
  samples: number[];
  summary: Summary;
  goal?: Goal;
  /** undefined when the figure has no goal (context figures such as absolute rates). */
  met?: boolean;
  /** What the figure is divided by, or measured beside, in the same run. */
  baseline?: string;
}

export interface MeasureReport {
  name: string;
  title: string;
  /** ISO time the measure finished. */
  at: string;
  seconds: number;
  figures: Figure[];
  /** Short findings: causes of missed goals, caveats, what the figures mean. */
  notes: string[];
  /** Long evidence kept verbatim in the results file, e.g. EXPLAIN output. */
  evidence: Record<string, string>;
  /** Set when the measure could not run; then figures is empty. */
  skipped?: string;
}

export interface Machine {
  cores: number;
  cpuModel: string;
  memoryBytes: number;
  platform: string;
  node: string;
  postgres?: string;
  chromium?: string;
}

export interface BenchResults {
  machine: Machine;
  /** When the most recent measure in the file ran. */
  updatedAt: string;
  measures: MeasureReport[];
}

/** What a measure gets from the harness. */
export interface BenchContext {
  dbUrl: string;
  apiUrl: string;
  anonKey: string;
  serviceRoleKey: string;
  /** One line of progress, shown while the measure runs. */
  progress: (line: string) => void;
  /** The sync function's request log of this run. */
  serverLog: import('./server-log.ts').ServerLog;
}

export interface Measure {
  name: string;
  title: string;
  /** Runs before the others (pull_cost needs a log that earlier measures have not grown yet). */
  runFirst?: boolean;
  run(ctx: BenchContext): Promise<MeasureOutput>;
}

export type MeasureOutput = Omit<MeasureReport, 'name' | 'title' | 'at' | 'seconds' | 'skipped'> & {
  /** The browser's version, for measures that drive Chromium. */
  chromium?: string;
};
