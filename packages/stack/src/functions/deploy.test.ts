// What `supabase functions deploy sync --use-api` uploads, seen by running
// the real CLI (the repo's pinned `supabase` package) against a stub of the
// Management API: the import map must be the one the local stack runs the
// function with, and the upload must hold every file the function imports.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../config.ts';
import { importMapFor } from './config.ts';

const functionsDir = path.join(repoRoot, 'supabase', 'functions');
const configToml = readFileSync(path.join(repoRoot, 'supabase', 'config.toml'), 'utf8');
const bin = (name: string) => path.join(repoRoot, 'node_modules', '.bin', name);

interface Upload {
  metadata: { entrypoint_path: string; import_map_path: string; verify_jwt: boolean; name: string };
  files: Map<string, string>;
}

/** Parts of a multipart/form-data body (the CLI's upload). */
function parseForm(body: Buffer, contentType: string): Upload {
  const boundary = /boundary=(.+)$/.exec(contentType)![1]!;
  const files = new Map<string, string>();
  let metadata: Upload['metadata'] | undefined;
  for (const part of body.toString('utf8').split(`--${boundary}`)) {
    const split = part.indexOf('\r\n\r\n');
    if (split === -1) continue;
    const head = part.slice(0, split);
    const content = part.slice(split + 4).replace(/\r\n$/, '');
    const filename = /filename="([^"]+)"/.exec(head)?.[1];
    if (filename) files.set(filename, content);
    else if (/name="metadata"/.test(head)) metadata = JSON.parse(content);
  }
  return { metadata: metadata!, files };
}

let upload: Upload;
let tmp: string;

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'packsync-deploy-'));
  const uploads: Upload[] = [];
  const stub = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      if (req.method === 'POST' && req.url?.includes('/functions/deploy')) {
        uploads.push(parseForm(Buffer.concat(chunks), String(req.headers['content-type'])));
        res.statusCode = 201;
        res.end(JSON.stringify({ id: 'fn', slug: 'sync', name: 'sync', version: 1, status: 'ACTIVE', created_at: 0, updated_at: 0 }));
        return;
      }
      res.end(req.url?.endsWith('/functions') ? '[]' : '{}');
    });
  });
  await new Promise<void>((resolve) => stub.listen(0, '127.0.0.1', resolve));
  const { port } = stub.address() as AddressInfo;
  const profile = path.join(tmp, 'profile.yaml');
  writeFileSync(profile, `name: stub\napi_url: http://127.0.0.1:${port}\ndashboard_url: http://127.0.0.1:${port}\nproject_host: stub.local\n`);
  try {
    const code = await new Promise<number>((resolve) => {
      const cli = spawn(bin('supabase'), [
        '--profile', profile, 'functions', 'deploy', 'sync', '--use-api', '--remote=abcdefghijklmnopqrst', '--yes',
      ], {
        cwd: repoRoot,
        env: { PATH: process.env.PATH ?? '', HOME: tmp, SUPABASE_ACCESS_TOKEN: `sbp_${'0'.repeat(40)}` },
        stdio: 'ignore',
      });
      cli.on('exit', (c) => resolve(c ?? 1));
    });
    expect(code).toBe(0);
  } finally {
    await new Promise<void>((resolve) => stub.close(() => resolve()));
  }
  expect(uploads).toHaveLength(1);
  upload = uploads[0]!;
}, 120_000);

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('supabase functions deploy sync --use-api', () => {
  it('uploads the import map the local stack runs the function with', () => {
    const local = importMapFor('sync', functionsDir, configToml);
    expect(local).toBe(path.join(functionsDir, 'deno.json'));
    expect(upload.metadata).toMatchObject({
      name: 'sync',
      entrypoint_path: 'supabase/functions/sync/index.ts',
      import_map_path: path.relative(repoRoot, local!),
      verify_jwt: false,
    });
    const importMap = JSON.parse(upload.files.get(upload.metadata.import_map_path)!);
    // Hosted has no node_modules folder: the map must not ask for one.
    expect(importMap.nodeModulesDir).toBeUndefined();
    expect(Object.keys(importMap.imports)).toEqual(expect.arrayContaining(['@packsync/protocol', 'zod', 'postgres', 'jose']));
  });

  it('uploads every local file the function imports, as Deno resolves them with that map', async () => {
    const { stdout } = await promisify(execFile)(bin('deno'), [
      'info', '--json', '--node-modules-dir=manual', '--config', path.join(functionsDir, 'deno.json'),
      path.join(functionsDir, 'sync', 'index.ts'),
    ], { cwd: repoRoot, env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 64 * 1024 * 1024 });
    const graph = (JSON.parse(stdout) as { modules: { specifier: string }[] }).modules
      .map((m) => m.specifier)
      .filter((s) => s.startsWith('file://') && !s.includes('/node_modules/'))
      .map((s) => path.relative(repoRoot, new URL(s).pathname))
      .sort();
    const uploaded = [...upload.files.keys()].filter((f) => f.endsWith('.ts')).sort();
    expect(uploaded).toEqual(graph);
    // No test helpers or parent-folder paths ride along.
    expect(uploaded.filter((f) => f.includes('.test.') || f.startsWith('..'))).toEqual([]);
  });
});
