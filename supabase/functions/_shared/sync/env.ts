// The production wiring: collaborators from the environment. Hosted Supabase
// gives a function exactly the variables in HOSTED_ENV (names starting with
// `SUPABASE_` cannot be set as secrets), so everything else is an optional
// `PACKSYNC_*` secret of our own. Nothing outside ENV_NAMES is ever read; the
// local stack runs the function with env access limited to these names.
import { createVerifier, parseJwks } from '../auth.ts';
import { systemClock } from '../clock.ts';
import { createDb } from '../db.ts';
import { jsonLogger } from '../log.ts';
import { createSyncHandler, type SyncHandler } from './handler.ts';

/** What hosted Supabase provides every function (docs: Functions → Environment variables). */
export const HOSTED_ENV = [
  'SUPABASE_URL',
  'SUPABASE_DB_URL',
  'SUPABASE_ANON_KEY',
  'SUPABASE_SERVICE_ROLE_KEY',
  'SUPABASE_JWKS',
  'SUPABASE_PUBLISHABLE_KEYS',
  'SUPABASE_SECRET_KEYS',
] as const;

/** Our own optional secrets (`supabase secrets set NAME=value`). */
export const PACKSYNC_ENV = [
  /** The legacy HS256 JWT secret, for projects still signing sessions with it. */
  'PACKSYNC_JWT_SECRET',
  /** The transaction pooler (Supavisor, port 6543) for queries; LISTEN stays on SUPABASE_DB_URL. */
  'PACKSYNC_DB_POOLER_URL',
  /** Connections per function instance for queries (default 3). */
  'PACKSYNC_DB_POOL',
  /** Per-statement limit for user requests (default 8s; keep it at or below the role's). */
  'PACKSYNC_STATEMENT_TIMEOUT',
] as const;

export const ENV_NAMES: readonly string[] = [...HOSTED_ENV, ...PACKSYNC_ENV];

export type EnvName = (typeof HOSTED_ENV)[number] | (typeof PACKSYNC_ENV)[number];

export interface SyncSettings {
  dbUrl: string;
  listenUrl: string;
  poolSize: number;
  statementTimeout: string;
  apiKeys: string[];
  /** Keys that unlock /health's details (service-role and secret keys). */
  secretKeys: string[];
  jwtSecret?: string;
  jwksUrl: string;
}

/** Values of a `{"name": "key"}` dictionary (SUPABASE_PUBLISHABLE_KEYS / _SECRET_KEYS), or a bare key. */
function keyValues(text: string | undefined): string[] {
  if (!text) return [];
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'string') return [value];
    if (value && typeof value === 'object') return Object.values(value).filter((v): v is string => typeof v === 'string' && v !== '');
  } catch {
    return [text];
  }
  return [];
}

export function settingsFromEnv(get: (name: EnvName) => string | undefined): SyncSettings {
  const need = (name: EnvName): string => {
    const value = get(name);
    if (!value) throw new Error(`sync: ${name} is not set`);
    return value;
  };
  const supabaseUrl = need('SUPABASE_URL').replace(/\/+$/, '');
  const direct = need('SUPABASE_DB_URL');
  const pool = Number(get('PACKSYNC_DB_POOL') ?? 3);
  const secretKeys = [get('SUPABASE_SERVICE_ROLE_KEY') ?? '', ...keyValues(get('SUPABASE_SECRET_KEYS'))].filter(Boolean);
  const jwtSecret = get('PACKSYNC_JWT_SECRET');
  return {
    dbUrl: get('PACKSYNC_DB_POOLER_URL') || direct,
    listenUrl: direct,
    poolSize: Number.isInteger(pool) && pool > 0 ? pool : 3,
    statementTimeout: get('PACKSYNC_STATEMENT_TIMEOUT') || '8s',
    apiKeys: [get('SUPABASE_ANON_KEY') ?? '', ...keyValues(get('SUPABASE_PUBLISHABLE_KEYS')), ...secretKeys].filter(Boolean),
    secretKeys,
    ...(jwtSecret ? { jwtSecret } : {}),
    jwksUrl: `${supabaseUrl}/auth/v1/.well-known/jwks.json`,
  };
}

/** The hosted edge runtime's global (absent under plain Deno). */
declare const EdgeRuntime: { waitUntil(promise: Promise<unknown>): void } | undefined;

export function syncHandlerFromEnv(get: (name: EnvName) => string | undefined): SyncHandler {
  const settings = settingsFromEnv(get);
  const jwks = parseJwks(get('SUPABASE_JWKS'));
  const runtime = typeof EdgeRuntime === 'undefined' ? undefined : EdgeRuntime;
  return createSyncHandler({
    db: createDb({
      url: settings.dbUrl,
      listenUrl: settings.listenUrl,
      max: settings.poolSize,
      statementTimeout: settings.statementTimeout,
    }),
    verifier: createVerifier({
      apiKeys: settings.apiKeys,
      ...(settings.jwtSecret ? { jwtSecret: settings.jwtSecret } : {}),
      ...(jwks ? { jwks } : {}),
      jwksUrl: settings.jwksUrl,
      clock: systemClock,
    }),
    secretKeys: settings.secretKeys,
    ...(runtime ? { keepAlive: (ended: Promise<void>) => runtime.waitUntil(ended) } : {}),
    clock: systemClock,
    logger: jsonLogger,
  });
}
