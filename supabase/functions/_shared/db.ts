// Postgres access for the sync function. Each user request is one
// transaction that takes the `authenticated` role and the caller's JWT claims
// (exactly what PostgREST does), then calls one RPC: RLS and auth.uid()
// behave as on every other path. Results travel as JSON text, untouched.
import postgres from 'postgres';
import type { UserClaims } from './auth.ts';

export interface PushOutcome {
  /** The `push_changes` result as JSON text, sent to the client as-is. */
  body: string;
  /** Results per status, for the log. */
  statuses: Record<string, number>;
}

export interface PullOutcome {
  body: string;
  count: number;
  hasMore: boolean;
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
  /** `body` is the validated request text; the SQL takes its `changes` as jsonb without re-serializing it. */
  push(claims: UserClaims, clientId: string, body: string): Promise<PushOutcome>;
  pull(claims: UserClaims, cursor: string | null, limit: number): Promise<PullOutcome>;
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
  url: string;
  /** Pool size; each request holds one connection for its transaction. */
  max?: number;
  connectTimeoutSeconds?: number;
  statementTimeout?: string;
}

export function createDb(options: DbOptions): SyncDb {
  const sql = postgres(options.url, {
    prepare: false,
    max: options.max ?? 4,
    idle_timeout: 60,
    connect_timeout: options.connectTimeoutSeconds ?? 5,
    onnotice: () => {},
    connection: { application_name: 'packsync-sync' },
  });
  const statementTimeout = options.statementTimeout ?? '15s';
  const asUser = <T>(claims: UserClaims, query: UserQuery) => runAsUser<T>(sql, claims, statementTimeout, query);

  return {
    async push(claims, clientId, body) {
      const row = await asUser<{ body: string; statuses: Record<string, number> }>(claims, (tx) => tx`
        select r::text as body,
               (select coalesce(jsonb_object_agg(s.status, s.n), '{}'::jsonb)
                  from (select e->>'status' as status, count(*) as n
                          from jsonb_array_elements(r->'results') e group by 1) s) as statuses
        from public.push_changes(${clientId}::uuid, (${body}::text::jsonb)->'changes') r`);
      return { body: row.body, statuses: row.statuses };
    },

    async pull(claims, cursor, limit) {
      const row = await asUser<{ body: string; count: number; has_more: boolean }>(claims, (tx) => tx`
        select r::text as body,
               coalesce(jsonb_array_length(r->'changes'), 0)::int as count,
               coalesce((r->>'has_more')::boolean, false) as has_more
        from public.pull_changes(${cursor}::text, ${limit}::int) r`);
      return { body: row.body, count: row.count, hasMore: row.has_more };
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
      const { unlisten } = await sql.listen(channel, onPayload, onConnect);
      return { unlisten };
    },

    close: () => sql.end({ timeout: 2 }),
  };
}
