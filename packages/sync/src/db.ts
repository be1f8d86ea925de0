// The device's database: one per signed-in user ("packsync-<user id>").
// Entity tables hold what the app reads (server row + pending edits laid on
// top); `shadows` keeps the server's row for every row with pending edits so
// a pull can re-lay the edits and a discard can restore it; `outbox` is the
// ordered queue of changes; `conflicts` waits for the user; `meta` holds the
// client id, cursor and sync times; `tombstones` remembers deleted rows
// (tombstones.ts).
//
// Versions are append-only: a new schema is a new `version(n)` with an
// `upgrade` that rewrites old data, never an edit of an old one (db.test.ts
// opens each old version, writes to it and upgrades).
import { Dexie, type Table } from 'dexie';
import { ENTITY_NAMES, type EntityName } from '@packsync/model';
import type { Tombstone } from './tombstones.ts';
import type { Conflict, OutboxEntry, Row } from './types.ts';

export interface Shadow {
  entity: EntityName;
  id: string;
  trip_id: string;
  /** The server's row; null when the server has never seen the row (a local create). */
  row: Row | null;
}

export interface MetaEntry {
  key: string;
  value: unknown;
}

export type MetaKey = 'client_id' | 'user_id' | 'cursor' | 'last_synced_at' | 'initial_sync_done' | 'initial_sync_rows' | 'handed_through';

const ENTITY_STORES = Object.fromEntries(ENTITY_NAMES.map((e) => [e, e === 'trips' ? 'id' : 'id, trip_id']));

/** Every schema this package ever shipped, oldest first. */
export const SCHEMA_VERSIONS: readonly { version: number; stores: Record<string, string | null> }[] = [
  {
    version: 1,
    stores: {
      ...ENTITY_STORES,
      outbox: '++seq, [entity+row_id], trip_id',
      conflicts: 'id, [entity+row_id], trip_id',
      meta: 'key',
    },
  },
  {
    // 2: server rows of pending edits moved out of the entity rows into
    // `shadows`; `parked` became an indexed 0/1 so the UI can count it;
    // conflicts are listed oldest first.
    version: 2,
    stores: {
      shadows: '[entity+id], trip_id',
      outbox: '++seq, [entity+row_id], trip_id, parked',
      conflicts: 'id, [entity+row_id], trip_id, detected_at',
    },
  },
  {
    // 3: `parked` indexed with the sequence: an index whose key most entries
    // share costs every outbox write a scan in some IndexedDB implementations.
    version: 3,
    stores: {
      outbox: '++seq, [entity+row_id], trip_id, [parked+seq]',
    },
  },
  {
    // 4: deleted rows are remembered (tombstones.ts); a new store, nothing to rewrite.
    version: 4,
    stores: {
      tombstones: '[entity+id], trip_id',
    },
  },
];

/** Key ranges of the outbox's `[parked+seq]` index. */
export const WAITING = [[0, -Infinity], [0, Infinity]] as const;
export const PARKED = [[1, -Infinity], [1, Infinity]] as const;

export const CURRENT_VERSION = SCHEMA_VERSIONS[SCHEMA_VERSIONS.length - 1]!.version;

/**
 * Durability of readwrite transactions. Chromium (since 121) commits them
 * `relaxed` by default: the data reaches the OS, not the disk, before the
 * transaction completes, so an OS crash or power cut may take an edit the UI
 * had shown as saved. Edits (and everything not named below) are therefore
 * `strict`. Pulled pages and push results may be relaxed: a page lost with its
 * cursor is pulled again, a result lost with its outbox entry is sent again
 * and answered from the server's idempotency record (bench/findings.md,
 * measure 3: strict costs a 1-row transaction ~0.1-0.3 ms here).
 */
export type Durability = 'strict' | 'relaxed';
const DURABILITY = 'packsyncDurability';

export class PacksyncDb extends Dexie {
  declare outbox: Table<OutboxEntry, number>;
  declare shadows: Table<Shadow, [string, string]>;
  declare conflicts: Table<Conflict, string>;
  declare meta: Table<MetaEntry, string>;
  declare tombstones: Table<Tombstone, [string, string]>;

  constructor(name: string, deps: { indexedDB?: IDBFactory; IDBKeyRange?: typeof IDBKeyRange }, upTo = CURRENT_VERSION) {
    super(name, {
      ...(deps.indexedDB ? { indexedDB: deps.indexedDB } : {}), ...(deps.IDBKeyRange ? { IDBKeyRange: deps.IDBKeyRange } : {}),
      chromeTransactionDurability: 'strict',
    });
    for (const { version, stores } of SCHEMA_VERSIONS) {
      if (version > upTo) break;
      const v = this.version(version).stores(stores);
      if (version === 2) v.upgrade(upgradeTo2);
    }
    // Dexie takes durability per database only. A transaction takes it from
    // its Transaction object when it opens the IndexedDB transaction, after
    // this hook, which Dexie calls (a microtask later) in the zone of the
    // code that asked for the transaction: `relaxed()` marks its zone.
    const create = this._createTransaction;
    this._createTransaction = function (this: Dexie, ...args) {
      const tx = create.apply(this, args);
      const zone = (Dexie.Promise as unknown as { PSD: { [DURABILITY]?: Durability } }).PSD;
      (tx as unknown as { chromeTransactionDurability: Durability }).chromeTransactionDurability = zone[DURABILITY] ?? 'strict';
      return tx;
    };
  }

  /**
   * A readwrite transaction committed with relaxed durability: only for
   * writes the server gives again when they are lost (pulled pages, push
   * results).
   */
  relaxed<T>(tables: Table[], scope: () => Promise<T>): Promise<T> {
    const zones = Dexie.Promise as unknown as { newPSD<R>(fn: () => R, props: object): R };
    return zones.newPSD(() => this.transaction('rw', tables, scope), { [DURABILITY]: 'relaxed' });
  }

  entity(name: EntityName): Table<Row, string> {
    return this.table(name);
  }

  /** Every table an edit, a push result or a pull page touches. */
  get syncTables(): Table[] {
    return [...ENTITY_NAMES.map((e) => this.table(e)), this.outbox, this.shadows, this.conflicts, this.meta, this.tombstones];
  }

  async getMeta<T>(key: MetaKey): Promise<T | undefined> {
    return (await this.meta.get(key))?.value as T | undefined;
  }

  setMeta(key: MetaKey, value: unknown): Promise<string> {
    return this.meta.put({ key, value });
  }
}

/**
 * Version 1 kept the server row of an edited row inside it as `_server`; move
 * it to `shadows`, and turn the outbox's boolean `parked` into 0/1.
 */
async function upgradeTo2(tx: import('dexie').Transaction): Promise<void> {
  for (const entity of ENTITY_NAMES) {
    await tx.table(entity).toCollection().modify((row: Record<string, unknown>) => {
      if (!('_server' in row)) return;
      const server = row._server as Row | null;
      delete row._server;
      void tx.table('shadows').put({ entity, id: row.id, trip_id: entity === 'trips' ? row.id : row.trip_id, row: server });
    });
  }
  await tx.table('outbox').toCollection().modify((entry: Record<string, unknown>) => {
    entry.parked = entry.parked === true || entry.parked === 1 ? 1 : 0;
  });
}

export function databaseName(userId: string): string {
  return `packsync-${userId}`;
}

/** The trip a row belongs to (a trip belongs to itself). */
export function tripIdOf(entity: EntityName, row: Record<string, unknown>): string {
  return (entity === 'trips' ? row.id : row.trip_id) as string;
}
