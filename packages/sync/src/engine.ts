// createSyncEngine: wires the collaborators, the database, the tracker, the
// push/pull loop, conflicts, the stream and the tab coordination into the
// public surface in DESIGN.md ("Client engine") and interfaces.md.
import { Dexie, liveQuery } from 'dexie';
import { isEntityName, type EntityName } from '@packsync/model';
import { Backoff, DEFAULT_BACKOFF } from './backoff.ts';
import {
  browserNetwork, consoleLogger, defaultBroadcast, defaultLocks, systemClock, type Broadcast,
} from './collaborators.ts';
import { handedThrough, wasHanded } from './batch.ts';
import { ConflictResolver } from './conflicts.ts';
import { QueueCounts, type Counts } from './counts.ts';
import { databaseName, PacksyncDb } from './db.ts';
import { invalidInput, notStarted, SyncError } from './errors.ts';
import { checkHealth, type HealthReport } from './health.ts';
import { Metrics, type MetricsSnapshot } from './metrics.ts';
import type { SyncEngineOptions } from './options.ts';
import { OutboxApi } from './outbox-api.ts';
import { pullUntilCaughtUp } from './pull.ts';
import { nextBatch, pushOnce, DEFAULT_PUSH_LIMITS } from './push.ts';
import { Remote } from './remote.ts';
import { resolveConflict } from './resolve.ts';
import { Session } from './session.ts';
import { StatusStore } from './status.ts';
import { EventStream } from './stream.ts';
import { SyncService } from './sync-service.ts';
import { listTombstones } from './tombstones.ts';
import { ChangeTracker } from './tracker.ts';
import type { Conflict, OutboxEntry, Resolution, Row, SyncStatus, SyncSummary } from './types.ts';
import { Transport } from './transport.ts';
import { Verifier } from './verify.ts';
import { uuidv7 } from './ids.ts';

export interface SyncEngine {
  start(): Promise<void>;
  stop(): Promise<void>;
  create(entity: EntityName, fields: Record<string, unknown>): Promise<string>;
  update(entity: EntityName, id: string, patch: Record<string, unknown>): Promise<void>;
  delete(entity: EntityName, id: string): Promise<void>;
  get(entity: EntityName, id: string): Promise<Row | undefined>;
  /** `includeDeleted`: tombstones of rows deleted here or pulled as deleted too (`deleted_at` set); for regeneration. */
  list(entity: EntityName, where?: { trip_id?: string; includeDeleted?: boolean }): Promise<Row[]>;
  watch<T>(query: () => Promise<T>, onValue: (value: T) => void, onError?: (error: unknown) => void): () => void;
  syncNow(): Promise<SyncSummary>;
  status: { get(): SyncStatus; subscribe(fn: (status: SyncStatus) => void): () => void };
  conflicts: { list(): Promise<Conflict[]>; resolve(id: string, resolution: Resolution): Promise<void> };
  outbox: { list(): Promise<OutboxEntry[]>; discard(seq: number): Promise<void>; retry(seq: number): Promise<void> };
  invite(tripId: string, email: string, role: 'editor' | 'viewer'): Promise<void>;
  history(tripId: string, options?: { before?: string | null; limit?: number }): Promise<{ entries: unknown[]; next: string | null }>;
  metrics(): MetricsSnapshot;
  health(): Promise<HealthReport>;
  signOut(options?: { discardUnsynced?: boolean }): Promise<{ signedOut: boolean; pending: number }>;
  /** The open database (for tests and tools; the app uses the methods above). */
  readonly db: PacksyncDb | undefined;
}

/** How stale the stored last-synced time may be (the status in memory is always current). */
const SYNCED_WRITE_EVERY_MS = 10_000;

type Message = { type: 'leader' } | { type: 'hello' } | { type: 'sync-request'; id: string } |
  { type: 'synced'; id: string; summary: Omit<SyncSummary, 'error'> & { error: ReturnType<SyncError['toJSON']> | null } } |
  { type: 'status'; status: SyncStatus };

export function createSyncEngine(options: SyncEngineOptions): SyncEngine {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? consoleLogger;
  const fetchFn = options.fetch ?? ((...args: Parameters<typeof fetch>) => globalThis.fetch(...args));
  const factory = options.indexedDB ?? (globalThis.indexedDB as IDBFactory | undefined);
  // liveQuery (watch, status counts) runs only when Dexie's global
  // dependency is set, which Node lacks; lend it the factory we were given.
  // Every database here is opened with explicit factories, so nothing else
  // picks this up.
  if (!Dexie.dependencies.indexedDB && options.indexedDB) {
    Dexie.dependencies.indexedDB = options.indexedDB;
    if (options.IDBKeyRange) Dexie.dependencies.IDBKeyRange = options.IDBKeyRange;
  }
  const scope: object = factory ?? globalThis;
  const network = options.network ?? browserNetwork();
  const locks = options.locks ?? defaultLocks(scope);
  const broadcast = options.broadcast ?? defaultBroadcast(scope);
  const uuid = uuidv7(() => clock.now());
  const metrics = new Metrics();
  const status = new StatusStore();
  const session = new Session(options.supabase.auth, clock, () => network.online());
  const transport = new Transport({ url: options.url, anonKey: options.anonKey, fetch: fetchFn, clock, token: () => session.token() });
  const remote = new Remote(transport);

  let db: PacksyncDb | undefined;
  let tracker: ChangeTracker | undefined;
  let service: SyncService | undefined;
  let stream: EventStream | undefined;
  let channel: Broadcast | undefined;
  let userId: string | undefined;
  let leader = false;
  let stopLeading: AbortController | undefined;
  let releaseLock: (() => void) | undefined;
  const waiting = new Map<string, (summary: SyncSummary) => void>();
  const leaderWaiters: (() => void)[] = [];
  const cleanups: (() => void)[] = [];

  const need = () => {
    if (!db || !tracker) throw notStarted();
    return { db, tracker };
  };

  const resolver = () => new ConflictResolver({
    db: need().db, clock, uuid, ...(options.conflictPolicies ? { policies: options.conflictPolicies } : {}),
    onDetected: (entity, policy) => {
      for (const p of Object.values(policy)) metrics.count('conflicts_detected', { entity, policy: p });
    },
    onResolved: (entity, policy) => metrics.count('conflicts_resolved', { entity, policy }),
  });

  async function open(): Promise<void> {
    userId = await session.userId();
    db = new PacksyncDb(databaseName(userId), { ...(factory ? { indexedDB: factory } : {}), ...(options.IDBKeyRange ? { IDBKeyRange: options.IDBKeyRange } : {}) });
    await db.open();
    await db.transaction('rw', db.meta, async () => {
      if (!(await db!.getMeta('client_id'))) await db!.setMeta('client_id', uuid());
      await db!.setMeta('user_id', userId);
    });
    const queued = () => service?.schedule(options.pushDelayMs ?? 0);
    tracker = new ChangeTracker({
      db, clock, userId, uuid,
      onInvalidLocalRow: (entity, tripId) => {
        metrics.count('invalid_local_rows', { entity });
        verifier?.refetch(tripId);
        service?.requestPull();
      },
      onQueued: (delta) => {
        if (delta !== 0) status.set({ pending: Math.max(0, status.get().pending + delta) });
        if (leader) queued();
        else channel?.post({ type: 'sync-request', id: uuid() } satisfies Message);
      },
    });
  }

  let verifier: Verifier | undefined;

  function buildService(database: PacksyncDb, clientId: string): SyncService {
    const r = resolver();
    let syncedWrittenAt = Number.NEGATIVE_INFINITY;
    verifier = new Verifier({
      db: database, transport, logger, metrics, clock,
      userId: userId!,
      ...(options.verifyEveryMs !== undefined ? { everyMs: options.verifyEveryMs } : {}),
      checksum: options.checksum === undefined ? remote.defaultChecksum() : options.checksum,
      token: () => session.token(),
    });
    return new SyncService({
      clock, logger, network, session, status, metrics,
      backoff: new Backoff({ ...DEFAULT_BACKOFF, random: options.random ?? Math.random }),
      push: async () => {
        const started = clock.now();
        const outcome = await pushOnce({ db: database, transport, resolver: r, clientId, now: () => clock.now(), ...(options.pushLimits ? { limits: options.pushLimits } : {}) });
        for (const o of outcome.byEntity) metrics.count('operations', { entity: o.entity, op: o.op, status: o.status });
        if (outcome.byEntity.length) {
          metrics.timing('push_ms', clock.now() - started);
          for (const [phase, ms] of Object.entries(outcome.ms)) metrics.timing(`push_${phase}_ms`, ms);
          metrics.count('push_requests', undefined, outcome.requests);
        }
        return outcome;
      },
      pull: async () => {
        const started = clock.now();
        const outcome = await pullUntilCaughtUp({
          db: database, transport, userId: userId!, clock, ...(options.pullPageSize ? { pageSize: options.pullPageSize } : {}),
          ...(options.pullOwnChanges ? {} : { clientId }),
          onPage: (rows) => {
            metrics.count('rows_pulled', undefined, rows);
            const s = status.get();
            if (!s.initialSync.done) status.set({ initialSync: { done: false, rows: s.initialSync.rows + rows } });
          },
        });
        metrics.timing('pull_ms', clock.now() - started);
        if (outcome.fullResync) metrics.count('full_resyncs');
        if (outcome.revoked.length) metrics.count('trips_revoked', undefined, outcome.revoked.length);
        return outcome;
      },
      verify: (pulled) => verifier!.afterCatchUp(pulled),
      auto: options.autoSync !== false,
      streamLive: () => stream?.live ?? false,
      refreshCounts: async () => showCounts(await readCounts(database)),
      sendable: async () => (await nextBatch(database, { ...DEFAULT_PUSH_LIMITS, maxChanges: 1 })).entries.length,
      onSynced: async (at) => {
        // For the status after a restart only: written at most every
        // SYNCED_WRITE_EVERY_MS, not after every cycle (a write to meta is a
        // transaction every edit queues behind, and a poke or an edit makes a cycle).
        if (!status.get().initialSync.done || at - syncedWrittenAt >= SYNCED_WRITE_EVERY_MS) {
          await database.transaction('rw', database.meta, async () => {
            await database.setMeta('last_synced_at', at);
            await database.setMeta('initial_sync_done', true);
          });
          syncedWrittenAt = at;
        }
        status.set({ initialSync: { done: true, rows: status.get().initialSync.rows } });
      },
    });
  }

  const counts = new QueueCounts({ clock, logger, status, metrics });
  const readCounts = (database: PacksyncDb) => counts.read(database);
  const showCounts = (c: Counts) => counts.show(c);
  const watchCounts = (database: PacksyncDb) => cleanups.push(counts.watch(database));

  /** Asks for the sync lock; resolves when this tab holds it (it may never: another tab syncs). */
  function lead(database: PacksyncDb, clientId: string): Promise<void> {
    stopLeading = new AbortController();
    const lockName = `packsync-sync-${userId}`;
    let granted!: () => void;
    const grantedP = new Promise<void>((resolve) => (granted = resolve));
    void locks.request(lockName, async () => {
      leader = true;
      if (options.refreshTimer) session.keepFresh();
      service = buildService(database, clientId);
      service.start();
      channel?.post({ type: 'leader' } satisfies Message);
      if (options.stream !== false) {
        stream = new EventStream({
          transport, clock, logger, random: options.random ?? Math.random, clientId,
          onPoke: () => service?.requestPull(), onReady: () => service?.requestPull(),
        });
        stream.start();
      }
      granted();
      leaderWaiters.splice(0).forEach((w) => w());
      service.requestPull();
      await new Promise<void>((resolve) => {
        releaseLock = resolve;
        stopLeading!.signal.addEventListener('abort', () => resolve(), { once: true });
      });
    }, stopLeading.signal).catch((error: unknown) => logger.error('lock_failed', { error: String(error) }));
    return grantedP;
  }

  function coordinate(): Promise<void> {
    channel = broadcast(`packsync-${userId}`);
    let known!: () => void;
    const roleKnown = new Promise<void>((resolve) => (known = resolve));
    cleanups.push(channel.subscribe((raw) => {
      const message = raw as Message;
      if (message.type === 'leader') known();
      if (leader && message.type === 'hello') channel!.post({ type: 'leader' } satisfies Message);
      if (leader && message.type === 'sync-request') {
        void service!.syncNow().then((summary) => channel?.post({
          type: 'synced', id: message.id, summary: { ...summary, error: summary.error?.toJSON() ?? null },
        } satisfies Message));
      }
      if (message.type === 'synced') {
        const done = waiting.get(message.id);
        waiting.delete(message.id);
        const e = message.summary.error;
        done?.({ ...message.summary, error: e ? new SyncError(e.type, e.code, e.message, e.retryable) : null });
      }
      if (!leader && message.type === 'status') {
        const { pending: _p, parked: _k, conflicts: _c, ...rest } = message.status;
        status.set(rest);
      }
    }));
    cleanups.push(status.subscribe((s) => leader && channel?.post({ type: 'status', status: s } satisfies Message)));
    channel.post({ type: 'hello' } satisfies Message);
    return roleKnown;
  }

  let starting: Promise<void> | undefined;

  async function startOnce(): Promise<void> {
    if (db) return;
    await open();
    const database = db!;
    const clientId = (await database.getMeta<string>('client_id'))!;
    const done = await database.getMeta<boolean>('initial_sync_done');
    status.set({ initialSync: { done: !!done, rows: 0 }, lastSyncedAt: (await database.getMeta<number>('last_synced_at')) ?? null });
    watchCounts(database);
    const roleKnown = coordinate();
    // Resolve once this tab is either the syncing one or knows which one is.
    await Promise.race([roleKnown, lead(database, clientId)]);
  }

  const engine: SyncEngine = {
    get db() {
      return db;
    },

    start() {
      // A stop called while start is still opening the database waits for it
      // and then stops (a reload right after a reload must not leave a tab
      // that syncs and holds the lock with nobody to stop it).
      starting ??= startOnce().finally(() => {
        starting = undefined;
      });
      return starting;
    },

    async stop() {
      await starting?.catch(() => undefined);
      if (!db) return;


      stream?.stop();
      service?.stop();
      stopLeading?.abort();
      releaseLock?.();
      leader = false;
      cleanups.splice(0).forEach((c) => c());
      channel?.close();
      session.close();
      db.close();
      db = undefined;
      tracker = undefined;
      service = undefined;
      stream = undefined;
    },

    create: (entity, fields) => { checkEntity(entity); return need().tracker.create(entity, fields ?? {}); },
    update: (entity, id, patch) => { checkEntity(entity); return need().tracker.update(entity, id, patch ?? {}); },
    delete: (entity, id) => { checkEntity(entity); return need().tracker.delete(entity, id); },

    async get(entity, id) {
      checkEntity(entity);
      const row = await need().db.entity(entity).get(id);
      return row && !row.deleted_at ? row : undefined;
    },

    async list(entity, where) {
      checkEntity(entity);
      const { db } = need();
      const table = db.entity(entity);
      return db.transaction('r', [table, db.tombstones], async () => {
        const rows = where?.trip_id !== undefined
          ? entity === 'trips' ? (await table.where('id').equals(where.trip_id).toArray()) : await table.where('trip_id').equals(where.trip_id).toArray()
          : await table.toArray();
        const live = rows.filter((r) => !r.deleted_at);
        return where?.includeDeleted ? [...live, ...(await listTombstones(db, entity, where.trip_id, live))] : live;
      });
    },

    watch(query, onValue, onError) {
      const sub = liveQuery(query).subscribe({ next: onValue, error: (e) => (onError ?? ((x) => logger.error('watch_failed', { error: String(x) })))(e) });
      return () => sub.unsubscribe();
    },

    async syncNow() {
      need();
      if (leader && service) return service.syncNow();
      // Another tab syncs: ask it and wait for its answer.
      const id = uuid();
      const answer = new Promise<SyncSummary>((resolve) => waiting.set(id, resolve));
      channel!.post({ type: 'sync-request', id } satisfies Message);
      return Promise.race([answer, untilLeader().then(() => service!.syncNow())]);
    },

    status: { get: () => status.get(), subscribe: (fn) => status.subscribe(fn) },

    conflicts: {
      list: () => need().db.conflicts.orderBy('detected_at').toArray(),
      async resolve(id, resolution) {
        const { db: database, tracker: t } = need();
        const conflict = await database.conflicts.get(id);
        if (!conflict) throw invalidInput(`No conflict ${id}: it was resolved already or never existed.`);
        await resolveConflict(database, t, conflict, resolution);
        showCounts(await readCounts(database));
        metrics.count('conflicts_resolved', { entity: conflict.entity, policy: typeof resolution === 'string' ? resolution : 'fields' });
        service?.schedule(0);
      },
    },

    outbox: {
      list: () => need().db.outbox.orderBy('seq').toArray(),
      async discard(seq) {
        const { db: database } = need();
        const [entry, through] = await Promise.all([database.outbox.get(seq), handedThrough(database)]);
        await new OutboxApi(database).discard(seq);
        showCounts(await readCounts(database));
        if (entry && wasHanded(entry, through)) {
          // It was sent: the server may have applied it with the answer lost,
          // and pulls leave out this client's own rows. Fetch the trip again.
          verifier?.refetch(entry.trip_id);
          service?.requestPull();
        }
      },
      async retry(seq) {
        await new OutboxApi(need().db).retry(seq);
        if (leader) await service?.syncNow();
        else await engine.syncNow();
      },
    },

    invite: (tripId, email, role) => remote.invite(tripId, email, role),
    history: (tripId, opts) => remote.history(tripId, opts ?? {}),
    metrics: () => metrics.snapshot(),
    health: () => checkHealth({ db, status: status.get(), clock, transport, logger }),

    async signOut(opts) {
      const { db: database } = need();
      const pending = await database.outbox.count();
      if (pending > 0 && !opts?.discardUnsynced) return { signedOut: false, pending };
      const name = database.name;
      await engine.stop();
      await new PacksyncDb(name, { ...(factory ? { indexedDB: factory } : {}), ...(options.IDBKeyRange ? { IDBKeyRange: options.IDBKeyRange } : {}) }).delete();
      const { error } = await (options.supabase.auth as { signOut(): Promise<{ error: unknown }> }).signOut();
      if (error) logger.warn('sign_out_failed', { error: String(error) });
      return { signedOut: true, pending };
    },
  };

  return engine;

  /** Resolves when this tab takes over syncing (the syncing tab closed). */
  function untilLeader(): Promise<void> {
    return leader ? Promise.resolve() : new Promise((resolve) => leaderWaiters.push(resolve));
  }
}

function checkEntity(entity: unknown): asserts entity is EntityName {
  if (!isEntityName(entity)) throw invalidInput(`Unknown entity ${JSON.stringify(entity)}: use trips, trip_members, people, items or rule_overrides.`);
}
