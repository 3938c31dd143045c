// Galera-only session settings stay off plain MariaDB (the cluster suite checks them on Galera),
// and readiness on a plain server is what it always was.
import { expect } from 'chai';
import { databaseReady } from '../../src/db/cluster.js';
import { connect } from '../../src/db/connection.js';
import { forEachEngine } from '../support/engines.js';

describe('database sessions off a cluster', () => {
  forEachEngine((engine) => {
    it('are ready, and a plain MySQL session keeps wsrep_sync_wait at its default', async () => {
      const db = connect(engine.url(), () => {});
      try {
        expect(await databaseReady(db)).to.equal(true);
        if (engine.name === 'mysql') {
          const [rows] = (await db.raw('SELECT @@global.wsrep_on AS wsrep_on, @@session.wsrep_sync_wait AS sync_wait')) as [{ wsrep_on: number; sync_wait: number }[]];
          expect(Number(rows[0].wsrep_on)).to.equal(0);
          expect(Number(rows[0].sync_wait)).to.equal(0);
        }
      } finally {
        await db.destroy();
      }
    });
  });
});
