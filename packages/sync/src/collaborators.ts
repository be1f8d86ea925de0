// Everything the engine needs from its surroundings, as small interfaces with
// browser defaults. Node tests pass their own (fake clock, failing fetch,
// fake-indexeddb); nothing else in the package touches Date.now, fetch,
// navigator or timers directly.

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** Online/offline as the platform reports it; a failing fetch also counts as offline. */
export interface NetworkMonitor {
  online(): boolean;
  subscribe(onChange: (online: boolean) => void): () => void;
}

export function browserNetwork(): NetworkMonitor {
  const nav = (globalThis as { navigator?: { onLine?: boolean } }).navigator;
  const target = globalThis as unknown as Partial<EventTarget>;
  return {
    online: () => nav?.onLine ?? true,
    subscribe(onChange) {
      if (typeof target.addEventListener !== 'function' || typeof window === 'undefined') return () => {};
      const on = () => onChange(true);
      const off = () => onChange(false);
      window.addEventListener('online', on);
      window.addEventListener('offline', off);
      return () => {
        window.removeEventListener('online', on);
        window.removeEventListener('offline', off);
      };
    },
  };
}

/**
 * An exclusive lock held while `fn` runs (Web Locks). The syncing tab holds
 * it for as long as it syncs; the others wait in line and take over when it
 * closes.
 */
export interface Locks {
  request(name: string, fn: () => Promise<void>, signal: AbortSignal): Promise<void>;
}

/** A message bus between tabs of one browser (BroadcastChannel). */
export interface Broadcast {
  post(message: unknown): void;
  subscribe(fn: (message: unknown) => void): () => void;
  close(): void;
}

export type BroadcastFactory = (name: string) => Broadcast;

export interface Logger {
  debug(event: string, data?: Record<string, unknown>): void;
  warn(event: string, data?: Record<string, unknown>): void;
  error(event: string, data?: Record<string, unknown>): void;
}

export const silentLogger: Logger = { debug() {}, warn() {}, error() {} };

export const consoleLogger: Logger = {
  debug: () => {},
  warn: (event, data) => console.warn(`[packsync] ${event}`, data ?? ''),
  error: (event, data) => console.error(`[packsync] ${event}`, data ?? ''),
};

type WebLocks = { request(name: string, options: { signal?: AbortSignal }, fn: () => Promise<void>): Promise<void> };

/** navigator.locks where it exists; otherwise an in-process lock shared by engines over one IndexedDB factory. */
export function defaultLocks(scope: object): Locks {
  const webLocks = (globalThis as { navigator?: { locks?: WebLocks } }).navigator?.locks;
  if (webLocks) {
    return {
      request: (name, fn, signal) =>
        webLocks.request(name, { signal }, fn).catch((error: unknown) => {
          if ((error as { name?: string }).name !== 'AbortError') throw error;
        }),
    };
  }
  return memoryLocks(scope);
}

const lockTables = new WeakMap<object, Map<string, Promise<void>>>();

/** Locks for one "browser" (scope: its IndexedDB factory), so two fake devices in one test process stay apart. */
export function memoryLocks(scope: object): Locks {
  let table = lockTables.get(scope);
  if (!table) lockTables.set(scope, (table = new Map()));
  const locks = table;
  return {
    async request(name, fn, signal) {
      const previous = locks.get(name) ?? Promise.resolve();
      let release!: () => void;
      const mine = new Promise<void>((resolve) => (release = resolve));
      const tail = previous.then(() => mine);
      locks.set(name, tail);
      try {
        const aborted = new Promise<'aborted'>((resolve) => {
          if (signal.aborted) resolve('aborted');
          signal.addEventListener('abort', () => resolve('aborted'), { once: true });
        });
        if ((await Promise.race([previous.then(() => 'granted' as const), aborted])) === 'aborted') return;
        await fn();
      } finally {
        release();
        if (locks.get(name) === tail) locks.delete(name);
      }
    },
  };
}

const channelTables = new WeakMap<object, Map<string, Set<(message: unknown) => void>>>();

/** BroadcastChannel in browsers; an in-process bus per IndexedDB factory elsewhere. */
export function defaultBroadcast(scope: object): BroadcastFactory {
  if (typeof window !== 'undefined' && typeof BroadcastChannel === 'function') {
    return (name) => {
      const channel = new BroadcastChannel(name);
      return {
        post: (message) => channel.postMessage(message),
        subscribe(fn) {
          const listener = (event: MessageEvent) => fn(event.data);
          channel.addEventListener('message', listener);
          return () => channel.removeEventListener('message', listener);
        },
        close: () => channel.close(),
      };
    };
  }
  let table = channelTables.get(scope);
  if (!table) channelTables.set(scope, (table = new Map()));
  const channels = table;
  return (name) => {
    const listeners = new Set<(message: unknown) => void>();
    let all = channels.get(name);
    if (!all) channels.set(name, (all = new Set()));
    const bus = all;
    const deliver = (message: unknown) => listeners.forEach((fn) => fn(message));
    bus.add(deliver);
    return {
      // Like BroadcastChannel: never to itself, asynchronously to the others.
      post: (message) => bus.forEach((fn) => fn !== deliver && queueMicrotask(() => fn(structuredClone(message)))),
      subscribe(fn) {
        listeners.add(fn);
        return () => listeners.delete(fn);
      },
      close: () => bus.delete(deliver),
    };
  };
}
