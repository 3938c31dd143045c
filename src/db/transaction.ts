// Read-write transactions that behave under several processes.
import type { Knex } from 'knex';
import { engineOf } from './connection.js';

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

/** `db.transaction(work)`, with the write lock taken first (see lockForWrite). */
export function writeTransaction<T>(db: Knex, work: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
  return db.transaction(async (trx) => {
    await lockForWrite(trx);
    return work(trx);
  });
}
