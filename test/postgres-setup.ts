// Once per test run: a freshly migrated template database. Each test file
// then gets its own database copied from it (see test/db.ts).
import { openPostgres } from "../src/db/client.ts";
import { migrate } from "../src/db/migrate.ts";
import { adminUrl, TEMPLATE_DB, withDatabase } from "./pg-url.ts";

export default async function setup() {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error("TEST_DATABASE_URL is not set");
  const admin = openPostgres({ url: adminUrl(url), poolSize: 1 });
  try {
    // Databases left by an interrupted earlier run.
    const stale = await admin.query<{ name: string }>(
      "select datname as name from pg_database where datname like 'alimi_test_%'",
    );
    for (const { name } of stale.rows) await admin.query(`drop database "${name}" with (force)`);
    await admin.query(`create database ${TEMPLATE_DB}`);
  } finally {
    await admin.close();
  }
  const template = openPostgres({ url: withDatabase(url, TEMPLATE_DB), poolSize: 1 });
  try {
    await migrate(template);
  } finally {
    await template.close();
  }
}
