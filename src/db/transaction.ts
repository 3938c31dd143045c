// Read-write transactions that behave under several processes and on a cluster: SQLite's write
// lock taken first, and a transaction the database refuses as a deadlock victim (on Galera also a
// certification conflict, often at COMMIT) run again whole, a few times.
import type { Knex } from 'knex';
import { engineOf } from './connection.js';
import { isLockConflict } from './errors.js';

/**
 * Takes SQLite's write lock at the start of a transaction. A deferred SQLite transaction that
 * reads first and writes later fails at once with SQLITE_BUSY (no busy wait) when another
 * process (another WORKERS process, a CLI import) wrote in between; taking the lock first
 * makes it wait its turn under busy_timeout instead. A write that matches no row still locks.
 * MySQL needs nothing: its row locks already order writers.
 */
export async function lockForWrite(trx: Knex.Transaction): Promise<void> {
  if (engineOf(trx) === 'sqlite') await trx.raw('UPDATE business_files SET id = id WHERE 0');
}

/**
 * Commits a transaction begun with `db.transaction()` (no handler), throwing when the database
 * refused the COMMIT. knex's `trx.commit()` resolves even then: the refusal only rejects the
 * transaction's own promise. On Galera a certification conflict is refused at COMMIT, so without
 * this an import lost to a conflict was answered as written (and not run again).
 */
export async function commitTransaction(trx: Knex.Transaction): Promise<void> {
  await trx.commit();
  await trx.executionPromise;
}

/**
 * Attempts of one write transaction before a lock conflict is given up and thrown. Ten: on a
 * Galera cluster behind a round-robin HAProxy, 20 concurrent PUTs to one contact from one
 * process (pooled connections on three nodes) left some losing five certifications in a row.
 */
export const WRITE_ATTEMPTS = 10;
const BACKOFF_BASE_MS = 10;
const BACKOFF_MAX_MS = 500;

/** Full jitter: a random wait up to base × 2^(attempt-1) (at most BACKOFF_MAX_MS), so the losers of one race do not meet again. */
function backoff(attempt: number): Promise<void> {
  const ms = Math.random() * Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** (attempt - 1));
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export interface RetryOptions {
  /** Attempts in all (default WRITE_ATTEMPTS). */
  attempts?: number;
  /** Called before each new attempt, with the number of the attempt that failed. */
  onRetry?: (attempt: number, error: unknown) => void;
}

/**
 * Runs `attempt` (a whole transaction) again when the database refused it as a lock conflict
 * (ER_LOCK_DEADLOCK 1213, which is also Galera's certification conflict, or a lock wait
 * timeout): the database rolled it back whole, so running it again from the start, re-reading
 * what it depends on, is safe. `attempt` must have no effect outside the database before its
 * COMMIT (after-commit hooks hang on the transaction's outcome, see events/sequencer.ts).
 * Bounded, with jittered backoff; the last conflict is thrown (a 500 would be wrong, but five
 * lost races in a row mean something else is wrong).
 */
export async function retryingTransaction<T>(attempt: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const attempts = options.attempts ?? WRITE_ATTEMPTS;
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      if (n >= attempts || !isLockConflict(error)) throw error;
      options.onRetry?.(n, error);
      await backoff(n);
    }
  }
}

/** `db.transaction(work)`, with the write lock taken first (see lockForWrite), run again whole on a lock conflict. */
export function writeTransaction<T>(db: Knex, work: (trx: Knex.Transaction) => Promise<T>, options?: RetryOptions): Promise<T> {
  return retryingTransaction(
    () =>
      db.transaction(async (trx) => {
        await lockForWrite(trx);
        return work(trx);
      }),
    options,
  );
}
