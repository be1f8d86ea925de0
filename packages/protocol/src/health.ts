// GET /sync/health: 200 for ok and degraded, 503 for down. Anyone gets the
// status only (`healthStatus`); the checks need the service-role or a secret
// key in `apikey` or as the bearer token (`healthResponse`).
import { z } from 'zod';

export const HEALTH_STATUSES = ['ok', 'degraded', 'down'] as const;
export type HealthStatus = (typeof HEALTH_STATUSES)[number];

export const healthResponse = z.strictObject({
  status: z.enum(HEALTH_STATUSES),
  protocol_version: z.number().int(),
  /** Server time, ISO 8601. */
  time: z.string(),
  checks: z.strictObject({
    /** The database answered a query within the health timeout. */
    database: z.enum(['ok', 'down']),
    database_latency_ms: z.number().nullable(),
    /** Newest applied migration version, null when unknown. */
    migration: z.string().nullable(),
    /**
     * Age of the oldest open writing transaction, in ms: pulls serve changes
     * only up to it, so it is how far the pull horizon lags behind commits.
     */
    log_lag_ms: z.number().nullable(),
    /** Streams open on this instance. */
    streams: z.number().int(),
    /** The LISTEN connection: `idle` when no stream needs it. */
    listener: z.enum(['ok', 'idle', 'down']),
    /** Pokes waiting for the pull watermark to pass their transaction. */
    held_pokes: z.number().int(),
  }),
});
export type HealthResponse = z.infer<typeof healthResponse>;

/** What /sync/health tells a caller without the service-role key. */
export const healthStatus = z.strictObject({ status: z.enum(HEALTH_STATUSES) });
export type HealthStatusResponse = z.infer<typeof healthStatus>;
