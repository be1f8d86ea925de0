import { describe, expect, it } from 'vitest';
import { figureSvg, markdown, textTable } from './render.ts';
import { mergeResults } from './results.ts';
import { figure } from './stats.ts';
import type { BenchResults, MeasureReport } from './types.ts';

const met = figure({ id: 'a.ratio', label: 'push ÷ floor <new>', unit: '× floor', samples: [0.5, 0.6], goal: { direction: 'at_least', value: 0.45 } });
const missed = figure({ id: 'b.p95', label: 'edit', unit: 'ms', samples: [1, 2, 9], headline: 'p95', goal: { direction: 'at_most', value: 3 } });
const report: MeasureReport = {
  name: 'demo', title: 'Demo measure', at: '2026-12-01T00:00:00.000Z', seconds: 3,
  figures: [met, missed], notes: ['a finding'], evidence: { 'EXPLAIN pull': 'Index Scan on change_log' },
};
const skipped: MeasureReport = { name: 'later', title: 'Later measure', at: report.at, seconds: 0, figures: [], notes: [], evidence: {}, skipped: 'needs the engine' };
const results: BenchResults = {
  machine: { cores: 2, cpuModel: 'cpu', memoryBytes: 24 * 2 ** 30, platform: 'Linux', node: '20.20.2' },
  updatedAt: report.at,
  measures: [report, skipped],
};

describe('bench rendering', () => {
  it('draws the goal line and colours the bar by the verdict', () => {
    const svg = figureSvg(met);
    expect(svg).toContain('stroke-dasharray');
    expect(svg).toContain('#2f9e44');
    expect(svg).toContain('&lt;new&gt;');
    expect(svg.match(/<circle /g)).toHaveLength(2);
    expect(figureSvg(missed)).toContain('#d9480f');
  });

  it('prints every figure with its goal and verdict, and why a measure was not run', () => {
    const table = textTable([report, skipped]);
    expect(table).toMatch(/a\.ratio\s+0\.55 \(median\)\s+× floor\s+≥ 0\.45\s+met/);
    expect(table).toMatch(/b\.p95\s+8\.3 \(p95\)\s+ms\s+≤ 3\s+missed/);
    expect(table).toContain('later: not measured');
  });

  it('renders the page with a chart per figure, the evidence and the skipped reason', () => {
    const page = markdown(results, 'Intro.', 'benchmarks', '## Findings\n\n- the engine applies rows one at a time');
    expect(page).toContain('![push ÷ floor <new>](benchmarks/a.ratio.svg)');
    expect(page).toContain('![edit](benchmarks/b.p95.svg)');
    expect(page).toContain('Index Scan on change_log');
    expect(page).toContain('Not measured: needs the engine');
    expect(page).toContain('2 cores');
    expect(page.indexOf('## Findings')).toBeGreaterThan(page.indexOf('## Summary'));
    expect(page.indexOf('## Findings')).toBeLessThan(page.indexOf('## Demo measure'));
  });
});

describe('bench results file', () => {
  it('a run of some measures keeps the others, and the Chromium they ran in', () => {
    const earlier: BenchResults = { ...results, machine: { ...results.machine, chromium: 'Chromium 156' } };
    const merged = mergeResults(earlier, [{ ...report, seconds: 4 }], results.machine, ['demo', 'later'], '2026-12-02T00:00:00.000Z');
    expect(merged.machine.chromium).toBe('Chromium 156');
    expect(merged.measures.map((m) => [m.name, m.seconds])).toEqual([['demo', 4], ['later', 0]]);
    expect(mergeResults(earlier, [], { ...results.machine, chromium: 'Chromium 157' }, [], 'now').machine.chromium).toBe('Chromium 157');
  });
});
