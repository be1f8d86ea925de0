// The database refuses every row the model refuses (issue 14.2), and the two
// cannot drift apart: every case below is judged by the model's own zod
// schemas and by the database, and the verdicts must agree.
// - JSON level (what a client sends, what push_changes sees): the model's
//   `fields` schema vs. packsync_private.field_error plus an insert.
// - Stored rows (every write path: PostgREST and SQL coerce "yes" to true
//   before constraints run): whatever the database stores, the model's `row`
//   schema accepts when it reads it back.
// - Through push_changes: values of the right JSON type are applied exactly
//   when the model accepts them.
// Candidate values come from the model (enums, keys) plus the issue's examples.
import { randomUUID } from 'node:crypto';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CATEGORIES,
  entityFieldSchemas,
  entityRowSchemas,
  MEMBERSHIP_STATUSES,
  PERSON_KINDS,
  ROLES,
  personPreferences,
  TAGS,
  tripSettings,
  type EntityName,
} from '../../../packages/model/src/index.ts';

const url = process.env.PACKSYNC_DB_URL;
if (!url) throw new Error('PACKSYNC_DB_URL is not set: run through `npm test` or export a running stack\'s URL.');

const userId = randomUUID();
const otherUserId = randomUUID();
const tripId = randomUUID();
const claims = JSON.stringify({ sub: userId, role: 'authenticated' });
const sql = postgres(url, { max: 1, onnotice: () => {} });

type Entity = EntityName;
const day = (date: string, extra: Record<string, unknown> = {}) => ({ date, label: '', tags: [], ...extra });
const snapshot = { name: 'Socks', quantity: 2, category: 'clothing', notes: '' };
// JSON.parse makes __proto__ an own key, as it arrives over the wire.
const protoSnapshot = JSON.parse(`{"name":"Socks","quantity":2,"category":"clothing","notes":"","__proto__":{"x":"${'a'.repeat(100_000)}"}}`);

const texts = (max: number) => ['x', ' ', '\t', '\u00a0', '\u3000x', 'a'.repeat(max), 'a'.repeat(max + 1), '😀'.repeat(max), '', 5, null];
const dates = ['2026-02-28', '2024-02-29', '2026-02-30', 'today', '2026-1-1', '10000-01-01', '0000-01-01', '0001-01-01', 20260101, null];
const booleans = [true, false, 'yes', 'true', 1, 0, null];
const quantities = [0, 1, 999, 1000, -1, 1.5, '3', null];
const flagCases = (keys: string[]) => [
  {}, ...keys.map((k) => ({ [k]: true })), ...keys.map((k) => ({ [k]: 'yes' })), { [keys[0]!]: null },
  { constructor: { prototype: {} } }, JSON.parse('{"__proto__": true}'), [], 'x', null,
];

const base: Record<Entity, Record<string, unknown>> = {
  trips: { name: 'Lisbon', destination: '', start_date: null, end_date: null, days: [], settings: {} },
  trip_members: { trip_id: tripId, user_id: otherUserId, role: 'viewer' },
  people: { trip_id: tripId, name: 'Ana', kind: 'adult', preferences: {} },
  items: { trip_id: tripId, person_id: null, name: 'Socks', category: 'misc', quantity: 1, packed: false, notes: '',
    day: null, rule_id: null, generated: null },
  rule_overrides: { trip_id: tripId, person_id: null, rule_id: 'socks.per-day', quantity: null, disabled: false },
};

const candidates: Record<Entity, Record<string, unknown[]>> = {
  trips: {
    name: texts(200),
    destination: texts(200),
    start_date: dates,
    days: [
      [], [day('2026-06-01')], [day('2026-06-01', { tags: [...TAGS] })], [day('2026-06-01', { tags: ['beach', 'beach'] })],
      [day('2026-06-01', { tags: ['moon'] })], [day('2026-06-01'), day('2026-06-01')], [day('2026-06-01', { extra: 1 })],
      [{ date: '2026-06-01', label: '' }], [day('2026-02-30')], [day('today')], [day('2026-06-01', { label: 'a'.repeat(101) })],
      [1, 2, 'x'], Array.from({ length: 367 }, (_, i) => day(new Date(Date.UTC(2026, 0, 1 + i)).toISOString().slice(0, 10))),
      {}, 'x', null,
    ],
    settings: flagCases(Object.keys(tripSettings.shape)),
  },
  trip_members: {
    role: [...ROLES, 'admin', 'Owner', null],
    status: [...MEMBERSHIP_STATUSES, 'pending', 1, null],
  },
  people: {
    name: texts(100),
    kind: [...PERSON_KINDS, 'robot', 'Adult', null],
    preferences: flagCases(Object.keys(personPreferences.shape)),
  },
  items: {
    name: texts(200),
    category: [...CATEGORIES, 'NOT-A-CATEGORY', 'Clothing', '', null],
    quantity: quantities,
    packed: booleans,
    notes: texts(2000),
    day: dates,
    rule_id: ['socks.per-day', 'Socks', '-x', 'a'.repeat(101), '', null],
    generated: [
      snapshot, null, protoSnapshot, { ...snapshot, extra: 1 }, { ...snapshot, category: 'NOT-A-CATEGORY' },
      { ...snapshot, quantity: 1.5 }, { ...snapshot, name: ' ' }, { ...snapshot, notes: 'a'.repeat(100_000) },
      { name: 'Socks', quantity: 2, category: 'clothing' }, [snapshot], 'x',
    ],
  },
  rule_overrides: {
    rule_id: ['socks.per-day', 'UPPER', '', null],
    quantity: quantities,
    disabled: booleans,
  },
};

const cases = (Object.keys(candidates) as Entity[]).flatMap((entity) =>
  Object.entries(candidates[entity]).flatMap(([field, values]) =>
    values.map((value, n) => ({ entity, field, value, n, row: { ...base[entity], [field]: value } }))));

const label = (value: unknown) => {
  const s = JSON.stringify(value) ?? String(value);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
};

/** Runs `work` as the test user in a savepoint that is always rolled back. */
async function attempt<T>(work: (tx: postgres.TransactionSql) => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: string }> {
  const rollback = new Error('rollback');
  let outcome: { ok: true; value: T } | { ok: false; error: string } = { ok: false, error: 'not run' };
  await sql.begin(async (tx) => {
    await tx`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', ${claims}, true)`;
    try {
      outcome = { ok: true, value: await work(tx) };
    } catch (error) {
      outcome = { ok: false, error: (error as Error).message };
    }
    throw rollback;
  }).catch((error) => {
    if (error !== rollback) throw error;
  });
  return outcome;
}

/**
 * A direct insert of the row's fields, the way PostgREST turns JSON into a
 * row, then the stored row read back (a new trip is readable only once the
 * statement has made its creator a member, so not through RETURNING).
 */
async function insertRow(tx: postgres.TransactionSql, entity: Entity, row: Record<string, unknown>) {
  const columns = Object.keys(row);
  const id = randomUUID();
  await tx.unsafe(
    `insert into public.${entity} (id, ${columns.join(', ')})
     select $2::uuid, ${columns.join(', ')} from jsonb_populate_record(null::public.${entity}, $1::jsonb)`,
    [row as never, id],
  );
  return tx.unsafe(`select to_jsonb(t) as stored from public.${entity} t where t.id = $1`, [id]);
}

beforeAll(async () => {
  await sql.begin(async (tx) => {
    await tx`insert into auth.users (id, email) values (${userId}, ${`${userId}@model-checks.test`}),
      (${otherUserId}, ${`${otherUserId}@model-checks.test`})`;
    await tx`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', ${claims}, true)`;
    await tx`insert into public.trips (id, name) values (${tripId}, 'Model checks')`;
  });
});

afterAll(async () => {
  await sql`delete from public.trips where id = ${tripId}`;
  await sql`delete from auth.users where id in (${userId}, ${otherUserId})`;
  await sql.end();
});

describe('the database refuses what the model refuses', () => {
  it('has cases for every client-writable column but ids and foreign keys', () => {
    for (const entity of Object.keys(candidates) as Entity[]) {
      const shape = Object.keys(entityFieldSchemas[entity].shape);
      const covered = Object.keys(candidates[entity]);
      expect(shape.filter((c) => !covered.includes(c) && !c.endsWith('_id') && c !== 'end_date'), entity).toEqual([]);
    }
  });

  it.each(cases.map((c) => [c.entity, c.field, label(c.value), c] as const))(
    '%s.%s = %s: same verdict as the model, on every path',
    async (_e, _f, _v, { entity, field, row }) => {
      const modelOk = entityFieldSchemas[entity].safeParse(row).success;

      // JSON level: the type check push_changes can use, then the constraints.
      const json = await attempt(async (tx) => {
        const [{ error }] = await tx`select packsync_private.field_error(${entity}, ${row as never}::jsonb) as error`;
        if (error) throw new Error(error);
        return insertRow(tx, entity, row);
      });
      expect(json.ok, `model ${modelOk ? 'accepts' : 'refuses'}; database: ${json.ok ? 'accepts' : (json as { error: string }).error}`)
        .toBe(modelOk);

      // Stored rows: whatever a direct write stores, the model reads back.
      const direct = await attempt((tx) => insertRow(tx, entity, row));
      if (direct.ok) {
        const stored = direct.value[0]!.stored;
        const parsed = entityRowSchemas[entity].safeParse(stored);
        expect(parsed.success, `stored ${label(stored[field])} for ${field}: ${parsed.error?.message}`).toBe(true);
      }

      // Through push_changes, every case: a value of the wrong JSON type is
      // refused before a column's input function could coerce it.
      {
        const pushed = await attempt(async (tx) => {
          const change = { change_id: randomUUID(), entity, op: 'upsert', id: randomUUID(), base_version: null, fields: row };
          const [{ result }] = await tx`select public.push_changes(${randomUUID()}, ${[change] as never}::jsonb) -> 'results' -> 0 as result`;
          return result as { status: string; error: { message: string } | null };
        });
        expect(pushed.ok && pushed.value.status, `push: ${JSON.stringify(pushed)}`).toBe(modelOk ? 'applied' : 'rejected');
      }
    },
  );
});
