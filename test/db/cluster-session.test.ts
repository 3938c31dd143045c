// Galera-only session settings stay off plain MariaDB, and are on when the MySQL half of the
// suite runs through HAProxy on a Galera cluster (.ci/run's cluster step); readiness as always.
import { expect } from 'chai';
import { databaseReady } from '../../src/db/cluster.js';
import { connect } from '../../src/db/connection.js';
import { forEachEngine } from '../support/engines.js';

describe('database sessions off a cluster', () => {
  forEachEngine((engine) => {
    it('are ready, and wsrep_sync_wait is 1 on a Galera node and left at its default (0) elsewhere', async () => {
      const db = connect(engine.url(), () => {});
      try {
        expect(await databaseReady(db)).to.equal(true);
        if (engine.name === 'mysql') {
          const [rows] = (await db.raw('SELECT @@global.wsrep_on AS wsrep_on, @@session.wsrep_sync_wait AS sync_wait')) as [{ wsrep_on: number; sync_wait: number }[]];
          expect(Number(rows[0].sync_wait)).to.equal(Number(rows[0].wsrep_on) === 1 ? 1 : 0);
        }
      } finally {
        await db.destroy();
      }
    });
  });
});
