// A health report for the app's diagnostics: queue, network, storage quota,
// IndexedDB, conflicts, the server → healthy / degraded / unhealthy.
import type { Clock, Logger } from './collaborators.ts';
import { WAITING, type PacksyncDb } from './db.ts';
import type { Transport } from './transport.ts';
import type { SyncStatus } from './types.ts';

export type HealthLevel = 'healthy' | 'degraded' | 'unhealthy';

export interface HealthCheck {
  name: 'indexeddb' | 'queue' | 'parked' | 'conflicts' | 'network' | 'server' | 'storage' | 'auth';
  level: HealthLevel;
  detail: string;
}

export interface HealthReport {
  status: HealthLevel;
  checks: HealthCheck[];
  at: number;
}

/** Oldest queued change older than this while online: the queue is not draining. */
export const STUCK_QUEUE_MS = 5 * 60_000;

export async function checkHealth(deps: { db: PacksyncDb | undefined; status: SyncStatus; clock: Clock; transport: Transport; logger: Logger }): Promise<HealthReport> {
  const { db, status, clock } = deps;
  const checks: HealthCheck[] = [];
  const now = clock.now();
  if (!db || !db.isOpen()) {
    checks.push({ name: 'indexeddb', level: 'unhealthy', detail: 'The local database is not open.' });
  } else {
    checks.push({ name: 'indexeddb', level: 'healthy', detail: `${db.name} v${db.verno}` });
    const oldest = await db.outbox.where('[parked+seq]').between(...WAITING).first();
    const age = oldest ? now - oldest.queued_at : 0;
    checks.push({
      name: 'queue',
      level: age > STUCK_QUEUE_MS && status.online ? 'degraded' : 'healthy',
      detail: `${status.pending} queued, oldest ${Math.round(age / 1000)} s`,
    });
  }
  checks.push({ name: 'parked', level: status.parked > 0 ? 'degraded' : 'healthy', detail: `${status.parked} refused by the server` });
  checks.push({ name: 'conflicts', level: status.conflicts > 0 ? 'degraded' : 'healthy', detail: `${status.conflicts} waiting` });
  checks.push({ name: 'network', level: status.online ? 'healthy' : 'degraded', detail: status.online ? 'online' : 'offline' });
  checks.push({
    name: 'auth', level: status.state === 'paused_auth' ? 'unhealthy' : 'healthy',
    detail: status.state === 'paused_auth' ? 'Session expired: sign in again.' : 'ok',
  });
  const storage = (globalThis as { navigator?: { storage?: { estimate?(): Promise<{ usage?: number; quota?: number }> } } }).navigator?.storage;
  if (storage?.estimate) {
    try {
      const { usage = 0, quota = 0 } = await storage.estimate();
      const share = quota ? usage / quota : 0;
      checks.push({ name: 'storage', level: share > 0.95 ? 'unhealthy' : share > 0.8 ? 'degraded' : 'healthy', detail: `${usage} of ${quota} bytes` });
    } catch (error) {
      deps.logger.warn('storage_estimate_failed', { error: String(error) });
    }
  }
  if (status.online) {
    try {
      const response = await deps.transport.get('health');
      const body = (await response.json()) as { status?: string };
      checks.push({ name: 'server', level: body.status === 'ok' ? 'healthy' : 'degraded', detail: `server ${body.status}` });
    } catch (error) {
      checks.push({ name: 'server', level: 'degraded', detail: `unreachable: ${String((error as Error).message)}` });
    }
  }
  const worst: HealthLevel = checks.some((c) => c.level === 'unhealthy') ? 'unhealthy'
    : checks.some((c) => c.level === 'degraded') ? 'degraded' : 'healthy';
  return { status: worst, checks, at: now };
}
