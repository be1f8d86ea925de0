export { apiUrl, configFromEnv, dbUrl, defaultConfig, repoRoot, LOCAL_ANON_KEY, LOCAL_JWT_SECRET, LOCAL_SERVICE_ROLE_KEY } from './config.ts';
export type { StackConfig } from './config.ts';
export { startDatabase, applyBootstrap, applyMigrations, generateTypes } from './db/index.ts';
export { withThrowawayDatabase } from './db/throwaway.ts';
export { DATABASE_TYPES_FILE } from './db/types-file.ts';
export { stopProcess } from './functions/workers.ts';
export { freePort, portOpen } from './net.ts';
export { startStack } from './stack.ts';
export type { RunningStack, StackOptions } from './stack.ts';
