/** Whether a database error is a unique-constraint violation (PostgreSQL or SQLite). */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown };
  if (e?.code === '23505') return true; // PostgreSQL unique_violation
  if (typeof e?.code === 'string' && e.code.startsWith('SQLITE_CONSTRAINT')) {
    return /UNIQUE|PRIMARY/i.test(String(e.code) + String(e.message));
  }
  return false;
}
