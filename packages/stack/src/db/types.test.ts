import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { testStack } from '../testing.ts';
import { generateTypes } from './migrate.ts';
import { DATABASE_TYPES_FILE } from './types-file.ts';

describe('supabase/types/database.ts', () => {
  it('is what `supabase gen types` makes of the migrations now (else run `npm run db:types`)', async () => {
    const fresh = await generateTypes(testStack().dbUrl);
    const checkedIn = await readFile(DATABASE_TYPES_FILE, 'utf8').catch(() => '(missing)');
    expect(checkedIn, 'stale: run `npm run db:types` and commit the result').toBe(fresh);
  });
});
