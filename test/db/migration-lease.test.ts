// Several processes starting at once on a fresh MySQL/MariaDB database: migrations run once,
// the others wait and succeed, no lock is left behind; a lease or a knex lock left by a killed
// process is recovered. (Three knex instances here; the cluster suite starts real processes.)
import { expect } from 'chai';
import type { Knex } from 'knex';
import { connect } from '../../src/db/connection.js';
import { migrateLatest } from '../../src/db/migrate.js';
import { LEASE_TABLE, withMigrationLease } from '../../src/db/migration-lease.js';
import { migrations } from '../../db/migrations/index.js';
import { createScratchDatabase, engines } from '../support/engines.js';

const mysql = engines().find((e) => e.name === 'mysql');
const SCRATCH = 'contacts_test_lease';
const ALL = Object.keys(migrations).length;

(mysql ? describe : describe.skip)('migrations started by several processes at once (mysql)', () => {
  let url: string;
  const opened: Knex[] = [];
  const open = () => {
    const db = connect(url, () => {});
    opened.push(db);
    return db;
  };

  beforeEach(async () => {
    url = await createScratchDatabase(mysql!.url(), SCRATCH);
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((db) => db.destroy()));
  });
  after(async () => {
    const admin = connect(mysql!.url(), () => {});
    await admin.raw(`DROP DATABASE IF EXISTS ${SCRATCH}`);
    await admin.destroy();
  });

  async function expectCleanState(db: Knex): Promise<void> {
    expect(Number((await db('knex_migrations').count({ n: '*' }).first())?.n), 'each migration recorded once').to.equal(ALL);
    expect((await db('knex_migrations_lock').select('is_locked')).map((r) => Number(r.is_locked)), 'one free knex lock row').to.deep.equal([0]);
    expect(await db(LEASE_TABLE).select(), 'no lease left').to.deep.equal([]);
  }

  it('three at once on a fresh database: exactly one applies them, all succeed, nothing stays locked', async () => {
    const dbs = [open(), open(), open()];
    const logs: string[] = [];
    const results = await Promise.all(dbs.map((db, i) => migrateLatest(db, { pollMs: 50, log: (line) => logs.push(`${i}: ${line}`) })));
    const counts = results.map((applied) => applied.length).sort();
    expect(counts).to.deep.equal([0, 0, ALL]);
    expect(logs.filter((l) => l.includes('waiting'))).to.have.length(2);
    await expectCleanState(dbs[0]);
  });

  it('takes over a lease left by a killed owner, and frees the knex lock it held', async () => {
    const db = open();
    await migrateLatest(db);
    // What a process killed in the middle of a migration leaves: its lease (expired) and knex's lock.
    await db(LEASE_TABLE).insert({ id: 1, owner: 'killed-process', expires_at: db.raw('NOW(3) - INTERVAL 1 SECOND') });
    await db('knex_migrations_lock').update({ is_locked: 1 });
    await db('knex_migrations_lock').insert({ is_locked: 1 }); // the two-row state seen on Galera
    const logs: string[] = [];
    const started = Date.now();
    expect(await migrateLatest(open(), { pollMs: 50, log: (line) => logs.push(line) })).to.deep.equal([]);
    expect(Date.now() - started).to.be.below(2_000);
    expect(logs.some((l) => l.includes('stale migration lock'))).to.equal(true);
    await expectCleanState(db);
  });

  it('waits while a live lease is held, renewed past its expiry, and runs once it is released', async () => {
    const holder = open();
    await migrateLatest(holder);
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    // Held through the lease machinery itself, with a short expiry that renewals must extend.
    let holderDone = false;
    const held = withMigrationLease(holder, () => released.then(() => (holderDone = true)), { ttlMs: 300, owner: 'holder' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    let waiterDone = false;
    const waiter = migrateLatest(open(), { ttlMs: 300, pollMs: 50 }).then((applied) => {
      waiterDone = true;
      expect(holderDone, 'the waiter ran only after the holder').to.equal(true);
      return applied;
    });
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // three expiries: renewals kept it
    expect(waiterDone).to.equal(false);
    release();
    await held;
    expect(await waiter).to.deep.equal([]);
    await expectCleanState(holder);
  });

  it("takes its own live lease again at once (an attempt cut off by a lost connection left it); another owner's it waits for", async () => {
    const db = open();
    await migrateLatest(db);
    await db(LEASE_TABLE).insert({ id: 1, owner: 'this-start', expires_at: db.raw('NOW(3) + INTERVAL 30 SECOND') });
    // waitMs far below the lease's 30 s: waiting for the expiry would fail these.
    const waited = await migrateLatest(open(), { owner: 'another-start', pollMs: 50, waitMs: 500 }).then(
      () => 'ran',
      (error: Error) => error.message,
    );
    expect(waited).to.match(/held the migration lease for too long/);
    expect(await migrateLatest(open(), { owner: 'this-start', pollMs: 50, waitMs: 500 })).to.deep.equal([]);
    await expectCleanState(db);
  });
});
