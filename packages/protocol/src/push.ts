// POST /sync/push: the client's queued changes, in outbox order, each with
// the row version it was based on. The function hands the batch to
// `public.push_changes` unchanged; the results come back one per change.
import { z } from 'zod';
import { ENTITY_NAMES, entityPatchSchemas, uuid, type EntityName } from '../../model/src/index.ts';
import { MAX_CHANGES_PER_PUSH } from './limits.ts';

/** Version the client based its edit on; null when it believes the row is new. */
const baseVersion = z.number().int().min(0).nullable();

const changeHeader = { change_id: uuid, id: uuid, base_version: baseVersion };

function upsertOf<E extends EntityName>(entity: E) {
  // Fields are checked with the model's own per-entity schemas (one source of
  // truth): any subset of the client-writable columns, unknown columns refused.
  // Whether a create carries every required column is the database's call.
  return z.strictObject({
    ...changeHeader,
    entity: z.literal(entity),
    op: z.literal('upsert'),
    fields: entityPatchSchemas[entity] as (typeof entityPatchSchemas)[E],
  });
}

export const upsertChange = z.discriminatedUnion('entity', [
  upsertOf('trips'),
  upsertOf('trip_members'),
  upsertOf('people'),
  upsertOf('items'),
  upsertOf('rule_overrides'),
]);

/** A delete is a tombstone; it carries no fields (`{}`, null or none, as push_changes takes them). */
export const deleteChange = z.strictObject({
  ...changeHeader,
  entity: z.enum(ENTITY_NAMES),
  op: z.literal('delete'),
  fields: z.strictObject({}).nullable().optional(),
});

export const change = z.discriminatedUnion('op', [upsertChange, deleteChange]);
export type Change = z.infer<typeof change>;
export type ChangeOp = Change['op'];

export const pushRequest = z.strictObject({
  client_id: uuid,
  changes: z.array(change).max(MAX_CHANGES_PER_PUSH, {
    error: `must hold at most ${MAX_CHANGES_PER_PUSH} changes; send the rest in another push`,
  }),
});
export type PushRequest = z.infer<typeof pushRequest>;

export const PUSH_STATUSES = ['applied', 'merged', 'conflict', 'rejected'] as const;
export type PushStatus = (typeof PUSH_STATUSES)[number];

/** A row as the server holds it; validate it per entity with the model's row schemas. */
const serverRow = z.record(z.string(), z.unknown());

export const pushConflict = z.strictObject({
  /** The fields both sides changed. */
  fields: z.array(z.string()),
  /** Values of those fields at the client's base version. */
  base: z.record(z.string(), z.unknown()).nullable(),
  /** Current server values. */
  server: z.record(z.string(), z.unknown()).nullable(),
  /** What the client sent. */
  client: z.record(z.string(), z.unknown()).nullable(),
});
export type PushConflict = z.infer<typeof pushConflict>;

/**
 * Every code a `rejected` result's error can carry, and whether sending the
 * same change again (same change_id) can succeed. The same closed set as
 * `packsync_private.push_error_codes` in SQL (a test compares them).
 * Retryable rejections are not recorded by the server; the others are final.
 */
export const PUSH_ERROR_CODES = {
  invalid_change: { retryable: false },
  unknown_entity: { retryable: false },
  invalid_field: { retryable: false },
  forbidden_field: { retryable: false },
  invalid_base_version: { retryable: false },
  not_found: { retryable: false },
  permission_denied: { retryable: false },
  check_violation: { retryable: false },
  not_null_violation: { retryable: false },
  foreign_key_violation: { retryable: false },
  unique_violation: { retryable: false },
  last_owner: { retryable: false },
  tombstoned: { retryable: false },
  write_failed: { retryable: false },
  retry_later: { retryable: true },
} as const satisfies Record<string, { retryable: boolean }>;
export type PushErrorCode = keyof typeof PUSH_ERROR_CODES;
const pushErrorCode = z.enum(Object.keys(PUSH_ERROR_CODES) as [PushErrorCode, ...PushErrorCode[]]);

export const pushResult = z.strictObject({
  change_id: uuid,
  status: z.enum(PUSH_STATUSES),
  version: z.number().int().nullable(),
  row: serverRow.nullable(),
  conflict: pushConflict.nullable(),
  error: z.strictObject({ code: pushErrorCode, message: z.string() }).nullable(),
});
export type PushResult = z.infer<typeof pushResult>;

export const pushResponse = z.strictObject({ results: z.array(pushResult) });
export type PushResponse = z.infer<typeof pushResponse>;
