import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Starts one throwaway stack for the whole run, or points the suites at an external one.
    globalSetup: ['tests/setup/global-setup.ts'],
    include: ['tests/**/*.test.ts', 'packages/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // supabase-js warns on load under Node 20 (which we support, see engines) in every test file;
    // it has no option or variable to turn that off, so the line is dropped here.
    onConsoleLog: (log) => !log.includes('Node.js 20 and below are deprecated'),
  },
});
