// POST /sync/history: a trip's change log, newest first, a page at a time.
// `before` is the `cursor` of the last entry of the previous page (opaque);
// `next` is null on the last page.
import { z } from 'zod';
import { ENTITY_NAMES, uuid } from '../../model/src/index.ts';
import { MAX_CURSOR_LENGTH, MAX_HISTORY_LIMIT } from './limits.ts';

export const historyRequest = z.strictObject({
  trip_id: uuid,
  before: z.string().min(1).max(MAX_CURSOR_LENGTH).nullable(),
  /** Entries per page; defaults to 100. */
  limit: z.number().int().min(1).max(MAX_HISTORY_LIMIT).optional(),
});
export type HistoryRequest = z.infer<typeof historyRequest>;



export const historyEntry = z.strictObject({
  entity: z.enum(ENTITY_NAMES),
  row_id: uuid,
  op: z.string(),
  version: z.number().int().nullable(),
  /** Who made the change (auth.users id), null for changes made outside a session. */
  actor: uuid.nullable(),
  changed_fields: z.array(z.string()).nullable(),
  /** When it committed, ISO 8601. */
  at: z.string(),
  cursor: z.string(),
});
export type HistoryEntry = z.infer<typeof historyEntry>;

export const historyResponse = z.strictObject({
  entries: z.array(historyEntry),
  next: z.string().nullable(),
});
export type HistoryResponse = z.infer<typeof historyResponse>;
