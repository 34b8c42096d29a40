// Test databases are named after the process of the test run that made them
// ("alimi_t<pid>_…"), so concurrent runs on one server never touch each
// other's databases, and those of a run that died can be recognised.

export function runPrefix(pid: number): string {
  return `alimi_t${pid}_`;
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** The server's maintenance database, for creating and dropping others. */
export function adminUrl(url: string): string {
  return withDatabase(url, "postgres");
}

/** The pid in a test database's name, if it is one. */
export function pidOf(database: string): number | null {
  const match = /^alimi_t(\d+)_/.exec(database);
  return match ? Number(match[1]) : null;
}
