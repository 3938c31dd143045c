import { expect } from 'chai';
import { addUser } from '../../src/auth/users.js';
import { contactXml, errorsOf } from '../support/contacts.js';
import { engines } from '../support/engines.js';
import { basic } from '../support/http.js';
import { TestServer } from '../support/server.js';
import { serveThroughProxy, type TcpProxy } from '../support/tcp-proxy.js';

const mysql = engines().find((e) => e.name === 'mysql');

// Needs a database server to take away: runs where a MySQL URL is configured (always in CI).
(mysql ? describe : describe.skip)('when the database goes away (mysql)', () => {
  let proxy: TcpProxy;
  let server: TestServer;
  const auth = basic('down-user', 'down-pw');

  before(async () => {
    ({ proxy, server } = await serveThroughProxy(mysql!));
    await addUser(server.db, 'down-user', 'down-pw', 4242);
  });
  after(async () => {
    await proxy.cut();
    await server.stop();
  });

  it('answers 503 with Retry-After and an error body, /health says 503, and it recovers by itself', async () => {
    expect((await server.request('/4242/contacts.xml', { auth })).status).to.equal(200);
    await proxy.cut();

    const started = Date.now();
    const res = await server.request('/4242/contacts.xml', { auth });
    expect(res.status).to.equal(503);
    expect(res.headers.get('retry-after')).to.match(/^\d+$/);
    expect(errorsOf(res.text)).to.have.length(1);
    expect(res.text).not.to.match(/at .*\.ts:\d+/);
    const write = await server.request('/4242/contacts.xml', { auth, method: 'POST', body: contactXml('Lost?') });
    expect(write.status).to.equal(503);
    const health = await server.request('/health');
    expect(health.status).to.equal(503);
    expect(Date.now() - started).to.be.below(10_000);

    await proxy.open();
    let recovered = 0;
    for (let i = 0; i < 50 && recovered !== 200; i++) {
      recovered = (await server.request('/4242/contacts.xml', { auth })).status;
      if (recovered !== 200) await new Promise((r) => setTimeout(r, 200));
    }
    expect(recovered).to.equal(200);
    expect((await server.request('/health')).status).to.equal(200);
  });
});
