// Figures a suite hands to the full run's report (docs/reliability.md): when
// PACKSYNC_FIGURES_DIR is set (by `npm run test:faults`), each suite writes
// its own JSON file there; otherwise figures are only printed.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export function recordFigures(name: string, figures: unknown): void {
  const dir = process.env.PACKSYNC_FIGURES_DIR;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, `${name}.json`), `${JSON.stringify(figures, null, 2)}\n`);
}
