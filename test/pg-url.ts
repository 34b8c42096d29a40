export const TEMPLATE_DB = "alimi_test_template";

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** The server's maintenance database, for creating and dropping others. */
export function adminUrl(url: string): string {
  return withDatabase(url, "postgres");
}
