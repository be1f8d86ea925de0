import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { postgresUser, reachable } from './db/access.ts';

/** Repository root, resolved from this file so scripts work from any cwd. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/**
 * The Supabase CLI's well-known local secrets (`supabase start` prints the
 * same), so supabase-js is configured exactly as against the CLI's stack.
 * They are public and only ever valid on a developer machine.
 */
export const LOCAL_JWT_SECRET = 'super-secret-jwt-token-with-at-least-32-characters-long';
export const LOCAL_ANON_KEY =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6ImFub24iLCJleHAiOjE5ODM4MTI5OTZ9.CRXP1A7WOeoJeXxjNni43kdQwgnWNReilDMblYTn_I0';
export const LOCAL_SERVICE_ROLE_KEY =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6InNlcnZpY2Vfcm9sZSIsImV4cCI6MTk4MzgxMjk5Nn0.EGIM96RAZx35lJzdJsyH-qQwv8Hdp7fsn3W0YpN81IU';

/**
 * The CLI's well-known local publishable and secret API keys (the new key
 * format; hosted projects issue their own).
 */
export const LOCAL_PUBLISHABLE_KEY = 'sb_publishable_ACJWlzQHlZjBrEguHvfOxg_3BJgxAaH';
export const LOCAL_SECRET_KEY = 'sb_secret_N7UND0UgjKTVK-Uodkm0Hg_xSvEMPvz';

/**
 * The local auth's ES256 signing key (a JWK, private part included). Hosted
 * projects sign user sessions with an asymmetric key and publish its public
 * half at /auth/v1/.well-known/jwks.json; the local stack does the same so
 * tests run the path hosted runs. Fixed so sessions survive a restart; like
 * the JWT secret above it is public and valid only on a developer machine.
 */
export const LOCAL_SIGNING_KEY = {
  kty: 'EC',
  crv: 'P-256',
  kid: 'packsync-local-es256',
  alg: 'ES256',
  x: 'ULJJibasuQMuJfXtmPyr3LNtzNLvFn6oVrKrWLzN_6M',
  y: '8Wg558Dkp70XsoMpeegntGUM8v5EwtXfI5IG7Y1Tmkg',
  d: 'KbbGXGw8y6cLX4vBSpwrjc7fRVbiKu551yKIWcnH39Y',
} as const;

export interface StackConfig {
  /** Postgres port; the CLI's default is 54322. */
  dbPort: number;
  /** API gateway port (auth + functions); the CLI's default is 54321. */
  apiPort: number;
  /** Folder holding the Postgres cluster; survives restarts unless reset. */
  dataDir: string;
  jwtSecret: string;
  anonKey: string;
  serviceRoleKey: string;
  publishableKey: string;
  secretKey: string;
  /** Signs user sessions (ES256); anon/service-role keys stay HS256 with `jwtSecret`. */
  signingKey: typeof LOCAL_SIGNING_KEY;
  /** Lifetime of access tokens in seconds (GoTrue's JWT_EXP). */
  jwtExpirySeconds: number;
  /** Where diagnostics go; the test runner silences them. */
  log: (line: string) => void;
}

export function defaultConfig(overrides: Partial<StackConfig> = {}): StackConfig {
  return {
    dbPort: 54322,
    apiPort: 54321,
    dataDir: overrides.dataDir ?? defaultDataDir(),
    jwtSecret: LOCAL_JWT_SECRET,
    anonKey: LOCAL_ANON_KEY,
    serviceRoleKey: LOCAL_SERVICE_ROLE_KEY,
    publishableKey: LOCAL_PUBLISHABLE_KEY,
    secretKey: LOCAL_SECRET_KEY,
    signingKey: LOCAL_SIGNING_KEY,
    jwtExpirySeconds: 3600,
    log: (line) => console.log(line),
    ...overrides,
  };
}

/**
 * Default config with overrides from the environment, so one script can run
 * the dev stack or a second, throw-away one beside it.
 */
export function configFromEnv(env: Record<string, string | undefined> = process.env): StackConfig {
  const overrides: Partial<StackConfig> = {};
  if (env.PACKSYNC_DB_PORT) overrides.dbPort = Number(env.PACKSYNC_DB_PORT);
  if (env.PACKSYNC_API_PORT) overrides.apiPort = Number(env.PACKSYNC_API_PORT);
  if (env.PACKSYNC_DATA_DIR) overrides.dataDir = path.resolve(env.PACKSYNC_DATA_DIR);
  if (env.PACKSYNC_JWT_EXPIRY) overrides.jwtExpirySeconds = Number(env.PACKSYNC_JWT_EXPIRY);
  return defaultConfig(overrides);
}

export function dbUrl(config: Pick<StackConfig, 'dbPort'>, user = 'postgres', password = 'postgres'): string {
  return `postgresql://${user}:${password}@127.0.0.1:${config.dbPort}/postgres`;
}

export function apiUrl(config: Pick<StackConfig, 'apiPort'>): string {
  return `http://127.0.0.1:${config.apiPort}`;
}

/**
 * `.packsync/db` in the checkout, unless the checkout sits in a folder the
 * `postgres` user cannot enter (a private home, a `mktemp -d` folder): then a
 * folder of its own under /var/tmp, which also survives restarts.
 */
function defaultDataDir(): string {
  const inCheckout = path.join(repoRoot, '.packsync', 'db');
  if (reachable(inCheckout, postgresUser())) return inCheckout;
  const id = createHash('sha256').update(repoRoot).digest('hex').slice(0, 12);
  return path.join('/var/tmp', `packsync-${id}`, 'db');
}
