import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { DAY_MS, runMaintenance, scheduleMaintenance, type Timers } from './maintenance.ts';
import { testStack } from './testing.ts';

function fakeTimers() {
  const pending: { fn: () => void; ms: number }[] = [];
  const timers: Timers = {
    setTimeout: (fn, ms) => {
      const entry = { fn, ms };
      pending.push(entry);
      return entry;
    },
    clearTimeout: (h) => {
      const i = pending.indexOf(h as never);
      if (i !== -1) pending.splice(i, 1);
    },
  };
  return { timers, pending };
}

/** Lets the run's promise chain finish (the fake job answers at once). */
const settle = () => new Promise((r) => setImmediate(r));

describe('maintenance on the local stack', () => {
  it('runs at start-up and then once a day, going on after a failed run', async () => {
    const { timers, pending } = fakeTimers();
    const lines: string[] = [];
    let runs = 0;
    const schedule = scheduleMaintenance({
      run: async () => {
        runs++;
        if (runs === 2) throw new Error('database busy');
        return { log_rows_removed: 0 };
      },
      log: (line) => lines.push(line),
      timers,
    });
    await settle();
    expect(runs).toBe(1);
    expect(pending.map((p) => p.ms)).toEqual([DAY_MS]);
    for (let day = 0; day < 2; day++) {
      pending.shift()!.fn();
      await settle();
    }
    expect(runs).toBe(3);
    expect(lines[1]).toMatch(/maintenance failed.*database busy/);
    await schedule.stop();
    expect(pending).toEqual([]);
  });

  it('calls the retention function the migrations define', async () => {
    const sql = postgres(testStack().dbUrl, { max: 1, onnotice: () => {} });
    try {
      const result = await runMaintenance(sql)();
      expect(result).toMatchObject({ log_rows_removed: expect.any(Number), processed_changes_removed: expect.any(Number) });
    } finally {
      await sql.end();
    }
  });
});
