// `npm run db:reset`: wipes the dev database folder and rebuilds it
// (bootstrap + every migration). Refuses while the dev stack is running.
import { rm } from 'node:fs/promises';
import { defaultConfig, portOpen, startDatabase } from '../packages/stack/src/index.ts';

const config = defaultConfig();
if (await portOpen(config.dbPort)) {
  console.error(`Port ${config.dbPort} is in use: stop \`npm run stack\` / \`npm start\` first, then reset.`);
  process.exit(1);
}
await rm(config.dataDir, { recursive: true, force: true });
const db = await startDatabase({ dataDir: config.dataDir, port: config.dbPort, log: config.log });
await db.stop();
console.log(`Database reset: ${config.dataDir} rebuilt from supabase/migrations.`);
