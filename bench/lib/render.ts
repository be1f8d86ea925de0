// Text, Markdown and SVG views of the results. Pure functions of the results
// file, so docs/benchmarks.md can be re-rendered without re-measuring.
import type { BenchResults, Figure, MeasureReport } from './types.ts';
import { round } from './stats.ts';

export function formatNumber(value: number): string {
  const r = round(value, 3);
  return Math.abs(r) >= 10_000 ? Math.round(r).toLocaleString('en-US') : String(r);
}

export function formatGoal(f: Figure): string {
  if (!f.goal) return '—';
  return `${f.goal.direction === 'at_least' ? '≥' : '≤'} ${formatNumber(f.goal.value)}`;
}

export function verdict(f: Figure): string {
  if (f.met === undefined) return '';
  return f.met ? 'met' : 'missed';
}

function headlineName(f: Figure): string {
  return f.headline === 'single' ? '' : ` (${f.headline})`;
}

/** The table printed at the end of a run. */
export function textTable(reports: readonly MeasureReport[]): string {
  const rows: string[][] = [['figure', 'value', 'unit', 'goal', '', 'min / median / max', 'n']];
  for (const report of reports) {
    if (report.skipped) {
      rows.push([`${report.name}: not measured`, '', '', '', '', report.skipped.slice(0, 60), '']);
      continue;
    }
    for (const f of report.figures) {
      rows.push([
        f.id,
        formatNumber(f.value) + headlineName(f),
        f.unit,
        formatGoal(f),
        verdict(f),
        `${formatNumber(f.summary.min)} / ${formatNumber(f.summary.median)} / ${formatNumber(f.summary.max)}`,
        String(f.summary.count),
      ]);
    }
  }
  const columns = rows[0]?.length ?? 0;
  const widths = Array.from({ length: columns }, (_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c] ?? 0)).join('  ').trimEnd()).join('\n');
}

const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * One figure as a horizontal bar against its goal: the bar is the headline
 * value (green when the goal is met, red when missed, grey without a goal),
 * dots are the samples, the dashed line is the goal.
 */
export function figureSvg(f: Figure): string {
  const width = 560;
  const height = 96;
  const left = 12;
  const right = width - 12;
  const top = 34;
  const barHeight = 22;
  // Latency samples can have a long tail; the scale shows up to the p99 and
  // the goal, and samples beyond it sit on the right edge.
  const scaleMax = Math.max(f.value, f.goal?.value ?? 0, f.summary.p99) * 1.15 || 1;
  const x = (v: number) => left + (Math.min(Math.max(v, 0), scaleMax) / scaleMax) * (right - left);
  const colour = f.met === undefined ? '#8a8f98' : f.met ? '#2f9e44' : '#d9480f';
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`);
  parts.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  parts.push(`<text x="${left}" y="16" font-weight="bold">${escapeXml(f.label)}</text>`);
  const valueText = `${formatNumber(f.value)} ${f.unit}${headlineName(f)}${f.goal ? ` — goal ${formatGoal(f)} ${f.unit}: ${verdict(f)}` : ''}`;
  parts.push(`<text x="${left}" y="29" fill="#333">${escapeXml(valueText)}</text>`);
  parts.push(`<rect x="${left}" y="${top}" width="${right - left}" height="${barHeight}" fill="#f1f3f5"/>`);
  parts.push(`<rect x="${left}" y="${top}" width="${(x(f.value) - left).toFixed(1)}" height="${barHeight}" fill="${colour}"/>`);
  const sampleDots = f.samples.length > 200 ? [] : f.samples;
  for (const s of sampleDots) {
    parts.push(`<circle cx="${x(s).toFixed(1)}" cy="${top + barHeight / 2}" r="2.5" fill="#1c1c1c" fill-opacity="0.55"/>`);
  }
  if (f.goal) {
    const gx = x(f.goal.value).toFixed(1);
    parts.push(`<line x1="${gx}" x2="${gx}" y1="${top - 4}" y2="${top + barHeight + 4}" stroke="#1c1c1c" stroke-width="2" stroke-dasharray="4 3"/>`);
    parts.push(`<text x="${gx}" y="${top + barHeight + 16}" text-anchor="middle" fill="#1c1c1c">goal ${escapeXml(formatNumber(f.goal.value))}</text>`);
  }
  parts.push(`<text x="${left}" y="${top + barHeight + 16}" fill="#666">0</text>`);
  parts.push(`<text x="${right}" y="${top + barHeight + 16}" text-anchor="end" fill="#666">${escapeXml(formatNumber(scaleMax))}</text>`);
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}

export function svgFileName(f: Figure): string {
  return `${f.id.replace(/[^a-zA-Z0-9_.-]/g, '_')}.svg`;
}

const escapeCell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** docs/benchmarks.md; charts are referenced from `chartDir` (relative to the page). */
export function markdown(results: BenchResults, intro: string, chartDir: string, findings = ''): string {
  const m = results.machine;
  const lines: string[] = [];
  lines.push('# Benchmarks', '');
  lines.push(intro.trim(), '');
  lines.push(`Machine: ${m.cores} cores (${m.cpuModel}), ${(m.memoryBytes / 2 ** 30).toFixed(1)} GiB memory, ${m.platform}, Node ${m.node}` +
    `${m.postgres ? `, ${m.postgres}` : ''}${m.chromium ? `, ${m.chromium}` : ''}. Results last updated ${results.updatedAt}.`, '');
  lines.push('## Summary', '');
  lines.push('| measure | figure | value | goal | |', '|---|---|---|---|---|');
  for (const r of results.measures) {
    if (r.skipped) {
      lines.push(`| ${escapeCell(r.title)} | not measured | — | — | ${escapeCell(r.skipped)} |`);
      continue;
    }
    for (const f of r.figures.filter((f) => f.goal)) {
      lines.push(`| ${escapeCell(r.title)} | ${escapeCell(f.label)} | ${formatNumber(f.value)} ${escapeCell(f.unit)}${headlineName(f)} | ${formatGoal(f)} | ${verdict(f)} |`);
    }
  }
  lines.push('');
  if (findings.trim()) lines.push(findings.trim(), '');
  for (const r of results.measures) {
    lines.push(`## ${r.title}`, '');
    lines.push(`\`npm run bench -- ${r.name}\` · measured ${r.at} in ${Math.round(r.seconds)} s`, '');
    if (r.skipped) {
      lines.push(`Not measured: ${r.skipped}`, '');
      continue;
    }
    lines.push('| figure | value | goal | samples (min / median / max, n) | beside |', '|---|---|---|---|---|');
    for (const f of r.figures) {
      lines.push(`| ${escapeCell(f.label)} | ${formatNumber(f.value)} ${escapeCell(f.unit)}${headlineName(f)} ${verdict(f)} | ${formatGoal(f)} | ` +
        `${formatNumber(f.summary.min)} / ${formatNumber(f.summary.median)} / ${formatNumber(f.summary.max)}, ${f.summary.count} | ${escapeCell(f.baseline ?? '')} |`);
    }
    lines.push('');
    for (const f of r.figures) lines.push(`![${escapeCell(f.label)}](${chartDir}/${svgFileName(f)})`);
    lines.push('');
    if (r.notes.length > 0) {
      for (const n of r.notes) lines.push(`- ${n}`);
      lines.push('');
    }
    for (const [name, text] of Object.entries(r.evidence)) {
      lines.push(`<details><summary>${escapeXml(name)}</summary>`, '', '```', text.trimEnd(), '```', '', '</details>', '');
    }
  }
  return lines.join('\n');
}
