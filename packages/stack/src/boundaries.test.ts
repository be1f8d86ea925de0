// Import boundaries that keep the pieces deployable and replaceable: scripts
// use the local stack only through its index, and the edge function reaches
// outside supabase/functions only through its import map (parent-folder
// paths are resolved differently, or not at all, by `supabase functions deploy`).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './config.ts';

const IMPORT = /(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function importsOf(dir: string, recursive: boolean): [string, string][] {
  const root = path.join(repoRoot, dir);
  return readdirSync(root, { recursive, withFileTypes: false })
    .map(String)
    .filter((f) => f.endsWith('.ts') && !f.includes('node_modules'))
    .flatMap((f) => [...readFileSync(path.join(root, f), 'utf8').matchAll(IMPORT)]
      .map((m): [string, string] => [path.join(dir, f), (m[1] ?? m[2])!]));
}

describe('import boundaries', () => {
  it('scripts import packages/stack only through its index', () => {
    const deep = importsOf('scripts', false)
      .filter(([, spec]) => spec.includes('packages/stack/') && !spec.endsWith('packages/stack/src/index.ts'));
    expect(deep).toEqual([]);
  });

  it('the edge function leaves supabase/functions only through its import map', () => {
    const functionsDir = path.join(repoRoot, 'supabase', 'functions');
    const escaping = importsOf('supabase/functions', true).filter(([file, spec]) =>
      spec.startsWith('.') && !path.resolve(repoRoot, path.dirname(file), spec).startsWith(functionsDir + path.sep));
    expect(escaping).toEqual([]);
  });
});
