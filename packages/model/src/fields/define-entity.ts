// Every entity gets the same four views of its columns; building them in one
// place keeps them from drifting apart.
import { z } from 'zod';
import { systemShape } from './system.ts';

type RowRefinement = (value: Record<string, unknown>, ctx: z.RefinementCtx) => void;

/**
 * - `fields`: the client-writable columns of a whole row (a create), strict;
 * - `patch`: any subset of them (an update), strict;
 * - `row`: system columns plus fields, as the server returns a row;
 * - `columns`: the field column names, in declaration order;
 * - `serverColumns`: the names of `serverShape`.
 * `refine` is a cross-field check run on all three schemas; it must cope with
 * absent keys, since a patch carries only some. `serverShape`: columns of this
 * entity the server alone writes (like the system columns), part of `row` only.
 */
export function defineEntity<Shape extends z.ZodRawShape, ServerShape extends z.ZodRawShape = {}>(
  shape: Shape,
  refine?: RowRefinement,
  serverShape?: ServerShape,
) {
  const check = <T extends z.ZodType>(schema: T): T =>
    refine ? (schema.superRefine((v, ctx) => refine(v as Record<string, unknown>, ctx)) as unknown as T) : schema;
  return {
    fields: check(z.strictObject(shape)),
    patch: check(z.strictObject(shape).partial()),
    row: check(z.strictObject({ ...systemShape, ...(serverShape ?? ({} as ServerShape)), ...shape })),
    columns: Object.keys(shape) as (keyof Shape & string)[],
    serverColumns: Object.keys(serverShape ?? {}) as (keyof ServerShape & string)[],
  };
}
