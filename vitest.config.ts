import { defineConfig } from 'vitest/config';

// One Vitest run for every framework-free package. Suites that need the local
// stack read its URLs from the environment that `npm test` sets up.
export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'supabase/tests/integration/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
