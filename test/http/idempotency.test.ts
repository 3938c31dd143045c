import { expect } from 'chai';
import { contactXml, errorsOf, parseXml } from '../support/contacts.js';
import { forEachEngine } from '../support/engines.js';
import { TestServer, type Tenant } from '../support/server.js';

describe('Idempotency-Key on POST', () => {
  forEachEngine((engine) => {
    let server: TestServer;
    before(async () => {
      server = await TestServer.start(engine);
    });
    after(() => server.stop());

    const post = (t: Tenant, body: string, key: string, path = `/${t.bf}/contacts.xml`) => server.as(t)(path, { method: 'POST', body, headers: { 'Idempotency-Key': key } });
    const count = async (t: Tenant) => Number((await server.db('contacts').where('business_file_id', t.bf).count({ n: '*' }).first())?.n);

    it('replays the first answer to a retry with the same key and body, and creates nothing more', async () => {
      const t = await server.tenant();
      const first = await post(t, contactXml('Once'), 'key-1');
      expect(first.status).to.equal(201);
      const retry = await post(t, contactXml('Once'), 'key-1');
      expect(retry.status).to.equal(201);
      expect(retry.text).to.equal(first.text);
      expect(retry.headers.get('location')).to.equal(first.headers.get('location'));
      expect(retry.headers.get('etag')).to.equal(first.headers.get('etag'));
      expect(await count(t)).to.equal(1);
      // Another key is another request.
      expect((await post(t, contactXml('Once'), 'key-2')).status).to.equal(201);
      expect(await count(t)).to.equal(2);
    });

    it('answers 422 to the same key with another body, creating nothing', async () => {
      const t = await server.tenant();
      await post(t, contactXml('First'), 'reused');
      const res = await post(t, contactXml('Second'), 'reused');
      expect(res.status).to.equal(422);
      expect(errorsOf(res.text)).to.deep.equal(['Idempotency-Key has already been used with another request']);
      expect(await count(t)).to.equal(1);
    });

    it('does not store a refused request: a corrected retry with the key succeeds', async () => {
      const t = await server.tenant();
      expect((await post(t, contactXml(''), 'fix-me')).status).to.equal(422);
      expect((await post(t, contactXml('Fixed'), 'fix-me')).status).to.equal(201);
    });

    it('keeps keys apart per user, and forgets them after 24 hours', async () => {
      const a = await server.tenant();
      const b = await server.tenant();
      expect((await post(a, contactXml('A'), 'shared')).status).to.equal(201);
      expect((await post(b, contactXml('B'), 'shared')).status).to.equal(201);
      await server.db('idempotency_keys').where('idempotency_key', 'shared').update({ created_at: '2000-01-01 00:00:00' });
      expect((await post(a, contactXml('A'), 'shared')).status).to.equal(201);
      expect(await count(a)).to.equal(2);
    });

    it('creates one contact when ten requests with one key arrive at once (five rounds)', async () => {
      // The race is timing-dependent: a few rounds make a lost claim show up reliably.
      for (let round = 0; round < 5; round++) {
        const t = await server.tenant();
        const answers = await Promise.all(Array.from({ length: 10 }, () => post(t, contactXml('Burst'), `burst-key-${round}`)));
        expect(answers.map((a) => a.status)).to.deep.equal(Array(10).fill(201));
        expect(new Set(answers.map((a) => a.headers.get('location'))).size).to.equal(1);
        expect(await count(t)).to.equal(1);
      }
    });

    it('works on JSON too, and refuses a malformed key with 400', async () => {
      const t = await server.tenant();
      const body = JSON.stringify({ contact: { last_name: 'Json' } });
      const first = await server.as(t)(`/${t.bf}/contacts.json`, { method: 'POST', body, contentType: 'application/json', headers: { 'Idempotency-Key': 'j1' } });
      const again = await server.as(t)(`/${t.bf}/contacts.json`, { method: 'POST', body, contentType: 'application/json', headers: { 'Idempotency-Key': 'j1' } });
      expect(first.status).to.equal(201);
      expect(again.text).to.equal(first.text);
      expect(JSON.parse(again.text).contact.last_name).to.equal('Json');
      expect((await post(t, contactXml('K'), 'x'.repeat(300))).status).to.equal(400);
      expect(parseXml((await server.as(t)(`/${t.bf}/contacts.xml`)).text).contacts.pagination.total_entries).to.equal('1');
    });
  });
});
