import { defineConfig } from 'vitest/config';

// One Vitest run for the packages, the web app's modules and the SQL
// integration tests. Suites that need the local
// stack read its URLs from the environment that `npm test` sets up.
export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'bench/**/*.test.ts', 'web/src/**/*.test.ts', 'supabase/tests/integration/**/*.test.ts', 'reliability/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
