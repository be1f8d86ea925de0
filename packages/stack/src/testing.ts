import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import WebSocket from 'ws';

/**
 * The running test stack, as `npm test` describes it in the environment.
 * Suites that need it call this and fail loudly when run another way.
 */
export function testStack() {
  const need = (name: string): string => {
    const value = process.env[name];
    if (!value) {
      throw new Error(`${name} is not set: run this suite through \`npm test\` (it starts a throw-away stack), ` +
        'or export the variables of a running stack yourself.');
    }
    return value;
  };
  return {
    dbUrl: need('PACKSYNC_DB_URL'),
    apiUrl: need('PACKSYNC_API_URL'),
    anonKey: need('PACKSYNC_ANON_KEY'),
    serviceRoleKey: need('PACKSYNC_SERVICE_ROLE_KEY'),
    jwtSecret: need('PACKSYNC_JWT_SECRET'),
  };
}

/**
 * A supabase-js client against the test stack, configured as an app would be
 * but without persisting or auto-refreshing sessions. Node 20 has no global
 * WebSocket, so realtime gets `ws` as its transport.
 */
export function testClient(stack = testStack()): SupabaseClient {
  return createClient(stack.apiUrl, stack.anonKey, {
    auth: { persistSession: false, autoRefreshToken: false },
    realtime: { transport: WebSocket as never },
  });
}
