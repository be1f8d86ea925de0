// The part of the client sync engine (@packsync/sync) the app uses: its own
// types, with rows typed by the model instead of `Record<string, unknown>`.
// The UI talks to the engine only through this surface and never calls the
// sync function itself.
import type { EntityName, Item, Person, RuleOverride, Trip, TripMember } from '@packsync/model';
import type { HistoryEntry as EngineHistoryEntry, SyncEngine as Engine } from '@packsync/sync';

export type {
  Conflict, HealthCheck, HealthLevel, HealthReport, MetricsSnapshot, OutboxEntry, SyncState, SyncStatus,
} from '@packsync/sync';
export type { EntityName };

/** Membership as the server returns it: consent status and e-mail are server-managed. */
export type Membership = TripMember & { status: 'invited' | 'active'; email: string | null };

export interface RowsByEntity {
  trips: Trip;
  trip_members: Membership;
  people: Person;
  items: Item;
  rule_overrides: RuleOverride;
}

export type HistoryEntry = EngineHistoryEntry & { entity: EntityName };

export type SyncEngine = Omit<Engine, 'get' | 'list' | 'history' | 'db'> & {
  get<E extends EntityName>(entity: E, id: string): Promise<RowsByEntity[E] | undefined>;
  /** `includeDeleted`: also the tombstones of deleted rows (`deleted_at` set). */
  list<E extends EntityName>(entity: E, where?: { trip_id?: string; includeDeleted?: boolean }): Promise<RowsByEntity[E][]>;
  history(tripId: string, page?: { before?: string | null; limit?: number }): Promise<{ entries: HistoryEntry[]; next: string | null }>;
};
