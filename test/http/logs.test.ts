// The request log and X-Request-Id: the default plain line (method, path, status, ms, request
// id), LOG_FORMAT=json (one pino object per line: time, level, method, route, status, ms,
// request_id, and for a failed request the error's name and code), never a query string, a
// body, a credential or an error message.
import { expect } from 'chai';
import { connect } from 'node:net';
import { readConfig } from '../../src/config.js';
import { contactXml } from '../support/contacts.js';
import { forEachEngine, sqlite } from '../support/engines.js';
import { TestServer, type Tenant } from '../support/server.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const idIn = (text: string) => /<id>(\d+)<\/id>/.exec(text)?.[1] as string;
const SECRET_QUERY = 'query-secret-31337';
const SECRET_BODY = 'BodySecret4242';

forEachEngine((engine) => {
  describe('X-Request-Id and the plain request line (the default)', () => {
    let server: TestServer;
    let t: Tenant;
    before(async () => {
      server = await TestServer.start(engine);
      t = await server.tenant();
    });
    after(() => server.stop());

    it('gives every answer an id, and the log line carries it', async () => {
      const created = await server.as(t)(`/${t.bf}/contacts.xml`, { method: 'POST', body: contactXml(SECRET_BODY) });
      const path = `/${t.bf}/contacts/${idIn(created.text)}.xml`;
      const res = await server.as(t)(`${path}?q=${SECRET_QUERY}`);
      const id = res.headers.get('x-request-id') as string;
      expect(id).to.match(UUID);
      const line = new RegExp(`^GET ${path} 200 \\d+\\.\\dms request_id=${id}$`);
      expect(server.logs.filter((l) => line.test(l)), server.logs.join('\n')).to.have.length(1);
      for (const answer of [
        await server.request('/nowhere.xml'),
        await server.request(`/${t.bf}/contacts.xml`),
        await server.as(t)(`/${t.bf}/contacts/import.xml`),
        await server.request('/health'),
      ]) {
        expect(answer.headers.get('x-request-id'), String(answer.status)).to.match(UUID);
      }
      const ids = server.logs.map((l) => / request_id=(\S+)$/.exec(l)?.[1]).filter(Boolean);
      expect(new Set(ids).size).to.equal(ids.length);
      const all = server.logs.join('\n');
      expect(all).not.to.contain(SECRET_QUERY);
      expect(all).not.to.contain(SECRET_BODY);
      expect(all).not.to.contain(t.password);
      expect(all).not.to.contain(t.auth.split(' ')[1]);
    });

    it("keeps the client's own id when it is sane, and replaces one that is not", async () => {
      const sane = 'req-2026.12.06_abc:DEF/42+x=y@z~';
      const kept = await server.request('/health', { headers: { 'X-Request-Id': sane } });
      expect(kept.headers.get('x-request-id')).to.equal(sane);
      expect(server.logs.at(-1)).to.match(new RegExp(`^GET /health 200 .* request_id=${sane.replace(/[.+/]/g, '\\$&')}$`));
      for (const insane of ['two words', 'x'.repeat(129), 'a"b', 'line\tbreak', 'ünïcode', 'semi;colon']) {
        const replaced = await server.request('/health', { headers: { 'X-Request-Id': Buffer.from(insane, 'utf8').toString('latin1') } });
        expect(replaced.headers.get('x-request-id'), insane).to.match(UUID);
      }
    });
  });

  describe('LOG_FORMAT=json', () => {
    let server: TestServer;
    let t: Tenant;
    before(async () => {
      server = await TestServer.start(engine, [], { logFormat: 'json' });
      t = await server.tenant();
    });
    after(() => server.stop());

    it('writes one JSON object per line: time, level, method, path, route, status, ms, request_id', async () => {
      const created = await server.as(t)(`/${t.bf}/contacts.xml`, { method: 'POST', body: contactXml(SECRET_BODY) });
      const id = idIn(created.text);
      const res = await server.as(t)(`/${t.bf}/contacts/${id}.json?q=${SECRET_QUERY}`, { headers: { 'X-Request-Id': 'client-id-1' } });
      expect(res.status).to.equal(200);
      const lines = server.logs.map((l) => JSON.parse(l) as Record<string, unknown>);
      for (const line of server.logs) expect(line).not.to.contain('\n');
      const entry = lines.find((l) => l.request_id === 'client-id-1');
      expect(entry).to.include({ level: 'info', method: 'GET', path: `/${t.bf}/contacts/${id}.json`, route: '/:bf/contacts/:id.json', status: 200 });
      expect(entry?.ms).to.be.a('number');
      expect(new Date(entry?.time as string).toISOString()).to.equal(entry?.time);
      expect(entry?.pid).to.equal(process.pid);
      expect(entry).not.to.have.property('error');
      const post = lines.find((l) => l.method === 'POST');
      expect(post).to.include({ route: '/:bf/contacts.xml', status: 201 });
      expect(post?.request_id).to.match(UUID);

      expect((await server.request(`/${t.bf}/contacts.xml`)).status).to.equal(401);
      expect((await server.request('/x/y/z')).status).to.equal(404);
      const [unauthorized, unknown] = server.logs.slice(-2).map((l) => JSON.parse(l));
      expect(unauthorized).to.deep.include({ status: 401, route: '/:bf/contacts.xml', error: { name: 'UnauthorizedError' } });
      expect(unknown).to.deep.include({ status: 404, route: 'unmatched', error: { name: 'NotFoundError' } });
      const all = server.logs.join('\n');
      expect(all).not.to.contain(SECRET_QUERY);
      expect(all).not.to.contain(SECRET_BODY);
      expect(all).not.to.contain(t.password);
      expect(all).not.to.contain(t.auth.split(' ')[1]);
    });
  });
});

describe('LOG_FORMAT=json on an unexpected error (SQLite: the spec breaks its own database)', () => {
  it("logs the error's name and code at level error, never its message, SQL or values", async () => {
    const server = await TestServer.start(sqlite, [], { logFormat: 'json' });
    try {
      const t = await server.tenant();
      await server.db.schema.dropTable('contact_items');
      const res = await server.as(t)(`/${t.bf}/contacts.xml`, { method: 'POST', body: contactXml(SECRET_BODY) });
      expect(res.status).to.equal(500);
      const lines = server.logs.map((l) => JSON.parse(l));
      const request = lines.find((l) => l.status === 500);
      expect(request).to.deep.include({ level: 'error', method: 'POST', route: '/:bf/contacts.xml', error: { name: 'SqliteError', code: 'SQLITE_ERROR' } });
      expect(request.request_id).to.equal(res.headers.get('x-request-id'));
      const report = lines.find((l) => l.msg === 'unexpected error');
      expect(report).to.deep.include({ level: 'error' });
      expect(report.error).to.include({ name: 'SqliteError', code: 'SQLITE_ERROR' });
      expect(report.error.frames).to.be.an('array').with.length.above(0);
      const all = server.logs.join('\n');
      expect(all).not.to.match(/contact_items|insert into|no such table/i);
      expect(all).not.to.contain(SECRET_BODY);
    } finally {
      await server.stop();
    }
  });
});

describe('LOG_FORMAT and answers Node writes itself', () => {
  it('accepts plain and json, and refuses anything else', () => {
    expect(readConfig({}).logFormat).to.equal('plain');
    expect(readConfig({ LOG_FORMAT: 'json' }).logFormat).to.equal('json');
    expect(() => readConfig({ LOG_FORMAT: 'xml' })).to.throw('LOG_FORMAT must be plain or json');
  });

  it('gives a request Node cannot read an X-Request-Id too', async () => {
    const server = await TestServer.start(sqlite);
    try {
      const { port } = new URL(server.url);
      const socket = connect(Number(port), '127.0.0.1');
      let answer = '';
      socket.on('data', (d) => (answer += d));
      await new Promise((r) => socket.once('connect', r));
      socket.write('NOT HTTP AT ALL\r\n\r\n');
      await new Promise((r) => socket.on('close', r));
      expect(answer).to.match(/^HTTP\/1\.1 400 /);
      expect(/\r\nX-Request-Id: (\S+)\r\n/.exec(answer)?.[1]).to.match(UUID);
    } finally {
      await server.stop();
    }
  });
});
