import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import postgres from 'postgres';
import { createAuthHandler } from './auth/handler.ts';
import { apiUrl, repoRoot, type StackConfig } from './config.ts';
import { startDatabase } from './db/index.ts';
import { startPostgres } from './db/postgres.ts';
import { functionsWithoutJwtCheck } from './functions/config.ts';
import { hostedFunctionEnv } from './functions/hosted-env.ts';
import { FunctionWorkers } from './functions/workers.ts';
import { startGateway } from './gateway.ts';
import { runMaintenance, scheduleMaintenance } from './maintenance.ts';

export interface RunningStack {
  dbUrl: string;
  apiUrl: string;
  functions: string[];
  stop(): Promise<void>;
  /** Fault injection: SIGKILL one function's worker; the gateway starts it again on the next request. */
  killFunction(name: string): Promise<void>;
  /** Fault injection: stop Postgres alone and start it again on the same data; its clients reconnect. */
  restartDatabase(): Promise<void>;
}

export interface StackOptions {
  /** Restart function workers when their code changes. */
  watch?: boolean;
  /** Faster, non-durable Postgres settings for throw-away test clusters. */
  ephemeral?: boolean;
  functionsDir?: string;
  /** Run the retention job (packsync_private.run_maintenance) at start and once a day. */
  maintenance?: boolean;
}

/**
 * Starts the local Supabase-compatible stack: Postgres (bootstrapped and
 * migrated), the auth server and the edge-function workers behind one
 * gateway. Everything started is stopped by `stop()`, also when start-up
 * fails half-way.
 */
export async function startStack(config: StackConfig, options: StackOptions = {}): Promise<RunningStack> {
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch((e) => config.log(`stop: ${String(e)}`));
    stops.length = 0;
  };
  try {
    const dbOptions = { dataDir: config.dataDir, port: config.dbPort, log: config.log, ephemeral: options.ephemeral ?? false };
    let db = await startDatabase(dbOptions);
    stops.push(() => db.stop());

    const sql = postgres(db.url, { max: 4, onnotice: () => {} });
    stops.push(() => sql.end({ timeout: 2 }));
    if (options.maintenance) {
      const schedule = scheduleMaintenance({ run: runMaintenance(sql), log: config.log });
      stops.push(() => schedule.stop());
    }

    const url = apiUrl(config);
    const functionsDir = options.functionsDir ?? path.join(repoRoot, 'supabase', 'functions');
    const configToml = readIfExists(path.join(path.dirname(functionsDir), 'config.toml'));
    const functions = new FunctionWorkers({
      functionsDir,
      watch: options.watch ?? false,
      log: config.log,
      configToml,
      // Exactly what hosted Supabase gives a function, plus our own secret for
      // the legacy HS256 sessions that tests still mint with the CLI's secret.
      env: {
        ...hostedFunctionEnv({ url, dbUrl: db.url, config }),
        PACKSYNC_JWT_SECRET: config.jwtSecret,
      },
    });
    stops.push(() => functions.stop());

    const tokens = {
      secret: config.jwtSecret,
      signingKey: config.signingKey,
      issuer: `${url}/auth/v1`,
      expirySeconds: config.jwtExpirySeconds,
    };
    const gateway = await startGateway({
      port: config.apiPort,
      apiKeys: [config.anonKey, config.serviceRoleKey, config.publishableKey, config.secretKey],
      tokens,
      auth: createAuthHandler({ sql, tokens }),
      functions,
      openFunctions: functionsWithoutJwtCheck(configToml),
      log: config.log,
    });
    stops.push(() => gateway.stop());
    await functions.startAll();

    return {
      dbUrl: db.url, apiUrl: url, functions: functions.names(), stop,
      killFunction: (name) => functions.kill(name),
      async restartDatabase() {
        await db.stop();
        db = await startPostgres(dbOptions); // already bootstrapped and migrated
      },
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

function readIfExists(file: string): string {
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
}
