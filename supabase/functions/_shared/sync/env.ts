// The production wiring: collaborators from the environment the edge runtime
// provides (SUPABASE_DB_URL, SUPABASE_JWT_SECRET, the project keys and, on
// projects with asymmetric signing keys, SUPABASE_JWKS_URL).
import { createVerifier } from '../auth.ts';
import { systemClock } from '../clock.ts';
import { createDb } from '../db.ts';
import { jsonLogger } from '../log.ts';
import { createSyncHandler, type SyncHandler } from './handler.ts';

export function syncHandlerFromEnv(env: Record<string, string | undefined>): SyncHandler {
  const need = (name: string): string => {
    const value = env[name];
    if (!value) throw new Error(`sync: ${name} is not set`);
    return value;
  };
  const jwksUrl = env.SUPABASE_JWKS_URL;
  return createSyncHandler({
    db: createDb({ url: need('SUPABASE_DB_URL'), max: Number(env.PACKSYNC_DB_POOL ?? 4) }),
    verifier: createVerifier({
      jwtSecret: need('SUPABASE_JWT_SECRET'),
      apiKeys: [need('SUPABASE_ANON_KEY'), need('SUPABASE_SERVICE_ROLE_KEY')],
      ...(jwksUrl ? { jwksUrl } : {}),
      clock: systemClock,
    }),
    clock: systemClock,
    logger: jsonLogger,
  });
}
