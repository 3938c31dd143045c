// MySQL's hot reads are prepared statements (src/db/mysql-reader.ts): they keep the query
// deadline (a connection's first use of a statement is a PREPARE, which mysql2 does not time),
// are announced like knex's own queries, keep a bounded number of statements per connection,
// and IN lists come in a few padded shapes that give the same rows.
import { expect } from 'chai';
import type { Knex } from 'knex';
import { connect } from '../../src/db/connection.js';
import { inList, selectRows } from '../../src/db/select.js';
import { engines } from '../support/engines.js';
import { withQueryDeadline } from '../support/query-deadline.js';
import { TcpProxy } from '../support/tcp-proxy.js';

const mysql = engines().find((e) => e.name === 'mysql');
const QUERY_DEADLINE_MS = 1_000;

describe('IN lists padded to a power of two', () => {
  it('repeats the last value up to the next power of two, with a placeholder each', () => {
    expect(inList([7])).to.deep.equal({ placeholders: '?', values: [7] });
    expect(inList([1, 2, 3])).to.deep.equal({ placeholders: '?, ?, ?, ?', values: [1, 2, 3, 3] });
    expect(inList([1, 2, 3, 4])).to.deep.equal({ placeholders: '?, ?, ?, ?', values: [1, 2, 3, 4] });
    expect(inList([]).values).to.deep.equal([]);
  });
});

(mysql ? describe : describe.skip)('prepared reads (mysql)', () => {
  let proxy: TcpProxy;
  let db: Knex;
  before(async () => {
    const target = new URL(mysql!.url());
    proxy = new TcpProxy(target.hostname, Number(target.port));
    await proxy.open();
    target.port = String(proxy.port);
    db = await withQueryDeadline(QUERY_DEADLINE_MS, () => connect(target.toString(), () => {}));
  });
  after(async () => {
    await db.destroy();
    await proxy.cut();
  });

  it('fails a read whose PREPARE the server never answers at the query deadline, and the next read gets a new connection', async () => {
    expect(await selectRows(db, 'SELECT 1 AS one', [])).to.deep.equal([{ one: 1 }]); // a connection, ready
    proxy.neverAnswer(/SELECT 2 AS two/);
    const started = Date.now();
    const hung = selectRows(db, 'SELECT 2 AS two', []).then(
      () => 'answered',
      (error: { code?: string }) => error.code,
    );
    const outcome = await Promise.race([hung, new Promise((resolve) => setTimeout(() => resolve('still waiting after 5 s'), 5_000))]);
    expect(outcome).to.equal('PROTOCOL_SEQUENCE_TIMEOUT');
    expect(Date.now() - started).to.be.within(QUERY_DEADLINE_MS - 50, QUERY_DEADLINE_MS + 1_000);
    expect(await selectRows(db, 'SELECT 2 AS two', [])).to.deep.equal([{ two: 2 }]);
  });

  it('announces each read as knex does its queries, and its failure', async () => {
    const seen: string[] = [];
    const onQuery = (q: { sql: string }) => seen.push(`query ${q.sql}`);
    const onResponse = (_rows: unknown, q: { sql: string }) => seen.push(`response ${q.sql}`);
    const onError = (_error: unknown, q: { sql: string }) => seen.push(`error ${q.sql}`);
    db.on('query', onQuery).on('query-response', onResponse).on('query-error', onError);
    try {
      await selectRows(db, 'SELECT ? AS n', [3]);
      await selectRows(db, 'SELECT nothing FROM no_such_table', []).catch(() => undefined);
    } finally {
      db.off('query', onQuery).off('query-response', onResponse).off('query-error', onError);
    }
    expect(seen).to.deep.equal(['query SELECT ? AS n', 'response SELECT ? AS n', 'query SELECT nothing FROM no_such_table', 'error SELECT nothing FROM no_such_table']);
  });

  it('keeps at most 64 statements prepared on a connection, and the same rows through padded IN lists', async () => {
    const prepared = async () => Number((await selectRows<{ Value: string }>(db, "SHOW GLOBAL STATUS LIKE 'Prepared_stmt_count'", []))[0].Value);
    await selectRows(db, 'SELECT 1 AS one', []);
    const before = await prepared();
    // One at a time: one connection of the pool, which already holds the statements above.
    for (let n = 1; n <= 100; n++) {
      const ids = Array.from({ length: n }, (_, i) => i + 1);
      const list = inList(ids);
      const rows = await selectRows<{ n: number | string }>(db, `SELECT COUNT(*) AS n FROM (SELECT ${n} AS k) t WHERE ${n} IN (${list.placeholders})`, list.values);
      expect(Number(rows[0].n), `${n} ids`).to.equal(1);
      await selectRows(db, `SELECT ${n} AS distinct_statement`, []);
    }
    expect(await prepared()).to.be.at.most(before + 64);
  });
});
