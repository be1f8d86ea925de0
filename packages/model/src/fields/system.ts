// Columns every synced row has. The server owns them (triggers and
// push_changes set them); clients read them but never write them, which is
// why they are not part of any `*Fields` schema.
import { z } from 'zod';
import { uuid } from './primitives.ts';

// Timestamps arrive as Postgres renders timestamptz in JSON; the model never
// does arithmetic on them, so only their presence is checked.
const timestamp = z.string().min(1, { error: 'must be a timestamp' });

export const systemShape = {
  id: uuid,
  version: z.number().int().min(0, { error: 'must be 0 or more' }),
  created_at: timestamp,
  updated_at: timestamp,
  deleted_at: timestamp.nullable(),
  // Null for rows written outside a user session (service role, migrations, SQL).
  created_by: uuid.nullable(),
};

export type SystemFields = z.infer<z.ZodObject<typeof systemShape>>;

export const systemColumns = Object.keys(systemShape) as (keyof SystemFields)[];
