import { defineConfig } from "vitest/config";

// Database tests (`*.db.test.ts`) run on PGlite, and also on PostgreSQL when
// TEST_DATABASE_URL is set. Tests that need a real server (concurrency,
// locking, LISTEN/NOTIFY) are `*.pg.test.ts` and run only there. Browser
// tests (`test/browser/*.browser.test.ts`) drive the built console in
// Chromium through the real server process, one file at a time.
const postgres = process.env.TEST_DATABASE_URL;

export default defineConfig({
  test: {
    // Two files at a time even on two cores: much of a database or server test
    // is waiting on PostgreSQL, a child process or the network.
    maxWorkers: 2,
    projects: [
      {
        test: {
          name: "unit",
          include: ["src/**/*.test.ts", "test/**/*.test.ts"],
          exclude: [
            "**/*.db.test.ts",
            "**/*.pg.test.ts",
            "**/*.browser.test.ts",
            "**/node_modules/**",
          ],
        },
      },
      {
        test: {
          name: "browser",
          include: ["test/browser/**/*.browser.test.ts"],
          globalSetup: ["test/browser/global-setup.ts"],
          fileParallelism: false,
          // What the console shows after a reload or a round trip may take a few seconds.
          expect: { poll: { timeout: 15_000, interval: 100 } },
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: "pglite",
          include: ["src/**/*.db.test.ts", "test/**/*.db.test.ts"],
          env: { ALIMI_TEST_ENGINE: "pglite" },
          globalSetup: ["test/pglite-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      ...(postgres
        ? [
            {
              test: {
                name: "postgres",
                include: [
                  "src/**/*.db.test.ts",
                  "test/**/*.db.test.ts",
                  "src/**/*.pg.test.ts",
                  "test/**/*.pg.test.ts",
                ],
                env: { ALIMI_TEST_ENGINE: "postgres" },
                globalSetup: ["test/postgres-setup.ts"],
                testTimeout: 60_000,
                hookTimeout: 60_000,
              },
            },
          ]
        : []),
    ],
  },
});
