// What a database error says, for the callers that expect one: a unique
// constraint that another row (or a concurrent transaction) already holds.

/** A unique violation (23505), of `constraint` when given. */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  const e = err as { code?: string; constraint?: string; message?: string };
  if (e?.code !== "23505") return false;
  return (
    constraint === undefined || e.constraint === constraint || !!e.message?.includes(constraint)
  );
}
