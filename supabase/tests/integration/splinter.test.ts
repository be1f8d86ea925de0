// Supabase's database advisor (the Security and Performance Advisor of the
// dashboard: supabase/splinter, vendored in supabase/tests/lint/) against the
// migrated test database (issue 14.12). Any WARN or ERROR fails; every INFO
// must be one decided below. The API-exposure lints read `pgrst.db_schemas`,
// which a hosted project sets for PostgREST; it is set here as hosted does.
import { readFileSync } from 'node:fs';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const url = process.env.PACKSYNC_DB_URL;
if (!url) throw new Error('PACKSYNC_DB_URL is not set: run through `npm test` or export a running stack\'s URL.');

type Lint = { name: string; level: 'ERROR' | 'WARN' | 'INFO'; detail: string; metadata: { schema?: string; name?: string } };
const key = (l: Pick<Lint, 'name' | 'metadata'>) => `${l.name} ${l.metadata.schema}.${l.metadata.name}`;

// INFO findings, each decided:
const DECIDED_INFO: Record<string, string> = {
  // Deny-all on purpose: no API role has any right on it (14_privileges);
  // only push_changes' security definer helpers read and write it.
  'rls_enabled_no_policy packsync_private.processed_changes': 'no policy by design',
  // Used only by the cascade when a user is deleted (rare, and one row per
  // device); lookups go by client_id, the primary key. (sql's table: an index
  // is theirs to add if user deletion ever needs to be fast.)
  'unindexed_foreign_keys packsync_private.sync_clients': 'accepted',
  // Statistics of a fresh test database: it serves the (trip_id, person_id)
  // foreign key's ON DELETE SET NULL when a person is hard-deleted, and the
  // per-person item lists.
  'unused_index public.items': 'kept',
};

// WARNs in the push/pull/log migrations, which the sql branch owns and is
// fixing (search_path on its functions; one permissive SELECT policy on
// change_log; pull_changes as an invoker wrapper of a private definer, as
// invite_member does). Remove each line when its fix lands; nothing else may
// be added here.
const PENDING_IN_SQL_FILES = new Set([
  'function_search_path_mutable packsync_private.decide',
  'function_search_path_mutable packsync_private.same_values',
  'function_search_path_mutable packsync_private.try_uuid',
  'multiple_permissive_policies public.change_log',
  'authenticated_security_definer_function_executable public.pull_changes',
]);

const sql = postgres(url, { max: 1, onnotice: () => {} });
let lints: Lint[] = [];

beforeAll(async () => {
  const text = readFileSync(new URL('../lint/splinter.sql', import.meta.url), 'utf8');
  // The file sets its own search path, then is one query.
  const query = text.replace(/^set local search_path = '';\s*/, '');
  if (query === text) throw new Error('supabase/tests/lint/splinter.sql does not start as the pinned version does');
  await sql.begin(async (tx) => {
    await tx`select set_config('search_path', '', true), set_config('pgrst.db_schemas', 'public, graphql_public', true)`;
    lints = (await tx.unsafe(query)) as unknown as Lint[];
  });
});

afterAll(() => sql.end());

describe('Supabase database advisor (splinter)', () => {
  it('runs its lints', () => {
    expect(Array.isArray(lints)).toBe(true);
  });

  it('reports no ERROR', () => {
    expect(lints.filter((l) => l.level === 'ERROR').map((l) => `${key(l)}: ${l.detail}`)).toEqual([]);
  });

  it('reports no WARN (but the ones pending in the sql branch\'s files)', () => {
    expect(lints.filter((l) => l.level === 'WARN' && !PENDING_IN_SQL_FILES.has(key(l))).map((l) => `${key(l)}: ${l.detail}`))
      .toEqual([]);
  });

  it('reports only INFO findings that were decided', () => {
    expect(lints.filter((l) => l.level === 'INFO' && !(key(l) in DECIDED_INFO)).map((l) => `${key(l)}: ${l.detail}`))
      .toEqual([]);
  });
});
