// Driver errors, recognised by their codes (never by message text), in one place per dialect.

const UNIQUE_CODES = new Set(['SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CONSTRAINT_PRIMARYKEY', 'ER_DUP_ENTRY']);

const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EPIPE',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_CON_COUNT_ERROR',
  'ER_SERVER_SHUTDOWN',
  // Galera: the node is not in the Primary component (isolated, joining, evicted).
  'ER_UNKNOWN_COM_ERROR', // 1047 "WSREP has not yet prepared node for application use"
  'ER_ERROR_DURING_COMMIT', // 1180 e.g. "… Not connected to Primary Component"
  'SQLITE_BUSY',
  'SQLITE_CANTOPEN',
  'SQLITE_IOERR',
]);

export function codeOf(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : undefined;
}

/** A transaction that lost a lock race (deadlock victim, lock wait timeout): safe to run again. */
export function isLockConflict(error: unknown): boolean {
  const code = codeOf(error);
  return code === 'ER_LOCK_DEADLOCK' || code === 'ER_LOCK_WAIT_TIMEOUT';
}

export function isUniqueViolation(error: unknown): boolean {
  return UNIQUE_CODES.has(codeOf(error) ?? '');
}

/** True when the database cannot be reached (or a connection could not be had in time). */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (error instanceof Error && error.name === 'KnexTimeoutError') return true;
  if ((error as { fatal?: boolean })?.fatal === true) return true; // mysql2: connection is dead
  return UNAVAILABLE_CODES.has(codeOf(error) ?? '');
}

/** Codes after which a connection must not be reused: the node it reaches does not serve. */
const UNUSABLE_CONNECTION_CODES = new Set(['ER_UNKNOWN_COM_ERROR', 'ER_ERROR_DURING_COMMIT']);

export function isConnectionUnusable(error: unknown): boolean {
  return UNUSABLE_CONNECTION_CODES.has(codeOf(error) ?? '');
}

/** Marks an error raised by a COMMIT whose answer never came (query deadline): it may have committed. */
export const COMMIT_OUTCOME_UNKNOWN = Symbol('commitOutcomeUnknown');

export function isCommitOutcomeUnknown(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { [COMMIT_OUTCOME_UNKNOWN]?: boolean })[COMMIT_OUTCOME_UNKNOWN] === true;
}
