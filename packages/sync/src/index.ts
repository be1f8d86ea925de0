// @packsync/sync — the client sync engine. See README.md beside this folder.
export { createSyncEngine, type SyncEngine } from './engine.ts';
export type { SyncEngineOptions } from './options.ts';
export type {
  Conflict, ConflictPolicies, ConflictPolicy, OutboxEntry, Resolution, Row, SyncState, SyncStatus, SyncSummary,
} from './types.ts';
export { SyncError } from './errors.ts';
export type { HealthCheck, HealthLevel, HealthReport } from './health.ts';
export type { MetricsSnapshot, TimingSummary } from './metrics.ts';
export type { HistoryEntry } from './remote.ts';
export {
  memoryLocks, systemClock, silentLogger, consoleLogger,
  type Broadcast, type BroadcastFactory, type Clock, type Locks, type Logger, type NetworkMonitor,
} from './collaborators.ts';
export { DEFAULT_POLICIES } from './conflicts.ts';
