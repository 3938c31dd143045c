// A test's own MySQL query deadline: DB_QUERY_TIMEOUT_MS is read when a pool is made
// (src/db/connection.ts), so it is set only while `make` makes one, then put back.
export async function withQueryDeadline<T>(ms: number, make: () => T | Promise<T>): Promise<T> {
  const saved = process.env.DB_QUERY_TIMEOUT_MS;
  process.env.DB_QUERY_TIMEOUT_MS = String(ms);
  try {
    return await make();
  } finally {
    if (saved === undefined) delete process.env.DB_QUERY_TIMEOUT_MS;
    else process.env.DB_QUERY_TIMEOUT_MS = saved;
  }
}
