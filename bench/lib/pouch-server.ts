// The peer's server for measure 7: express-pouchdb over PouchDB's leveldb
// adapter (leveldown's prebuilt binary), on a free local port, with CORS so
// the bench page's origin may replicate with it.
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

type Handler = (req: unknown, res: unknown) => void;
const require = createRequire(import.meta.url);

export async function startPouchServer(): Promise<{ url: string; adapter: string; stop(): Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'packsync-bench-pouch-'));
  const PouchDB = require('pouchdb') as { defaults(o: object): unknown };
  const expressPouchDB = require('express-pouchdb') as (db: unknown, o: object) => Handler;
  const DB = PouchDB.defaults({ prefix: `${dir}/` });
  const app = expressPouchDB(DB, { mode: 'minimumForPouchDB', inMemoryConfig: true, logPath: path.join(dir, 'log.txt') });
  const server = createServer((req, res) => {
    res.setHeader('access-control-allow-origin', req.headers.origin ?? '*');
    res.setHeader('access-control-allow-credentials', 'true');
    res.setHeader('access-control-allow-methods', 'GET,PUT,POST,DELETE,HEAD,OPTIONS');
    res.setHeader('access-control-allow-headers', req.headers['access-control-request-headers'] ?? 'content-type,accept,authorization');
    if (req.method === 'OPTIONS') {
      res.writeHead(204).end();
      return;
    }
    app(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    adapter: 'leveldb',
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
