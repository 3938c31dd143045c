import { expect } from 'chai';
import { contactXml, errorsOf } from '../support/contacts.js';
import { sqlite } from '../support/engines.js';
import { TestServer } from '../support/server.js';

// A fault that is nobody's input: a table vanished under the service. SQLite only, since
// the spec breaks its own database on purpose.
describe('an unexpected failure', () => {
  let server: TestServer;
  before(async () => {
    server = await TestServer.start(sqlite);
  });
  after(() => server.stop());

  it('answers 500 with a generic message, logs no SQL, values or credentials, and keeps serving', async () => {
    const t = await server.tenant();
    const secretValue = 'SECRET-VALUE-42';
    await server.db.schema.dropTable('contact_items');
    const res = await server.as(t)(`/${t.bf}/contacts.xml?q=${secretValue}`, { method: 'POST', body: contactXml(secretValue) });
    expect(res.status).to.equal(500);
    expect(errorsOf(res.text)).to.deep.equal(['Internal server error.']);
    expect(res.text).not.to.match(/contact_items|sqlite|at /i);
    const logs = server.logs.join('\n');
    expect(logs).to.contain('POST /' + t.bf + '/contacts.xml 500');
    expect(logs).to.contain('error ');
    expect(logs).not.to.contain(secretValue);
    expect(logs).not.to.contain(t.password);
    expect(logs).not.to.contain(t.auth.split(' ')[1]);
    expect((await server.request('/health')).status).to.equal(200);
  });

  it('is logged with request lines off (LOG_REQUESTS=0), and no request line is', async () => {
    const logs: string[] = [];
    const quiet = await TestServer.start(sqlite, logs, { logRequests: false });
    try {
      const t = await quiet.tenant();
      await quiet.db.schema.dropTable('contact_items');
      expect((await quiet.as(t)(`/${t.bf}/contacts.xml`, { method: 'POST', body: contactXml('Broken') })).status).to.equal(500);
      expect((await quiet.request('/health')).status).to.equal(200);
      expect(logs.join('\n')).to.match(/^error \w+/m);
      expect(logs.join('\n')).not.to.match(/ \/health 200|contacts\.xml 500/);
    } finally {
      await quiet.stop();
    }
  });
});
