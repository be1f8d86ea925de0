import { readFile } from 'node:fs/promises';
import postgres from 'postgres';

const bootstrapSql = new URL('./bootstrap.sql', import.meta.url);

/**
 * Applies the Supabase platform bootstrap (roles, `auth`, `extensions`), and
 * pgTAP when its files are present in the server. Safe to run repeatedly.
 */
export async function applyBootstrap(url: string): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await sql.unsafe(await readFile(bootstrapSql, 'utf8'));
    const [pgtap] = await sql`select 1 from pg_available_extensions where name = 'pgtap'`;
    if (pgtap) await sql`create extension if not exists pgtap with schema extensions`;
  } finally {
    await sql.end();
  }
}
