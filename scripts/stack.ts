// `npm run stack`: the local Supabase-compatible stack (Postgres + API) in the
// foreground until Ctrl-C or SIGTERM, which stop everything it started.
import { configFromEnv, dbUrl, startStack } from '../packages/stack/src/index.ts';
import { onShutdown } from './shutdown.ts';

const config = configFromEnv();
const stack = await startStack(config, { watch: process.env.CI !== 'true', maintenance: true });
onShutdown(() => stack.stop());
console.log(`
Packsync local stack is ready.
  API URL:          ${stack.apiUrl}   (auth: /auth/v1, functions: /functions/v1/<name>)
  DB URL:           ${dbUrl(config)}
  Functions:        ${stack.functions.join(', ') || '(none)'}
  anon key:         ${config.anonKey}
  service_role key: ${config.serviceRoleKey}
  JWT secret:       ${config.jwtSecret}
Press Ctrl-C to stop.`);
