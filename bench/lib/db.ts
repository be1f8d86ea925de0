// Database helpers shared by the measures: a connection, acting as a user the
// way the edge function does (role authenticated + request.jwt.claims), and
// users/trips made straight in SQL for measures that do not need HTTP.
import { readFile } from 'node:fs/promises';
import postgres from 'postgres';

export type Sql = postgres.Sql;
export type Tx = postgres.TransactionSql;

export function connect(dbUrl: string, max = 4): Sql {
  return postgres(dbUrl, { max, onnotice: () => {}, prepare: true });
}

/** Runs fn in one transaction as `userId`, exactly as PostgREST and the sync function set up a request. */
export async function asUser<T>(sql: Sql, userId: string, fn: (tx: Tx) => Promise<T>): Promise<T> {
  const claims = JSON.stringify({ sub: userId, role: 'authenticated' });
  return (await sql.begin(async (tx) => {
    await tx`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', ${claims}, true)`;
    return fn(tx);
  })) as T;
}

/** The single row a query returns; a query that returns none is a bug in the bench. */
export function one<T>(rows: readonly T[]): T {
  const row = rows[0];
  if (row === undefined) throw new Error('expected a row, the query returned none');
  return row;
}

export async function createUser(sql: Sql, email: string): Promise<string> {
  return one(await sql<{ id: string }[]>`insert into auth.users (id, email) values (gen_random_uuid(), ${email}) returning id`).id;
}

/** A trip owned by the user (its creator becomes its owner through the trips trigger). */
export async function createTrip(sql: Sql, userId: string, name: string): Promise<string> {
  // No RETURNING: the select policy needs the owner row, which the trigger adds after the insert.
  const id = crypto.randomUUID();
  await asUser(sql, userId, (tx) => tx`insert into public.trips (id, name) values (${id}, ${name})`);
  return id;
}

export async function runFile(sql: Sql, file: string): Promise<void> {
  await sql.unsafe(await readFile(file, 'utf8'));
}

/** Milliseconds since an earlier performance.now(). */
export const since = (t0: number) => performance.now() - t0;
