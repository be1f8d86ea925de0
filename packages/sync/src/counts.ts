// The queue's counts in the status (pending, parked, conflicts) and the
// queue gauges, kept current whichever tab or loop wrote.
import { Dexie } from 'dexie';
import type { Clock, Logger } from './collaborators.ts';
import { PARKED, WAITING, type PacksyncDb } from './db.ts';
import type { Metrics } from './metrics.ts';
import type { StatusStore } from './status.ts';

const COUNT_DEBOUNCE_MS = 50;

export interface Counts {
  pending: number;
  parked: number;
  conflicts: number;
  /** When the oldest queued change was made, or null. */
  oldest: number | null;
}

export class QueueCounts {
  constructor(private readonly deps: { clock: Clock; logger: Logger; status: StatusStore; metrics: Metrics }) {}

  read(database: PacksyncDb): Promise<Counts> {
    return database.transaction('r', database.outbox, database.conflicts, async () => ({
      pending: await database.outbox.where('[parked+seq]').between(...WAITING).count(),
      parked: await database.outbox.where('[parked+seq]').between(...PARKED).count(),
      conflicts: await database.conflicts.count(),
      oldest: (await database.outbox.orderBy('seq').first())?.queued_at ?? null,
    }));
  }

  show(counts: Counts): void {
    const { status, metrics, clock } = this.deps;
    status.set({ pending: counts.pending, parked: counts.parked, conflicts: counts.conflicts });
    metrics.gauge('queue_depth', counts.pending + counts.parked);
    metrics.gauge('queue_oldest_ms', counts.oldest === null ? 0 : clock.now() - counts.oldest);
  }

  /**
   * Keeps the counts current on Dexie's storage-mutated event (also raised
   * for other tabs' writes), debounced, since a count per write would make a
   * burst of edits quadratic. Returns the unsubscribe.
   */
  watch(database: PacksyncDb): () => void {
    const { clock, logger } = this.deps;
    let timer: unknown = null;
    const refresh = () => {
      timer = null;
      if (!database.isOpen()) return;
      this.read(database).then((c) => this.show(c), (error: unknown) => logger.warn('status_query_failed', { error: String(error) }));
    };
    const onMutated = (parts: Record<string, unknown>) => {
      if (timer !== null) return;
      if (!Object.keys(parts).some((k) => k.startsWith(`idb://${database.name}/outbox`) || k.startsWith(`idb://${database.name}/conflicts`))) return;
      timer = clock.setTimeout(refresh, COUNT_DEBOUNCE_MS);
    };
    Dexie.on('storagemutated', onMutated);
    refresh();
    return () => {
      Dexie.on('storagemutated').unsubscribe(onMutated);
      if (timer !== null) clock.clearTimeout(timer);
    };
  }
}
