// POST /sync/pull: what changed, visible to the caller, after its cursor.
import { z } from 'zod';
import { ENTITY_NAMES, uuid } from '../../model/src/index.ts';
import { MAX_CURSOR_LENGTH, MAX_PULL_LIMIT } from './limits.ts';

export const pullRequest = z.strictObject({
  /** Opaque position from the last pull; null starts from the beginning. */
  cursor: z.string().min(1).max(MAX_CURSOR_LENGTH).nullable(),
  /** Most changes to return; defaults to (and may not exceed) MAX_PULL_LIMIT. */
  limit: z.number().int().min(1).max(MAX_PULL_LIMIT).optional(),
  /**
   * The caller's client id (the one it pushes with): rows that client wrote
   * through push are not sent back, since their push results gave them to it.
   * Leave it out to get everything (a client that may have lost a result).
   */
  client_id: uuid.optional(),
});
export type PullRequest = z.infer<typeof pullRequest>;

export const PULL_OPS = ['upsert', 'delete', 'revoke'] as const;
export type PullOp = (typeof PULL_OPS)[number];

export const pulledChange = z.strictObject({
  entity: z.enum(ENTITY_NAMES),
  id: uuid,
  trip_id: uuid,
  /** `revoke`: the caller lost access to this trip; drop it and everything in it. */
  op: z.enum(PULL_OPS),
  version: z.number().int().nullable(),
  /** Newest state of the row; validate it per entity with the model's row schemas. */
  row: z.record(z.string(), z.unknown()).nullable(),
});
export type PulledChange = z.infer<typeof pulledChange>;

export const pullResponse = z.strictObject({
  changes: z.array(pulledChange),
  cursor: z.string().nullable(),
  has_more: z.boolean(),
});
export type PullResponse = z.infer<typeof pullResponse>;
