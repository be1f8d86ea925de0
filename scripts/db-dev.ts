// `npm run db -- [port] [dataDir]`: only the database (bootstrap + every
// migration), in the foreground. Handy while writing SQL on a port of its own;
// `npm run stack` is the whole local stack.
import { startDatabase } from '../packages/stack/src/index.ts';

const port = Number(process.argv[2] ?? 54322);
const dataDir = process.argv[3] ?? `.packsync/db-${port}`;
const db = await startDatabase({ dataDir, port, log: (l) => console.error(l) });
console.log(`database ready: ${db.url}`);
const stop = () => void db.stop().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
