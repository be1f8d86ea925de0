// GET /sync/health: is this instance able to serve? The status for anyone;
// the checks (migration version, lag, stream counts) for the service-role
// key only (the handler decides). Nothing secret either way.
import { PROTOCOL_VERSION, type HealthResponse, type HealthStatus } from '@packsync/protocol';
import type { Clock } from '../clock.ts';
import type { SyncDb } from '../db.ts';
import type { ListenerState } from './stream.ts';

export interface HealthOptions {
  db: Pick<SyncDb, 'probe'>;
  clock: Clock;
  streams: () => { count: number; listener: ListenerState; held: number };
  /** Longest the database may take to answer before it counts as down. */
  timeoutMs?: number;
  /** Pull horizon lag above which the service is degraded. */
  maxLogLagMs?: number;
}

export async function checkHealth(options: HealthOptions): Promise<HealthResponse> {
  const { clock } = options;
  const started = clock.now();
  let probe: Awaited<ReturnType<SyncDb['probe']>> | undefined;
  let timer: unknown;
  try {
    probe = await Promise.race([
      options.db.probe(),
      new Promise<never>((_, reject) => {
        timer = clock.setTimeout(() => reject(new Error('health probe timed out')), options.timeoutMs ?? 2000);
      }),
    ]);
  } catch {
    probe = undefined;
  } finally {
    clock.clearTimeout(timer);
  }
  const { count, listener, held } = options.streams();
  let status: HealthStatus = 'ok';
  if (!probe) status = 'down';
  else if (probe.migration === null || probe.logLagMs > (options.maxLogLagMs ?? 30_000) || listener === 'down') {
    status = 'degraded';
  }
  return {
    status,
    protocol_version: PROTOCOL_VERSION,
    time: new Date(clock.now()).toISOString(),
    checks: {
      database: probe ? 'ok' : 'down',
      database_latency_ms: probe ? clock.now() - started : null,
      migration: probe?.migration ?? null,
      log_lag_ms: probe ? probe.logLagMs : null,
      streams: count,
      listener,
      held_pokes: held,
    },
  };
}
