// Brings a trip's generated items in line with the rules through the engine.
// The plan comes from the model (planRegeneration), which never overwrites a
// field a person edited and never writes `packed`; this file only applies it.
import { planRegeneration, type Operation } from '@packsync/model';
import type { SyncEngine } from '../engine/surface.ts';

export interface RegenerationSummary {
  created: number;
  updated: number;
  deleted: number;
  /** Items the rules no longer want but that a person edited or packed: kept and shown. */
  flagged: { id: string; reason: string }[];
}

type Writer = Pick<SyncEngine, 'create' | 'update' | 'delete'>;
type Reader = Pick<SyncEngine, 'get' | 'list'>;

/** Applies a plan in order; each write is durable (outbox) before the next starts. */
export async function applyPlan(engine: Writer, ops: readonly Operation[]): Promise<RegenerationSummary> {
  const summary: RegenerationSummary = { created: 0, updated: 0, deleted: 0, flagged: [] };
  for (const op of ops) {
    switch (op.op) {
      case 'create':
        // The engine assigns the row id; the plan's id only names the create.
        await engine.create('items', { ...op.fields });
        summary.created++;
        break;
      case 'update':
        await engine.update('items', op.id, { ...op.fields });
        summary.updated++;
        break;
      case 'delete':
        await engine.delete('items', op.id);
        summary.deleted++;
        break;
      case 'flag':
        summary.flagged.push({ id: op.id, reason: op.reason });
        break;
    }
  }
  return summary;
}

// Two regenerations of one trip at once would both see "no item yet" and
// create the same items twice, so runs of one trip queue behind each other.
const running = new Map<string, Promise<unknown>>();

/**
 * Plans from the local rows (server state plus pending edits, and tombstones
 * of deleted items) and applies the plan. `restoreDeleted`: create again the
 * generated items a tombstone holds back (the user's deletes, and the rules'
 * own deletes of items that stopped applying).
 */
export function regenerateTrip(engine: Reader & Writer, tripId: string,
  options: { restoreDeleted?: boolean } = {}): Promise<RegenerationSummary> {
  const previous = running.get(tripId) ?? Promise.resolve();
  const next = previous.catch(() => undefined).then(async () => {
    const trip = await engine.get('trips', tripId);
    if (!trip) throw new Error('This trip is no longer on this device.');
    const [people, overrides, items] = await Promise.all([
      engine.list('people', { trip_id: tripId }),
      engine.list('rule_overrides', { trip_id: tripId }),
      // Tombstones too: a generated item the user deleted is not created again.
      engine.list('items', { trip_id: tripId, includeDeleted: true }),
    ]);
    const ops = planRegeneration({
      trip,
      people,
      overrides,
      existingItems: items,
      newId: () => crypto.randomUUID(),
      restoreDeleted: options.restoreDeleted === true,
    });
    return applyPlan(engine, ops);
  });
  running.set(tripId, next);
  void next.finally(() => {
    if (running.get(tripId) === next) running.delete(tripId);
  });
  return next;
}
