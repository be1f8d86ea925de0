// Turns engine.watch (a Dexie liveQuery underneath, so it re-runs when the
// mirror, the outbox or the conflicts change, also from another tab) into
// Svelte 5 state.
import type { SyncEngine, SyncStatus } from './surface.ts';

export interface Live<T> {
  readonly value: T;
  readonly loading: boolean;
  readonly error: unknown;
}

/**
 * `source` runs inside an effect: whatever reactive state it reads (a route
 * parameter, a toggle) restarts the watch; the query it returns runs in the
 * engine, outside Svelte's tracking. Call it during component initialisation.
 */
export function live<T>(engine: () => SyncEngine | null, source: () => () => Promise<T>, initial: T): Live<T> {
  const box = $state({ value: initial, loading: true, error: undefined as unknown });
  $effect(() => {
    const current = engine();
    const query = source();
    if (!current) return;
    box.loading = true;
    return current.watch(
      query,
      (value) => {
        box.value = value;
        box.loading = false;
        box.error = undefined;
      },
      (error) => {
        box.error = error;
        box.loading = false;
      },
    );
  });
  return box;
}

/** The engine's status as state; `null` before an engine exists. */
export function liveStatus(engine: () => SyncEngine | null): { readonly value: SyncStatus | null } {
  const box = $state({ value: null as SyncStatus | null });
  $effect(() => {
    const current = engine();
    if (!current) return;
    box.value = current.status.get();
    return current.status.subscribe((status) => {
      box.value = status;
    });
  });
  return box;
}
