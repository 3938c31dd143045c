// At start the MySQL/MariaDB server may not answer yet (started alongside the service by the
// same supervisor), or may drop a connection (a Galera node leaving HAProxy's pool cuts its
// sessions). The start-up work (migrations, first admin, lookups) is then tried again, with
// growing pauses, for up to DATABASE_WAIT_MS, instead of failing the start at the first
// refusal. SQLite is a local file: an error opening it is a setting to fix, not worth a wait.
import type { Knex } from 'knex';
import { engineOf } from './connection.js';
import { codeOf, isDatabaseUnavailable } from './errors.js';

export const DEFAULT_DATABASE_WAIT_MS = 60_000;
const FIRST_PAUSE_MS = 250;
const LONGEST_PAUSE_MS = 5_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `work` until it succeeds, again after each failure that says the database is
 * unavailable, for up to `waitMs` (DATABASE_WAIT_MS); `work` must be safe to run again after a failure.
 */
export async function whenDatabaseAnswers<T>(db: Knex, work: () => Promise<T>, waitMs = DEFAULT_DATABASE_WAIT_MS, log: (line: string) => void = () => {}): Promise<T> {
  const giveUpAt = Date.now() + waitMs;
  for (let pause = FIRST_PAUSE_MS; ; pause = Math.min(LONGEST_PAUSE_MS, pause * 2)) {
    try {
      return await work();
    } catch (error) {
      if (engineOf(db) !== 'mysql' || !isDatabaseUnavailable(error) || Date.now() + pause > giveUpAt) throw error;
      // The code only: a driver's message may carry SQL and its values.
      log(`The database is not available (${codeOf(error) ?? (error as Error).name}); trying again in ${(pause / 1000).toFixed(2)} s.`);
      await sleep(pause);
    }
  }
}
