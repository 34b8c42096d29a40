import { defineConfig } from "vitest/config";

// Database tests (`*.db.test.ts`) run on PGlite, and also on PostgreSQL when
// TEST_DATABASE_URL is set. Tests that need a real server (concurrency,
// locking, LISTEN/NOTIFY) are `*.pg.test.ts` and run only there.
const postgres = process.env.TEST_DATABASE_URL;

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["src/**/*.test.ts", "test/**/*.test.ts"],
          exclude: ["**/*.db.test.ts", "**/*.pg.test.ts", "**/node_modules/**"],
        },
      },
      {
        test: {
          name: "pglite",
          include: ["src/**/*.db.test.ts", "test/**/*.db.test.ts"],
          env: { ALIMI_TEST_ENGINE: "pglite" },
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
