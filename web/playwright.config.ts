import { defineConfig } from '@playwright/test';

// Browser tests in Debian's Chromium (Playwright's own browser download is not
// reachable here) against the test stack that `npm test` started
// (PACKSYNC_API_URL). They run against a production build served by
// `vite preview`, because that is what people get: the service worker
// precaches the build, and offline start-up is part of what is tested.
const apiUrl = process.env.PACKSYNC_API_URL;
if (!apiUrl) throw new Error('PACKSYNC_API_URL is not set: run browser tests through `npm test -- e2e`.');
// `npm test` picks a free port; 55373 when run by hand.
const port = Number(process.env.PACKSYNC_WEB_TEST_PORT ?? 55373);

export default defineConfig({
  testDir: './tests/e2e',
  outputDir: '../.packsync/test-results',
  reporter: [['list']],
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    browserName: 'chromium',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    },
    trace: 'retain-on-failure',
  },
  webServer: {
    command: `npx vite build --logLevel warn && npx vite preview --port ${port} --strictPort --host 127.0.0.1`,
    cwd: import.meta.dirname,
    url: `http://127.0.0.1:${port}`,
    reuseExistingServer: false,
    timeout: 300_000,
    env: { VITE_SUPABASE_URL: apiUrl, VITE_SUPABASE_ANON_KEY: process.env.PACKSYNC_ANON_KEY ?? '' },
  },
});
