// A write whose COMMIT never reaches the database (the connection cut just before it, as when a
// node goes away or, on Galera, when the COMMIT is refused) is never answered as written. The
// import holds its transaction itself (db.transaction() without a handler), and knex's commit()
// resolves even when the COMMIT fails: the import was answered 200, its records lost. Through a
// TCP proxy that cuts the first connection sending COMMIT after an insert into the resource (or
// delays that COMMIT, for the deadline a COMMIT gets).
import { expect } from 'chai';
import { COMMIT_OUTCOME_UNKNOWN_MESSAGE } from '../../src/http/errors.js';
import { LIST_CLOSE, LIST_OPEN } from '../support/contact-codec.js';
import { contactXml, errorsOf, parseXml } from '../support/contacts.js';
import { engines } from '../support/engines.js';
import { TestServer, type Tenant } from '../support/server.js';
import { serveThroughProxy, type TcpProxy } from '../support/tcp-proxy.js';

const mysql = engines().find((e) => e.name === 'mysql');

(mysql ? describe : describe.skip)('a write whose COMMIT is lost (mysql)', () => {
  let proxy: TcpProxy;
  let server: TestServer;
  let t: Tenant;

  before(async () => {
    ({ proxy, server } = await serveThroughProxy(mysql!, { searchIndexer: false }));
    t = await server.tenant();
  });
  after(async () => {
    await server?.stop();
    await proxy?.cut();
  });

  beforeEach(() => (proxy.commitsTrapped = 0));

  const file = (names: string[]) => LIST_OPEN + names.map((n) => contactXml(n)).join('') + LIST_CLOSE;
  const stored = async (names: string[]) => (await server.db('contacts').where('business_file_id', t.bf).whereIn('last_name', names).pluck('last_name')).sort();
  const events = async () => Number((await server.db('events').where('business_file_id', t.bf).count({ n: '*' }).first())?.n);

  it('an import is answered 503 "may or may not have been stored", never 200; here nothing was stored, and the same file imports after', async () => {
    const names = ['Lost-Import-1', 'Lost-Import-2'];
    proxy.trapCommit(/insert into `contacts`/i, 'cut');
    const res = await server.as(t)(`/${t.bf}/contacts/import.xml`, { method: 'POST', body: file(names) });
    expect(proxy.commitsTrapped, 'the COMMIT was cut').to.equal(1);
    expect(res.status, res.text).to.equal(503);
    expect(errorsOf(res.text)).to.deep.equal([COMMIT_OUTCOME_UNKNOWN_MESSAGE]);
    expect(await stored(names)).to.deep.equal([]);
    expect(await events()).to.equal(0);

    const again = await server.as(t)(`/${t.bf}/contacts/import.xml`, { method: 'POST', body: file(names) });
    expect(again.status, again.text).to.equal(200);
    expect(parseXml(again.text).import).to.include({ created: '2' });
    expect(await stored(names)).to.deep.equal(names);
  });

  it("a big import's COMMIT has a longer deadline: 3.5 s late after 5 MB of statements, it is stored and answered 200", async () => {
    const names = Array.from({ length: 2000 }, (_, i) => `Big-Import-${i}`);
    const comment = 'x'.repeat(2500);
    const body = LIST_OPEN + names.map((n) => contactXml(n, `<comment>${comment}</comment>`)).join('') + LIST_CLOSE;
    proxy.trapCommit(/insert into `contacts`/i, { lateMs: 3500 });
    const res = await server.as(t)(`/${t.bf}/contacts/import.xml`, { method: 'POST', body });
    expect(proxy.commitsTrapped, 'the COMMIT was late').to.equal(1);
    expect(res.status, res.text).to.equal(200);
    expect(parseXml(res.text).import).to.include({ created: '2000' });
    expect(await stored(names)).to.have.length(2000);
  });

  it("a small write's COMMIT keeps the query deadline: 3.5 s late, it is answered 503 \"may or may not have been stored\"", async () => {
    proxy.trapCommit(/insert into `contacts`/i, { lateMs: 3500 });
    const res = await server.as(t)(`/${t.bf}/contacts.xml`, { method: 'POST', body: contactXml('Slow-Post') });
    expect(proxy.commitsTrapped, 'the COMMIT was late').to.equal(1);
    expect(res.status, res.text).to.equal(503);
    expect(errorsOf(res.text)).to.deep.equal([COMMIT_OUTCOME_UNKNOWN_MESSAGE]);
  });

  it('a POST is answered 503 "may or may not have been stored" too', async () => {
    proxy.trapCommit(/insert into `contacts`/i, 'cut');
    const res = await server.as(t)(`/${t.bf}/contacts.xml`, { method: 'POST', body: contactXml('Lost-Post') });
    expect(proxy.commitsTrapped, 'the COMMIT was cut').to.equal(1);
    expect(res.status, res.text).to.equal(503);
    expect(errorsOf(res.text)).to.deep.equal([COMMIT_OUTCOME_UNKNOWN_MESSAGE]);
    expect(await stored(['Lost-Post'])).to.deep.equal([]);
  });
});
