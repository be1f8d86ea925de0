// `npm start`: the local stack plus the web app's dev server, in the
// foreground until Ctrl-C or SIGTERM, which stop everything it started.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { configFromEnv, repoRoot, startStack, stopProcess } from '../packages/stack/src/index.ts';
import { onShutdown } from './shutdown.ts';

const config = configFromEnv();
const stack = await startStack(config, { watch: true, maintenance: true });
const web = spawn(path.join(repoRoot, 'node_modules', '.bin', 'vite'), ['dev'], {
  cwd: path.join(repoRoot, 'web'),
  env: { ...process.env, VITE_SUPABASE_URL: stack.apiUrl, VITE_SUPABASE_ANON_KEY: config.anonKey },
  stdio: ['ignore', 'inherit', 'inherit'],
});
onShutdown(async () => {
  await stopProcess(web);
  await stack.stop();
});
web.on('exit', (code) => {
  console.error(`web dev server exited (${code}); stopping the stack`);
  void stack.stop().then(() => process.exit(code ?? 1));
});
console.log(`
Packsync is running.
  App:      http://127.0.0.1:3000
  API:      ${stack.apiUrl}   (auth: /auth/v1, functions: /functions/v1/<name>)
  Database: postgresql://postgres:postgres@127.0.0.1:${config.dbPort}/postgres
Press Ctrl-C to stop.`);
