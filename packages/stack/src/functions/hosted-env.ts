import { publicJwks } from '../auth/tokens.ts';
import type { StackConfig } from '../config.ts';

/**
 * The variables hosted Supabase gives every edge function (Functions →
 * Environment variables), and nothing else. Names starting with `SUPABASE_`
 * cannot be set as secrets there, so a function that needs any other
 * `SUPABASE_*` name cannot run on hosted.
 */
export const HOSTED_FUNCTION_ENV = [
  'SUPABASE_URL',
  'SUPABASE_DB_URL',
  'SUPABASE_ANON_KEY',
  'SUPABASE_SERVICE_ROLE_KEY',
  'SUPABASE_JWKS',
  'SUPABASE_PUBLISHABLE_KEYS',
  'SUPABASE_SECRET_KEYS',
  'SB_REGION',
  'SB_EXECUTION_ID',
  'DENO_DEPLOYMENT_ID',
] as const;

/**
 * What a local worker may read: hosted's variables, our own `PACKSYNC_*`
 * secrets, and the `PG*` defaults postgres.js looks up (absent on hosted,
 * where the lookup just finds nothing). Deno refuses any other name, so a
 * function that would depend on something hosted lacks fails here first.
 */
export const FUNCTION_ENV_ALLOW = [...HOSTED_FUNCTION_ENV, 'PACKSYNC_*', 'PG*'];

export function hostedFunctionEnv(options: {
  url: string;
  dbUrl: string;
  config: Pick<StackConfig, 'anonKey' | 'serviceRoleKey' | 'publishableKey' | 'secretKey' | 'signingKey'>;
}): Record<(typeof HOSTED_FUNCTION_ENV)[number], string> {
  const { config } = options;
  return {
    SUPABASE_URL: options.url,
    SUPABASE_DB_URL: options.dbUrl,
    SUPABASE_ANON_KEY: config.anonKey,
    SUPABASE_SERVICE_ROLE_KEY: config.serviceRoleKey,
    SUPABASE_JWKS: JSON.stringify(publicJwks(config.signingKey)),
    SUPABASE_PUBLISHABLE_KEYS: JSON.stringify({ default: config.publishableKey }),
    SUPABASE_SECRET_KEYS: JSON.stringify({ default: config.secretKey }),
    SB_REGION: 'local',
    SB_EXECUTION_ID: crypto.randomUUID(),
    DENO_DEPLOYMENT_ID: 'local',
  };
}
