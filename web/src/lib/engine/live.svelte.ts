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
  // Raw state: the engine hands out fresh rows on every change, and rows that
  // stay plain objects can go back into the engine (IndexedDB cannot clone
  // the proxies deep state would wrap them in).
  let value = $state.raw(initial);
  let loading = $state(true);
  let error = $state.raw<unknown>(undefined);
  $effect(() => {
    const current = engine();
    const query = source();
    if (!current) return;
    loading = true;
    return current.watch(
      query,
      (next) => {
        value = next;
        loading = false;
        error = undefined;
      },
      (failure) => {
        error = failure;
        loading = false;
      },
    );
  });
  return {
    get value() { return value; },
    get loading() { return loading; },
    get error() { return error; },
  };
}

/** The engine's status as state; `null` before an engine exists. */
export function liveStatus(engine: () => SyncEngine | null): { readonly value: SyncStatus | null } {
  let value = $state.raw<SyncStatus | null>(null);
  $effect(() => {
    const current = engine();
    if (!current) return;
    value = current.status.get();
    return current.status.subscribe((status) => {
      value = status;
    });
  });
  return {
    get value() { return value; },
  };
}
