// Issue 9.6: the per-change error codes are one closed set, written in SQL
// (packsync_private.push_error_codes, which push_error enforces at run time)
// and in the protocol (PUSH_ERROR_CODES); they must agree, retryable included.
// Every code word the migrations pass to push_error must be registered too.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { PUSH_ERROR_CODES } from '../../../packages/protocol/src/push.ts';

const url = process.env.PACKSYNC_DB_URL;
if (!url) throw new Error('PACKSYNC_DB_URL is not set: run through `npm test` (see pull-no-miss.test.ts)');
const sql = postgres(url, { max: 1, onnotice: () => {} });
const migrations = path.join(import.meta.dirname, '../../migrations');

describe('per-change push error codes', () => {
  afterAll(() => sql.end({ timeout: 5 }));

  it('are the same set in SQL and in the protocol, with the same retryable flags', async () => {
    const rows = await sql`select code, retryable from packsync_private.push_error_codes order by code`;
    const inSql = Object.fromEntries(rows.map((r) => [r.code as string, { retryable: r.retryable as boolean }]));
    const inProtocol = Object.fromEntries(Object.entries(PUSH_ERROR_CODES).sort(([a], [b]) => a.localeCompare(b)));
    expect(inSql).toEqual(inProtocol);
  });

  it('cover every code the migrations use', async () => {
    const used = new Set<string>();
    for (const file of readdirSync(migrations).filter((f) => f.endsWith('.sql'))) {
      const text = readFileSync(path.join(migrations, file), 'utf8');
      for (const m of text.matchAll(/push_error\('([a-z_]+)'/g)) used.add(m[1]!);
      for (const m of text.matchAll(/then '([a-z_]+)'/g)) if (m[1]!.endsWith('_violation') || m[1] === 'write_failed') used.add(m[1]!);
    }
    expect(used.size).toBeGreaterThan(5);
    expect([...used].filter((code) => !(code in PUSH_ERROR_CODES))).toEqual([]);
  });

  it('push_error refuses a code outside the registry', async () => {
    await expect(sql`select packsync_private.push_error('made_up', 'x')`).rejects.toMatchObject({ code: 'XX000' });
  });
});
