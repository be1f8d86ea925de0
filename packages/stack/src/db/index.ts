import { applyBootstrap } from './bootstrap.ts';
import { applyMigrations } from './migrate.ts';
import { startPostgres, type PostgresOptions, type PostgresServer } from './postgres.ts';

export { applyBootstrap } from './bootstrap.ts';
export { applyMigrations, generateTypes } from './migrate.ts';
export type { PostgresServer } from './postgres.ts';

/**
 * Postgres ready for the app: started, Supabase platform objects bootstrapped,
 * every migration applied.
 */
export async function startDatabase(options: PostgresOptions): Promise<PostgresServer> {
  const server = await startPostgres(options);
  try {
    await applyBootstrap(server.url);
    await applyMigrations(server.url);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}
