// Migrations run once when several processes start at once on one MySQL/MariaDB database, a
// Galera cluster included. knex's own migration lock is a row updated in a transaction: on
// Galera each node lets its own process take it (locks are node-local), two processes then run
// the same migration, and a lost race can leave two lock rows or a lock held for ever. Here one
// process holds a lease first: the row id=1 of `migration_lease`, inserted with an owner and an
// expiry (database time), renewed while it migrates, deleted when done. The others poll; when
// no live lease is left they take it in turn and find nothing to do. A lease left by a killed
// process expires and is taken over with a conditional UPDATE; its holder may then also free
// knex's stale lock, since no other process can be migrating.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Knex } from 'knex';
import { isLockConflict, isUniqueViolation } from './errors.js';

export const LEASE_TABLE = 'migration_lease';

export interface LeaseOptions {
  /** How long a lease lives unless renewed (default 30 s). */
  ttlMs?: number;
  /** How often a waiting process looks again (default 250 ms). */
  pollMs?: number;
  /** How long a process waits for another's migrations before failing (default 15 min). */
  waitMs?: number;
  /** Who this process is, in the lease row (default: newLeaseOwner()). Its own lease, left by an
   * attempt that failed (a lost connection), it takes again at once. */
  owner?: string;
  log?: (line: string) => void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A lease owner: host, pid and a random part. */
export const newLeaseOwner = () => `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;

async function ensureLeaseTable(db: Knex): Promise<void> {
  // Not a migration: it must exist before any migration runs. IF NOT EXISTS: every process runs it.
  await db.raw(`CREATE TABLE IF NOT EXISTS ${LEASE_TABLE} (id TINYINT UNSIGNED NOT NULL PRIMARY KEY, owner VARCHAR(191) NOT NULL, expires_at DATETIME(3) NOT NULL) ENGINE=InnoDB`);
}

const expiry = (db: Knex, ttlMs: number) => db.raw('NOW(3) + INTERVAL ? MICROSECOND', [ttlMs * 1000]);

/** Takes the lease when nobody holds a live one: true when this owner holds it now. */
async function tryAcquire(db: Knex, owner: string, ttlMs: number): Promise<boolean> {
  try {
    await db(LEASE_TABLE).insert({ id: 1, owner, expires_at: expiry(db, ttlMs) });
    return true;
  } catch (error) {
    // Held (or a concurrent insert on another Galera node won the certification).
    if (!isUniqueViolation(error) && !isLockConflict(error)) throw error;
  }
  try {
    // An expired lease: its owner died (or stalled past its expiry). Only one taker matches.
    await db(LEASE_TABLE).where('id', 1).andWhere('expires_at', '<', db.raw('NOW(3)')).update({ owner, expires_at: expiry(db, ttlMs) });
  } catch (error) {
    if (!isLockConflict(error)) throw error;
    return false;
  }
  // Read back rather than trust the affected-row count: on Galera a conflicting update can be
  // rolled back at certification and replayed. (A live lease of this owner's, left by its
  // attempt that failed, is read back as its own too.)
  const row = await db(LEASE_TABLE).where('id', 1).first('owner');
  return row?.owner === owner;
}

/**
 * Runs `work` (migrations) in this process while it holds the lease, after any other holder
 * is done; `work` must be safe to run after another process's (it finds nothing left to do).
 */
export async function withMigrationLease<T>(db: Knex, work: () => Promise<T>, options: LeaseOptions = {}): Promise<T> {
  const ttlMs = options.ttlMs ?? 30_000;
  const pollMs = options.pollMs ?? 250;
  const owner = options.owner ?? newLeaseOwner();
  await ensureLeaseTable(db);
  const giveUpAt = Date.now() + (options.waitMs ?? 15 * 60_000);
  let waited = false;
  while (!(await tryAcquire(db, owner, ttlMs))) {
    if (Date.now() > giveUpAt) throw new Error(`Migrations: another process has held the migration lease for too long (table ${LEASE_TABLE}).`);
    if (!waited) options.log?.('Migrations: another process is running them; waiting.');
    waited = true;
    await sleep(pollMs * (0.5 + Math.random()));
  }
  let lost = false;
  const renew = setInterval(() => {
    db(LEASE_TABLE)
      .where({ id: 1, owner })
      .update({ expires_at: expiry(db, ttlMs) })
      .then(
        (n) => {
          if (n !== 1 && !lost) options.log?.('Migrations: the migration lease was lost (this process stalled past its expiry).');
          lost ||= n !== 1;
        },
        () => {}, // the next renewal tries again
      );
  }, Math.max(100, Math.floor(ttlMs / 3)));
  try {
    return await work();
  } finally {
    clearInterval(renew);
    await db(LEASE_TABLE).where({ id: 1, owner }).del();
  }
}

/**
 * Frees knex's migration lock when it is held or broken (several rows): under the lease no
 * other process is migrating, so a held lock was left by a process killed while migrating.
 */
export async function freeStaleKnexLock(db: Knex, lockTable: string, log?: (line: string) => void): Promise<void> {
  if (!(await db.schema.hasTable(lockTable))) return;
  const rows = (await db(lockTable).select('is_locked')) as { is_locked: number | boolean }[];
  if (rows.length === 1 && !Number(rows[0].is_locked)) return;
  log?.(`Migrations: freeing a stale migration lock (${rows.length} lock row(s), left by a stopped process).`);
  await db.migrate.forceFreeMigrationsLock();
}
