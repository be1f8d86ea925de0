import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startDatabase } from './index.ts';

/**
 * Runs `work` against a fresh, fully migrated database in a temporary folder
 * on `port`, and removes it afterwards whatever happens.
 */
export async function withThrowawayDatabase<T>(port: number, work: (url: string) => Promise<T>): Promise<T> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'packsync-db-'));
  await chmod(root, 0o755); // Postgres runs as the `postgres` user
  try {
    const db = await startDatabase({ dataDir: path.join(root, 'db'), port, log: () => {}, ephemeral: true });
    try {
      return await work(db.url);
    } finally {
      await db.stop();
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
