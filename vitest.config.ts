import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Starts one throwaway stack for the whole run, or points the suites at an external one.
    globalSetup: ['tests/setup/global-setup.ts'],
    include: ['tests/**/*.test.ts', 'packages/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
