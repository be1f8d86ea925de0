export { apiUrl, configFromEnv, dbUrl, defaultConfig, repoRoot, LOCAL_ANON_KEY, LOCAL_JWT_SECRET, LOCAL_SERVICE_ROLE_KEY } from './config.ts';
export type { StackConfig } from './config.ts';
export { startDatabase, applyBootstrap, applyMigrations, generateTypes } from './db/index.ts';
export { startStack } from './stack.ts';
export type { RunningStack, StackOptions } from './stack.ts';
