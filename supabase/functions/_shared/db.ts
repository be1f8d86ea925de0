// Postgres access for the sync function. Each user request is one
// transaction that takes the `authenticated` role and the caller's JWT claims
// (exactly what PostgREST does), then calls one RPC: RLS and auth.uid()
// behave as on every other path. Results travel as JSON text, untouched.
import postgres from 'postgres';
import { MAX_HISTORY_LIMIT, type HistoryEntry } from '@packsync/protocol';
import type { UserClaims } from './auth.ts';

export interface PushOutcome {
  /** The `push_changes` result as JSON text (from `push_changes_text`), sent to the client as-is. */
  body: string;
  /** Results per status, for the log. */
  statuses: Record<string, number>;
}

export interface PullOutcome {
  body: string;
  count: number;
  hasMore: boolean;
}

export interface HistoryPage {
  entries: HistoryEntry[];
  next: string | null;
}

export interface Probe {
  /** Newest applied migration, null if the migrations table is absent. */
  migration: string | null;
  /** Age of the oldest open writing transaction in ms (0 when none). */
  logLagMs: number;
}

export interface Membership {
  user_id: string;
  trip_id: string;
}

export interface Subscription {
  unlisten(): Promise<void>;
}

export interface SyncDb {
  /** `changes` is the validated changes array, serialized again by the function (never the raw body). */
  push(claims: UserClaims, clientId: string, changes: string): Promise<PushOutcome>;
  /** `public.invite_member`; the new membership row as JSON text. */
  invite(claims: UserClaims, tripId: string, email: string, role: string): Promise<string>;
  /** One page of `public.trip_history`, newest first; `next` is the cursor for the page after. */
  history(claims: UserClaims, tripId: string, before: string | null, limit: number): Promise<HistoryPage>;
  /** `public.trip_checksums` as JSON text `{"checksums":[…]}`: RLS decides which trips answer. */
  checksums(claims: UserClaims, tripIds: string[]): Promise<string>;
  /** Trips the transactions `xids` wrote (for a NOTIFY too large to list them). */
  tripsOf(xids: bigint[]): Promise<string[]>;
  /** `clientId`: the caller's client, whose own pushed rows are not sent back (pull_changes_text). */
  pull(claims: UserClaims, cursor: string | null, limit: number, clientId?: string): Promise<PullOutcome>;
  probe(): Promise<Probe>;
  /**
   * Who among `userIds` may see `tripIds` (live members, and members removed
   * in the last minute so they are poked to pull their revoke). Only routes
   * data-free pokes; every pull that follows is checked by RLS.
   */
  members(tripIds: string[], userIds: string[]): Promise<Membership[]>;
  /** The pull horizon: transactions with a lower xid are over (`pg_snapshot_xmin` of a fresh snapshot). */
  watermark(): Promise<bigint>;
  /** LISTEN on one dedicated connection; `onConnect` runs on every (re)connect. */
  listen(channel: string, onPayload: (payload: string) => void, onConnect: () => void): Promise<Subscription>;
  close(): Promise<void>;
}

type UserQuery = (tx: postgres.TransactionSql) => postgres.PendingQuery<postgres.Row[]>;

/**
 * One transaction as the signed-in user, as PostgREST runs a request: role
 * `authenticated` and the JWT claims, both local to the transaction (so
 * nothing leaks to the next user of the pooled connection), then `query`.
 * Returns the first row of `query`.
 */
export async function runAsUser<T>(sql: postgres.Sql, claims: UserClaims, statementTimeout: string, query: UserQuery): Promise<T> {
  const results = await sql.begin((tx) => [
    tx`select set_config('role', 'authenticated', true),
              set_config('request.jwt.claims', ${JSON.stringify(claims)}, true),
              set_config('statement_timeout', ${statementTimeout}, true)`,
    query(tx),
  ]);
  return (results as unknown as postgres.Row[][])[1]![0] as T;
}

export interface DbOptions {
  /** Queries: the direct database or a transaction pooler (prepared statements are off). */
  url: string;
  /**
   * A session connection for LISTEN (a transaction pooler cannot hold one
   * across transactions). Defaults to `url`. Opened on the first stream.
   */
  listenUrl?: string;
  /** Pool size; each request holds one connection for its transaction. */
  max?: number;
  connectTimeoutSeconds?: number;
  statementTimeout?: string;
}

/** How far back from the log's newest row `tripsOf` looks. */
const TRIPS_OF_TAIL_ROWS = 200_000;

export function createDb(options: DbOptions): SyncDb {
  const connect = (url: string, max: number) => postgres(url, {
    prepare: false,
    max,
    idle_timeout: 60,
    connect_timeout: options.connectTimeoutSeconds ?? 5,
    onnotice: () => {},
    connection: { application_name: 'packsync-sync' },
  });
  const sql = connect(options.url, options.max ?? 3);
  let listener: postgres.Sql | undefined;
  const statementTimeout = options.statementTimeout ?? '8s';
  const asUser = <T>(claims: UserClaims, query: UserQuery) => runAsUser<T>(sql, claims, statementTimeout, query);

  return {
    async push(claims, clientId, changes) {
      // The text form: the response goes out as the database built it, with
      // no jsonb round trip (see 20261201201700_push_text.sql).
      const row = await asUser<{ body: string; statuses: Record<string, number> }>(claims, (tx) => tx`
        select r.body, r.statuses
        from public.push_changes_text(${clientId}::uuid, ${changes}::text::jsonb) r`);
      return { body: row.body, statuses: row.statuses };
    },

    async pull(claims, cursor, limit, clientId) {
      // The text form: the body goes out as the database built it, with no
      // jsonb round trip (see 20261201200000_pull_text.sql).
      const row = await asUser<{ body: string; count: number; has_more: boolean }>(claims, (tx) => tx`
        select r.body, r.changes as count, r.has_more
        from public.pull_changes_text(${cursor}::text, ${limit}::int, ${clientId ?? null}::uuid) r`);
      return { body: row.body, count: row.count, hasMore: row.has_more };
    },

    async invite(claims, tripId, email, role) {
      const row = await asUser<{ membership: string }>(claims, (tx) => tx`
        select public.invite_member(trip_id => ${tripId}::uuid, email => ${email}::text, role => ${role}::text)::text
          as membership`);
      return row.membership;
    },

    async history(claims, tripId, before, limit) {
      // One row more than asked tells whether another page exists; at the
      // function's own cap (1000) a full page says "maybe": the next one may be empty.
      const fetch = Math.min(limit + 1, MAX_HISTORY_LIMIT);
      const row = await asUser<{ entries: HistoryEntry[] }>(claims, (tx) => tx`
        select coalesce(jsonb_agg(jsonb_build_object(
                 'entity', h.entity, 'row_id', h.row_id, 'op', h.op, 'version', h.version, 'actor', h.actor,
                 'changed_fields', h.changed_fields, 'at', h.at, 'cursor', h.cursor)), '[]'::jsonb) as entries
        from public.trip_history(trip_id => ${tripId}::uuid, before => ${before}::text, max_rows => ${fetch}::int) h`);
      const entries = row.entries.slice(0, limit);
      const more = row.entries.length > limit || (row.entries.length === fetch && fetch === limit);
      return { entries, next: more && entries.length > 0 ? entries[entries.length - 1]!.cursor : null };
    },

    async checksums(claims, tripIds) {
      const row = await asUser<{ body: string }>(claims, (tx) => tx`
        select json_build_object('checksums', coalesce(json_agg(json_build_object('trip_id', c.trip_id, 'checksum', c.checksum)),
          '[]'::json))::text as body
        from public.trip_checksums(trip_ids => ${tripIds}::uuid[]) c`);
      return row.body;
    },

    async tripsOf(xids) {
      if (xids.length === 0) return [];
      // A transaction that just committed sits at the log's tail: the scan
      // is bounded to its newest rows by the primary key.
      const rows = await sql<{ trip_id: string }[]>`
        select distinct l.trip_id::text
        from public.change_log l
        where l.seq > (select coalesce(max(seq), 0) from public.change_log) - ${TRIPS_OF_TAIL_ROWS}
          and l.xid = any(${xids.map(String)}::text[]::xid8[])`;
      return rows.map((r) => r.trip_id);
    },

    async probe() {
      const [row] = await sql<{ migration: string | null; lag_ms: number }[]>`
        select case when to_regclass('supabase_migrations.schema_migrations') is not null
                    then (select max(version) from supabase_migrations.schema_migrations) end as migration,
               coalesce((select extract(epoch from now() - min(xact_start)) * 1000
                           from pg_stat_activity where backend_xid is not null), 0)::float8 as lag_ms`;
      return { migration: row!.migration, logLagMs: Math.round(row!.lag_ms) };
    },

    async members(tripIds, userIds) {
      if (tripIds.length === 0 || userIds.length === 0) return [];
      return await sql<Membership[]>`
        select m.user_id::text, m.trip_id::text
        from public.trip_members m
        where m.trip_id = any(${tripIds}::uuid[]) and m.user_id = any(${userIds}::uuid[])
          and (m.deleted_at is null or m.deleted_at > now() - interval '1 minute')`;
    },

    async watermark() {
      const [row] = await sql<{ xmin: string }[]>`select pg_snapshot_xmin(pg_current_snapshot())::text as xmin`;
      return BigInt(row!.xmin);
    },

    async listen(channel, onPayload, onConnect) {
      listener ??= options.listenUrl && options.listenUrl !== options.url ? connect(options.listenUrl, 1) : sql;
      const { unlisten } = await listener.listen(channel, onPayload, onConnect);
      return { unlisten };
    },

    async close() {
      await Promise.all([sql.end({ timeout: 2 }), listener && listener !== sql ? listener.end({ timeout: 2 }) : undefined]);
    },
  };
}
