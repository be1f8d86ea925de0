// Bundled for Chromium by bench/lib/browser.ts: the real engine (and
// supabase-js) behind a small API the measures drive with page.evaluate.
// Times are performance.timeOrigin + performance.now(): comparable between
// pages of one browser, so a write on one device and its arrival on another
// can be subtracted.
import { createClient } from '@supabase/supabase-js';
import Dexie from 'dexie';
import { createSyncEngine, type SyncEngine } from '../../packages/sync/src/index.ts';
import type { NetworkMonitor } from '../../packages/sync/src/collaborators.ts';

const now = () => performance.timeOrigin + performance.now();

/**
 * What happened when, for the A → B breakdown (measure 4): requests sent and
 * answered by route, pokes read off the stream, commits touching `items`.
 * Taken from outside the engine (its fetch and Dexie's commit event), so
 * the engine carries no bench code.
 */
export type TraceKind = 'edit_done' | 'push_sent' | 'push_answered' | 'pull_sent' | 'pull_answered' | 'poke' | 'items_committed';
let trace: { kind: TraceKind; at: number }[] = [];
const mark = (kind: TraceKind) => void trace.push({ kind, at: now() });
Dexie.on('storagemutated', (parts) => {
  if (Object.keys(parts).some((key) => key.includes('/items/'))) mark('items_committed');
});

/** A stream body that marks each poke as its bytes are read (by the engine, downstream). */
function markPokes(body: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  const decoder = new TextDecoder();
  return body.pipeThrough(new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      const pokes = decoder.decode(chunk, { stream: true }).split('event: poke').length - 1;
      for (let i = 0; i < pokes; i++) mark('poke');
      controller.enqueue(chunk);
    },
  }));
}

async function tracedFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  const route = /\/sync\/([a-z]+)/.exec(String(input instanceof Request ? input.url : input))?.[1];
  if (route === 'push' || route === 'pull') mark(`${route}_sent`);
  const response = await fetch(input, init);
  if (route === 'push' || route === 'pull') mark(`${route}_answered`);
  if (route === 'stream' && response.body) return new Response(markPokes(response.body), { status: response.status, statusText: response.statusText, headers: response.headers });
  return response;
}

/** The device's network: off makes fetch fail as a browser's does offline. */
class NetworkSwitch implements NetworkMonitor {
  on = true;
  private listeners = new Set<(online: boolean) => void>();
  online = () => this.on;
  subscribe(fn: (online: boolean) => void) {
    this.listeners.add(fn);
    return () => void this.listeners.delete(fn);
  }
  set(on: boolean) {
    this.on = on;
    this.listeners.forEach((fn) => fn(on));
  }
  fetch: typeof fetch = (input, init) => (this.on ? tracedFetch(input, init) : Promise.reject(new TypeError('Failed to fetch (offline)')));
}

let engine: SyncEngine | undefined;
let floorDb: Dexie | undefined;
const net = new NetworkSwitch();
const need = () => {
  if (!engine) throw new Error('bench: start the engine first');
  return engine;
};
// The engine's Dexie database (items table) for counting what landed.
const itemsTable = () => (need() as unknown as { db: { entity(name: string): { count(): Promise<number> } } }).db.entity('items');

function until<T>(probe: () => T | undefined, subscribe: (fn: () => void) => () => void): Promise<T> {
  return new Promise((resolve) => {
    const first = probe();
    if (first !== undefined) return resolve(first);
    const stop = subscribe(() => {
      const value = probe();
      if (value !== undefined) {
        stop();
        resolve(value);
      }
    });
  });
}

const api = {
  /** Signs in and creates the engine (not started). */
  async open(o: { url: string; anonKey: string; email: string; password: string; stream: boolean }) {
    const supabase = createClient(o.url, o.anonKey, { auth: { persistSession: false, autoRefreshToken: false } });
    const { error } = await supabase.auth.signInWithPassword({ email: o.email, password: o.password });
    if (error) throw new Error(`sign-in: ${error.message}`);
    // The engine as shipped: trip checksums after each catch-up included.
    engine = createSyncEngine({ supabase, url: o.url, anonKey: o.anonKey, fetch: net.fetch, network: net, stream: o.stream, pushDelayMs: 0 });
  },

  /**
   * start() until the first full sync is done, or the budget is spent (then
   * the rate so far is what can be said); the items that landed in IndexedDB.
   */
  async initialSync(budgetMs = Number.POSITIVE_INFINITY) {
    const e = need();
    const t0 = now();
    await e.start();
    const done = await Promise.race([
      until(() => (e.status.get().initialSync.done ? true : undefined), (fn) => e.status.subscribe(fn)),
      new Promise<false>((resolve) => setTimeout(() => resolve(false), Math.min(budgetMs, 2 ** 31 - 1))),
    ]);
    const ms = now() - t0;
    return { ms, items: await itemsTable().count(), done };
  },

  async start() {
    await need().start();
    await need().syncNow();
  },

  async stop() {
    await engine?.stop();
    engine = undefined;
  },

  /** n durable local edits (row + outbox in one transaction), each timed alone. */
  async edits(ids: string[], n: number) {
    const e = need();
    const ms: number[] = [];
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      await e.update('items', ids[i % ids.length]!, { quantity: 1 + (i % 900) });
      ms.push(performance.now() - t0);
    }
    return ms;
  },

  /** An edit on this device; the time just before the engine is called. */
  async edit(id: string, quantity: number) {
    const t0 = now();
    await need().update('items', id, { quantity });
    mark('edit_done');
    return t0;
  },

  /** Arms a watch for the row reaching the quantity; `arrival()` resolves with the time it landed. */
  arm(id: string, quantity: number) {
    const e = need();
    (globalThis as { __arrival?: Promise<number> }).__arrival = new Promise((resolve) => {
      const stop = e.watch(() => e.get('items', id), (row) => {
        if (row && row.quantity === quantity) {
          resolve(now());
          queueMicrotask(stop);
        }
      });
    });
  },
  arrival: () => (globalThis as { __arrival?: Promise<number> }).__arrival!,

  /** Offline: n new items queued through engine.create, timed in slices (does queueing slow as the queue grows?). */
  async queue(tripId: string, n: number, slice: number) {
    const e = need();
    net.set(false);
    const perSlice: number[] = [];
    for (let i = 0; i < n; i += slice) {
      const t0 = performance.now();
      const end = Math.min(n, i + slice);
      for (let j = i; j < end; j++) await e.create('items', { trip_id: tripId, name: `queued ${j}`, quantity: 1 });
      perSlice.push((performance.now() - t0) / (end - i));
    }
    return { perSlice, queued: (await e.outbox.list()).length };
  },

  /** Online again: the time until the outbox is empty (queue first). */
  async drain() {
    const e = need();
    const queued = e.status.get().pending;
    const t0 = performance.now();
    net.set(true);
    await until(() => (e.status.get().pending === 0 ? true : undefined), (fn) => e.status.subscribe(fn));
    await e.syncNow();
    return { queued, ms: performance.now() - t0, pending: (await e.outbox.list()).length };
  },

  count: () => itemsTable().count(),

  network: (on: boolean) => net.set(on),
  syncNow: async () => void (await need().syncNow()),

  /** The floor of a durable edit: one bare Dexie transaction putting a row and adding an outbox entry. */
  async floorEdits(n: number) {
    floorDb ??= new Dexie('packsync-bench-floor');
    if (!floorDb.isOpen()) {
      floorDb.version(1).stores({ items: 'id, trip_id', outbox: '++seq, row_id' });
      await floorDb.open();
    }
    const db = floorDb;
    const ms: number[] = [];
    for (let i = 0; i < n; i++) {
      const id = `row-${i % 100}`;
      const t0 = performance.now();
      await db.transaction('rw', db.table('items'), db.table('outbox'), async () => {
        const row = (await db.table('items').get(id)) ?? { id, trip_id: 't', name: 'x', quantity: 0, version: 1 };
        await db.table('items').put({ ...row, quantity: 1 + (i % 900) });
        await db.table('outbox').add({ row_id: id, entity: 'items', op: 'upsert', fields: { quantity: 1 + (i % 900) }, queued_at: Date.now() });
      });
      ms.push(performance.now() - t0);
    }
    return ms;
  },

  /**
   * The floor of applying pulled rows: n rows shaped like one the engine
   * stored (new ids), written with bare IndexedDB into a database of their
   * own, one way or another (FloorWay); ms. The engine's way — a put per row
   * into a store keyed by `id` with a `trip_id` index, 1000 rows a
   * transaction, the browser's default durability — is `{}`.
   */
  async idbFloor(n: number, way: FloorWay = {}) {
    const template = await (need() as unknown as { db: { entity(name: string): { toCollection(): { first(): Promise<Record<string, unknown> | undefined> } } } })
      .db.entity('items').toCollection().first();
    if (!template) throw new Error('bench: the engine has no items to copy the shape of');
    return writeFloor(template, n, way);
  },

  /** The trace since the last call (and clears it). */
  takeTrace() {
    const out = trace;
    trace = [];
    return out;
  },

  /** The engine's own timings (push_ms, pull_ms, ...), as JSON. */
  metrics: () => JSON.parse(JSON.stringify(need().metrics())) as unknown,
};

/**
 * A way to write rows into IndexedDB, for the floor's variants. Defaults: a
 * put per row, 1000 rows a transaction, one transaction at a time, the
 * browser's default durability, a `trip_id` index, raw IndexedDB.
 */
export interface FloorWay {
  rowsPerTx?: number;
  durability?: IDBTransactionDurability;
  add?: boolean;
  index?: boolean;
  /** Transactions queued before the oldest is awaited. */
  inFlight?: number;
  /** Through Dexie's bulkPut (the library the engine uses) instead of raw puts. */
  dexie?: boolean;
  /** Rows packed into one record (an array), the only way to fewer records than rows. */
  rowsPerRecord?: number;
}

async function writeFloor(template: Record<string, unknown>, n: number, way: FloorWay): Promise<number> {
  const name = `packsync-bench-idb-floor-${Math.random()}`;
  const perTx = way.rowsPerTx ?? 1000;
  const perRecord = way.rowsPerRecord ?? 1;
  const rows: Record<string, unknown>[] = Array.from({ length: n }, (_, i) => ({ ...template, id: crypto.randomUUID(), name: `floor ${i}` }));
  const slices = <T>(xs: T[], size: number) => Array.from({ length: Math.ceil(xs.length / size) }, (_, i) => xs.slice(i * size, (i + 1) * size));
  const records: Record<string, unknown>[] = perRecord === 1 ? rows : slices(rows, perRecord).map((r) => ({ id: r[0]!.id, trip_id: r[0]!.trip_id, rows: r }));
  const txs = slices(records, Math.max(1, Math.round(perTx / perRecord)));
  if (way.dexie) {
    const db = new Dexie(name, way.durability ? { chromeTransactionDurability: way.durability } : {});
    db.version(1).stores({ items: way.index === false ? 'id' : 'id, trip_id' });
    await db.open();
    const table = db.table('items');
    const t0 = performance.now();
    for (const part of txs) await db.transaction('rw', table, () => (way.add ? table.bulkAdd(part) : table.bulkPut(part)));
    const ms = performance.now() - t0;
    db.close();
    await Dexie.delete(name);
    return ms;
  }
  const db: IDBDatabase = await new Promise((resolve, reject) => {
    const open = indexedDB.open(name, 1);
    open.onupgradeneeded = () => {
      const store = open.result.createObjectStore('items', { keyPath: 'id' });
      if (way.index !== false) store.createIndex('trip_id', 'trip_id');
    };
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
  const write = (part: Record<string, unknown>[]) => new Promise<void>((resolve, reject) => {
    const tx = db.transaction('items', 'readwrite', way.durability ? { durability: way.durability } : undefined);
    const store = tx.objectStore('items');
    for (const record of part) {
      if (way.add) store.add(record);
      else store.put(record);
    }
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
  });
  const t0 = performance.now();
  const queued: Promise<void>[] = [];
  for (const part of txs) {
    queued.push(write(part));
    if (queued.length >= (way.inFlight ?? 1)) await queued.shift();
  }
  await Promise.all(queued);
  const ms = performance.now() - t0;
  db.close();
  indexedDB.deleteDatabase(name);
  return ms;
}

(globalThis as { packsyncBench?: typeof api }).packsyncBench = api;
export type BenchApi = typeof api;
