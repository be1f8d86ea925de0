// The sync status as an observable value the UI renders as it is.
import type { SyncStatus } from './types.ts';

export const INITIAL_STATUS: SyncStatus = {
  state: 'idle', pending: 0, parked: 0, conflicts: 0, lastSyncedAt: null, lastError: null, online: true,
  initialSync: { done: false, rows: 0 },
};

export class StatusStore {
  private value: SyncStatus = INITIAL_STATUS;
  private listeners = new Set<(status: SyncStatus) => void>();

  get(): SyncStatus {
    return this.value;
  }

  set(patch: Partial<SyncStatus>): void {
    const next = { ...this.value, ...patch };
    if (JSON.stringify(next) === JSON.stringify(this.value)) return;
    this.value = next;
    for (const fn of this.listeners) fn(next);
  }

  /** Calls `fn` now and on every change; returns the unsubscribe. */
  subscribe(fn: (status: SyncStatus) => void): () => void {
    this.listeners.add(fn);
    fn(this.value);
    return () => this.listeners.delete(fn);
  }
}
