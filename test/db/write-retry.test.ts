// Write transactions the database refuses as deadlock victims (and, on Galera, as certification
// conflicts, which carry the same code) are run again whole: a real deadlock on MariaDB (two
// transactions locking two rows in opposite order), both commit, nothing is lost.
import { expect } from 'chai';
import type { Knex } from 'knex';
import { connect } from '../../src/db/connection.js';
import { migrateLatest } from '../../src/db/migrate.js';
import { retryingTransaction, WRITE_ATTEMPTS, writeTransaction } from '../../src/db/transaction.js';
import { forEachEngine } from '../support/engines.js';

const TABLE = 'write_retry_probe';

/** A promise and its resolver. */
function signal(): { wait: Promise<void>; fire: () => void } {
  let fire = () => {};
  const wait = new Promise<void>((resolve) => (fire = resolve));
  return { wait, fire };
}

describe('write transactions run again on a lock conflict', () => {
  forEachEngine((engine) => {
    let db: Knex;
    before(async () => {
      db = connect(engine.url(), () => {});
      await migrateLatest(db); // SQLite's write lock is taken on business_files
      await db.schema.dropTableIfExists(TABLE);
      await db.schema.createTable(TABLE, (t) => {
        t.integer('id').primary();
        t.integer('v').notNullable();
      });
    });
    beforeEach(async () => {
      await db(TABLE).del();
      await db(TABLE).insert([
        { id: 1, v: 0 },
        { id: 2, v: 0 },
      ]);
    });
    after(async () => {
      await db.schema.dropTableIfExists(TABLE);
      await db.destroy();
    });

    if (engine.name === 'mysql') {
      it('a real deadlock: the victim is run again whole, re-reading, and both transactions commit', async () => {
        const firstLocks = [signal(), signal()];
        const bothLocked = Promise.all(firstLocks.map((s) => s.wait));
        const attempts = [0, 0];
        const retried: string[] = [];
        // Each adds 1 to both rows, in opposite orders, the second lock taken only once both
        // hold their first: InnoDB must choose a victim.
        const run = (who: 0 | 1) =>
          writeTransaction(
            db,
            async (trx) => {
              attempts[who]++;
              const [a, b] = who === 0 ? [1, 2] : [2, 1];
              const first = await trx(TABLE).where('id', a).forUpdate().first('v');
              await trx(TABLE).where('id', a).update({ v: first.v + 1 });
              if (attempts[who] === 1) {
                firstLocks[who].fire();
                await bothLocked;
              }
              const second = await trx(TABLE).where('id', b).forUpdate().first('v');
              await trx(TABLE).where('id', b).update({ v: second.v + 1 });
              return attempts[who];
            },
            { onRetry: (_n, error) => retried.push(String((error as { code?: string }).code)) },
          );
        await Promise.all([run(0), run(1)]);
        expect(retried).to.deep.equal(['ER_LOCK_DEADLOCK']);
        expect(attempts[0] + attempts[1]).to.equal(3);
        expect((await db(TABLE).orderBy('id')).map((r) => r.v)).to.deep.equal([2, 2]);
      });
    }

    it('gives up after a bounded number of attempts, throwing the conflict', async () => {
      let attempts = 0;
      const conflict = Object.assign(new Error('Deadlock found when trying to get lock; try restarting transaction'), { code: 'ER_LOCK_DEADLOCK', errno: 1213 });
      const failure = await writeTransaction(db, async (trx) => {
        attempts++;
        await trx(TABLE).where('id', 1).update({ v: attempts });
        throw conflict;
      }).catch((error: unknown) => error);
      expect(failure).to.equal(conflict);
      expect(attempts).to.equal(WRITE_ATTEMPTS);
      expect((await db(TABLE).where('id', 1).first()).v, 'every attempt rolled back').to.equal(0);
    });

    it('does not run again what failed otherwise (a unique violation, a bug)', async () => {
      let attempts = 0;
      const failure = await writeTransaction(db, async (trx) => {
        attempts++;
        await trx(TABLE).insert({ id: 1, v: 9 });
      }).catch((error: unknown) => error);
      expect((failure as { code?: string }).code).to.match(/^(ER_DUP_ENTRY|SQLITE_CONSTRAINT_PRIMARYKEY)$/);
      expect(attempts).to.equal(1);
      expect(await retryingTransaction(async () => 'once')).to.equal('once');
    });
  });
});
