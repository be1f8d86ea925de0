// Issue 9.4: one entity registry in SQL (packsync_private.entities), read by
// the log triggers, push and pull. It must name exactly the model's entities,
// list parents before children (push writes in that order), and name only
// columns that exist; every registered table has its log triggers.
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { ENTITY_NAMES } from '../../../packages/model/src/index.ts';

const url = process.env.PACKSYNC_DB_URL;
if (!url) throw new Error('PACKSYNC_DB_URL is not set: run through `npm test` (see pull-no-miss.test.ts)');
const sql = postgres(url, { max: 1, onnotice: () => {} });

type Entity = {
  name: string;
  parent_order: number;
  trip_column: string;
  member_column: string | null;
  fixed_columns: string[];
  server_columns: string[];
  owner_columns: string[];
};

describe('the SQL entity registry', () => {
  afterAll(() => sql.end({ timeout: 5 }));

  it('lists exactly the model entities', async () => {
    const rows = await sql<Entity[]>`select name from packsync_private.entities`;
    expect(rows.map((r) => r.name).sort()).toEqual([...ENTITY_NAMES].sort());
  });

  it('orders parents before children (every foreign key between synced tables points up the order)', async () => {
    const backwards = await sql`
      select c.conrelid::regclass::text as child, c.confrelid::regclass::text as parent
      from pg_constraint c
      join packsync_private.entities ce on ('public.' || ce.name)::regclass = c.conrelid
      join packsync_private.entities pe on ('public.' || pe.name)::regclass = c.confrelid
      where c.contype = 'f' and c.conrelid <> c.confrelid and pe.parent_order >= ce.parent_order`;
    expect(backwards).toEqual([]);
  });

  it('names only columns that exist (besides server columns the schema may not have yet)', async () => {
    const rows = await sql<Entity[]>`select * from packsync_private.entities`;
    for (const e of rows) {
      const cols = (await sql`select attname from pg_attribute
        where attrelid = ${'public.' + e.name}::regclass and attnum > 0 and not attisdropped`).map((r) => r.attname as string);
      const named = [e.trip_column, ...(e.member_column ? [e.member_column] : []), ...e.fixed_columns, ...e.owner_columns];
      expect(named.filter((c) => !cols.includes(c)), e.name).toEqual([]);
    }
  });

  it('every registered table has its three log triggers', async () => {
    const rows = await sql`select e.name, count(t.tgname)::int as n from packsync_private.entities e
      left join pg_trigger t on t.tgrelid = ('public.' || e.name)::regclass and t.tgname in ('log_insert', 'log_update', 'log_delete')
      group by e.name`;
    expect(rows.filter((r) => r.n !== 3)).toEqual([]);
  });
});
