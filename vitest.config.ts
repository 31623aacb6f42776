import { defineConfig } from 'vitest/config';

// Four projects: pure unit tests next to the code, HTTP/storage tests on a real database
// (SQLite always, PostgreSQL when WIGGLEDESK_TEST_PG_URL is set), and browser tests in Chromium.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'src/**/*.test.tsx'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'http',
          include: ['test/**/*.test.ts'],
          exclude: ['test/e2e/**', 'test/attacks/**'],
          environment: 'node',
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        // The standing red-team suite against a running server (`npm run test:attacks`).
        test: {
          name: 'attacks',
          include: ['test/attacks/**/*.test.ts'],
          environment: 'node',
          testTimeout: 180_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
