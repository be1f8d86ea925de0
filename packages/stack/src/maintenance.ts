import type { Sql } from 'postgres';

/** What the schedule needs from a clock; injected so tests can move time. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface MaintenanceOptions {
  /** Runs the job once; its result is logged. */
  run: () => Promise<unknown>;
  log: (line: string) => void;
  timers?: Timers;
  /** Between runs (default one day). */
  intervalMs?: number;
}

export const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The change log's retention job on the local stack, as pg_cron runs it on a
 * hosted project (docs/deploy.md): once at start-up, then once a day. A run
 * that fails is logged and the schedule goes on; the next one catches up.
 */
export function scheduleMaintenance(options: MaintenanceOptions): { stop(): Promise<void> } {
  const timers = options.timers ?? { setTimeout: (fn, ms) => setTimeout(fn, ms).unref(), clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout) };
  let timer: unknown;
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  const tick = () => {
    running = options.run().then(
      (result) => options.log(`maintenance: ${JSON.stringify(result)}`),
      (error) => options.log(`maintenance failed (next run in a day): ${String(error)}`),
    ).finally(() => {
      if (!stopped) timer = timers.setTimeout(tick, options.intervalMs ?? DAY_MS);
    });
  };
  tick();
  return {
    async stop() {
      stopped = true;
      timers.clearTimeout(timer);
      await running;
    },
  };
}

/** The SQL side of the job (supabase/migrations/*_maintenance.sql), run as the database owner. */
export const runMaintenance = (sql: Sql) => async () => {
  const [row] = await sql<{ result: unknown }[]>`select packsync_private.run_maintenance() as result`;
  return row!.result;
};
