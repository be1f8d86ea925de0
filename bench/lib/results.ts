// bench/results/latest.json: the newest report of every measure. A run of one
// measure replaces that measure's report and keeps the others, so the page
// always shows all of them, each with the time it was measured.
import { existsSync } from 'node:fs';
import { readFile, writeFile, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { figureSvg, markdown, svgFileName } from './render.ts';
import type { BenchResults, Machine, MeasureReport } from './types.ts';

export async function loadResults(file: string): Promise<BenchResults | undefined> {
  if (!existsSync(file)) return undefined;
  return JSON.parse(await readFile(file, 'utf8')) as BenchResults;
}

/** Merges fresh reports into earlier results, in the order of `order` (the measure names). */
export function mergeResults(earlier: BenchResults | undefined, fresh: readonly MeasureReport[], machine: Machine, order: readonly string[], now: string): BenchResults {
  const byName = new Map((earlier?.measures ?? []).map((m) => [m.name, m]));
  for (const m of fresh) byName.set(m.name, m);
  const measures = [...byName.values()].sort((a, b) => rank(a.name) - rank(b.name));
  // A run of measures without a browser keeps the Chromium the browser measures kept in the file ran in.
  const chromium = machine.chromium ?? earlier?.machine.chromium;
  return { machine: chromium ? { ...machine, chromium } : machine, updatedAt: now, measures };

  function rank(name: string) {
    const i = order.indexOf(name);
    return i === -1 ? order.length : i;
  }
}

export async function writeOutputs(results: BenchResults, files: { json: string; page: string; charts: string; findings: string }, intro: string) {
  await mkdir(path.dirname(files.json), { recursive: true });
  await writeFile(files.json, JSON.stringify(results, null, 2) + '\n');
  await rm(files.charts, { recursive: true, force: true });
  await mkdir(files.charts, { recursive: true });
  for (const m of results.measures) {
    for (const f of m.figures) await writeFile(path.join(files.charts, svgFileName(f)), figureSvg(f));
  }
  const chartDir = path.relative(path.dirname(files.page), files.charts);
  // The hand-written analysis of missed goals, kept beside the measures.
  const findings = existsSync(files.findings) ? await readFile(files.findings, 'utf8') : '';
  await writeFile(files.page, markdown(results, intro, chartDir, findings));
}
