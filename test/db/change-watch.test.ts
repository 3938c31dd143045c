// The change token (src/db/change-watch.ts) lets SQLite requests reuse a user, a stamp or a
// list page while nothing was written. The requests of one turn of the event loop share one
// read of it, and that read must come after all of them arrived: a commit made by another
// connection after a request asked, in the same turn, is counted in the token it gets.
import { createRequire } from 'node:module';
import { expect } from 'chai';
import type { Knex } from 'knex';
import { connect } from '../../src/db/connection.js';
import { ChangeWatch } from '../../src/db/change-watch.js';
import { migrateLatest } from '../../src/db/migrate.js';
import { sqlite } from '../support/engines.js';

describe('change token (SQLite)', () => {
  let db: Knex;
  let other: { prepare(sql: string): { run(...bindings: unknown[]): unknown }; close(): void };
  let changes: ChangeWatch;
  before(async () => {
    const url = sqlite.url();
    db = connect(url);
    await migrateLatest(db);
    // Another process's connection (a second worker, the CLI), synchronous: its commit is done
    // when the call returns, within the turn.
    const Sqlite = createRequire(import.meta.url)('better-sqlite3');
    other = new Sqlite(url.slice('sqlite://'.length));
    changes = new ChangeWatch(db);
  });
  after(async () => {
    await db.destroy();
    other.close();
  });

  const otherCommits = (login: string) => other.prepare('INSERT INTO users (login, password_hash, created_at) VALUES (?, ?, ?)').run(login, 'x', new Date().toISOString());

  it('stands still while nothing is written, and moves on a commit by another connection', async () => {
    const first = await changes.token();
    expect(await changes.token()).to.equal(first);
    otherCommits('watch-a');
    expect(await changes.token()).not.to.equal(first);
  });

  it('moves on a write of its own connection', async () => {
    const first = await changes.token();
    await db('users').where({ login: 'watch-a' }).update({ password_hash: 'y' });
    expect(await changes.token()).not.to.equal(first);
  });

  it('is read once for the callers of one turn, after the turn: a commit made after they asked is counted', async () => {
    const before = await changes.token();
    const asked = [changes.token(), changes.token(), changes.token()];
    // Committed by the other connection after the three asked, before the turn ends (as a
    // commit that finished before the last request of the turn reached the process).
    otherCommits('watch-b');
    const [shared, ...others] = await Promise.all(asked);
    expect(shared).not.to.equal(before);
    expect(others).to.deep.equal([shared, shared]);
    expect(await changes.token(), 'nothing written since the shared read').to.equal(shared);
  });
});
