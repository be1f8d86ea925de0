import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './config.ts';

describe('package-lock.json', () => {
  it('lists every Supabase CLI platform package, or `npm ci` refuses it (run scripts/lock-cli-platforms.mjs)', () => {
    const lock = JSON.parse(readFileSync(path.join(repoRoot, 'package-lock.json'), 'utf8'));
    const wanted = Object.keys(lock.packages['node_modules/supabase'].optionalDependencies);
    const missing = wanted.filter((name) => !lock.packages[`node_modules/${name}`]);
    expect(missing).toEqual([]);
  });
});
