// The model (packages/model) against the live schema: lives here, beside the
// other tests that need a database, so the model's own tests run without one.
import postgres from 'postgres';
import { afterAll, describe, expect, expectTypeOf, it } from 'vitest';
import type { Database } from '../../types/database.ts';
import { ENTITY_NAMES, entityRowSchemas } from '../../../packages/model/src/index.ts';
import type { Item, Person, RuleOverride, Trip, TripMember } from '../../../packages/model/src/index.ts';

type Row<T extends keyof Database['public']['Tables']> = Database['public']['Tables'][T]['Row'];

describe('the model matches the database', () => {
  it('has exactly the columns of the generated DB types (checked by tsc in the types suite)', () => {
    expectTypeOf<keyof Trip>().toEqualTypeOf<keyof Row<'trips'>>();
    expectTypeOf<keyof TripMember>().toEqualTypeOf<keyof Row<'trip_members'>>();
    expectTypeOf<keyof Person>().toEqualTypeOf<keyof Row<'people'>>();
    expectTypeOf<keyof Item>().toEqualTypeOf<keyof Row<'items'>>();
    expectTypeOf<keyof RuleOverride>().toEqualTypeOf<keyof Row<'rule_overrides'>>();
  });

  describe('against the live schema', () => {
    const url = process.env.PACKSYNC_DB_URL;
    if (!url) throw new Error('PACKSYNC_DB_URL is not set: run this suite through `npm test`.');
    const sql = postgres(url, { max: 1 });
    afterAll(() => sql.end());

    it.each(ENTITY_NAMES)('%s: same column names, and a column is nullable in SQL exactly when the model accepts null', async (entity) => {
      const columns = await sql<{ column_name: string; is_nullable: 'YES' | 'NO' }[]>`
        select column_name, is_nullable from information_schema.columns
        where table_schema = 'public' and table_name = ${entity} order by column_name`;
      const shape = entityRowSchemas[entity].shape as Record<string, { safeParse(v: unknown): { success: boolean } }>;
      const fromDb = columns.map((c) => [c.column_name, c.is_nullable === 'YES']);
      const fromModel = Object.keys(shape).sort().map((c) => [c, shape[c]!.safeParse(null).success]);
      expect(fromModel).toEqual(fromDb);
    });
  });
});
