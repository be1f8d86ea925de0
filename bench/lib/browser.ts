// Chromium for the client measures: the engine bundled with esbuild from
// node_modules, served from a local origin (IndexedDB needs one), and one
// browser context per device so each has its own IndexedDB.
import { createServer, type Server } from 'node:http';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import { repoRoot } from '../../packages/stack/src/index.ts';
import type { BenchApi } from '../browser/entry.ts';
import type { PouchApi } from '../browser/pouch.ts';

export const CHROMIUM = process.env.PACKSYNC_CHROMIUM ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface BenchBrowser {
  browser: Browser;
  origin: string;
  version: string;
  /** A fresh device: its own context (storage), the bench page loaded. */
  device(): Promise<Device>;
  close(): Promise<void>;
}

export interface Device {
  page: Page;
  /** Calls a method of the page's bench API. */
  call<K extends keyof BenchApi>(method: K, ...args: Parameters<BenchApi[K]>): Promise<Awaited<ReturnType<BenchApi[K]>>>;
  /** Calls a method of the page's PouchDB API (when launched with the pouch entry). */
  pouch<K extends keyof PouchApi>(method: K, ...args: Parameters<PouchApi[K]>): Promise<Awaited<ReturnType<PouchApi[K]>>>;
  close(): Promise<void>;
}

async function bundle(entry: string, outDir: string): Promise<string> {
  const outfile = path.join(outDir, `${path.basename(entry, '.ts')}.js`);
  await build({
    entryPoints: [entry], bundle: true, format: 'iife', platform: 'browser', target: 'chrome120', outfile,
    define: { 'process.env.NODE_ENV': '"production"', global: 'globalThis' }, logLevel: 'warning',
  });
  return outfile;
}

function serve(files: Record<string, { type: string; body: () => Promise<Buffer | string> }>): Promise<{ server: Server; origin: string }> {
  const server = createServer((req, res) => {
    const file = files[(req.url ?? '/').split('?')[0]!];
    if (!file) {
      res.writeHead(404).end();
      return;
    }
    file.body().then((body) => res.writeHead(200, { 'content-type': file.type }).end(body), () => res.writeHead(500).end());
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    resolve({ server, origin: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}` });
  }));
}

/** Bundles the entries (bench/browser/<name>.ts) and launches Chromium; each page loads all of them. */
export async function launch(entries: string[] = ['entry']): Promise<BenchBrowser> {
  const outDir = await mkdtemp(path.join(os.tmpdir(), 'packsync-bench-web-'));
  const files: Record<string, { type: string; body: () => Promise<Buffer | string> }> = {};
  const scripts: string[] = [];
  for (const name of entries) {
    const out = await bundle(path.join(repoRoot, 'bench', 'browser', `${name}.ts`), outDir);
    files[`/${name}.js`] = { type: 'text/javascript', body: () => readFile(out) };
    scripts.push(`<script src="/${name}.js"></script>`);
  }
  files['/'] = { type: 'text/html', body: async () => `<!doctype html><meta charset="utf-8"><title>packsync bench</title>${scripts.join('')}` };
  const { server, origin } = await serve(files);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
  const devices: Device[] = [];
  return {
    browser,
    origin,
    version: `Chromium ${browser.version()}`,
    async device() {
      const context = await browser.newContext();
      const page = await context.newPage();
      page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
      await page.goto(`${origin}/`);
      const device: Device = {
        page,
        call: (method, ...args) => invoke(page, 'packsyncBench', method, args) as never,
        pouch: (method, ...args) => invoke(page, 'pouchBench', method, args) as never,
        close: () => context.close(),
      };
      devices.push(device);
      return device;
    },
    async close() {
      for (const d of devices) await d.close().catch(() => {});
      await browser.close();
      server.close();
      await rm(outDir, { recursive: true, force: true });
    },
  };
}

function invoke(page: Page, api: string, method: string, args: unknown[]): Promise<unknown> {
  return page.evaluate(([g, m, a]) => {
    const target = (globalThis as unknown as Record<string, Record<string, (...x: unknown[]) => unknown>>)[g as string];
    if (!target) throw new Error(`bench: the page has no ${String(g)}`);
    return target[m as string]!(...(a as unknown[]));
  }, [api, method, args] as const);
}

/** Peak JS heap of a page while `work` runs, sampled through the DevTools protocol. */
export async function peakHeap<T>(page: Page, work: () => Promise<T>, everyMs = 100): Promise<{ result: T; peakBytes: number; startBytes: number }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const heap = async () => {
    const { metrics } = await cdp.send('Performance.getMetrics');
    return metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? 0;
  };
  const startBytes = await heap();
  let peakBytes = startBytes;
  let running = true;
  const sampler = (async () => {
    while (running) {
      peakBytes = Math.max(peakBytes, await heap().catch(() => 0));
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  try {
    const result = await work();
    return { result, peakBytes, startBytes };
  } finally {
    running = false;
    await sampler;
    await cdp.detach().catch(() => {});
  }
}
