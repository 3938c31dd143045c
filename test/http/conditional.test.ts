import { expect } from 'chai';
import { contactXml, FULL_CONTACT, parseXml } from '../support/contacts.js';
import { forEachEngine } from '../support/engines.js';
import { TestServer, type Tenant } from '../support/server.js';

describe('conditional requests (ETag, If-None-Match, If-Match)', () => {
  forEachEngine((engine) => {
    let server: TestServer;
    before(async () => {
      server = await TestServer.start(engine);
    });
    after(() => server.stop());

    async function created(t: Tenant): Promise<{ id: string; etag: string; itemId: string }> {
      const res = await server.as(t)(`/${t.bf}/contacts.xml`, { method: 'POST', body: FULL_CONTACT });
      const c = parseXml(res.text).contact[0];
      return { id: c.id, etag: res.headers.get('etag') as string, itemId: c.contact_items.contact_item[0].id };
    }

    it('gives every contact response an ETag, the same for XML and JSON and for repeated reads', async () => {
      const t = await server.tenant();
      const { id, etag } = await created(t);
      expect(etag).to.match(/^"[A-Za-z0-9_-]+"$/);
      const xml = await server.as(t)(`/${t.bf}/contacts/${id}.xml`);
      const json = await server.as(t)(`/${t.bf}/contacts/${id}.json`);
      expect(xml.headers.get('etag')).to.equal(etag);
      expect(json.headers.get('etag')).to.equal(etag);
    });

    it('changes the ETag when a child changes, and keeps it when a PUT changes nothing', async () => {
      const t = await server.tenant();
      const { id, etag, itemId } = await created(t);
      const same = await server.as(t)(`/${t.bf}/contacts/${id}.xml`, { method: 'PUT', body: '<contact><last_name>Bouvet</last_name></contact>' });
      expect(same.headers.get('etag')).to.equal(etag);
      const child = await server.as(t)(`/${t.bf}/contacts/${id}.xml`, {
        method: 'PUT',
        body: `<contact><contact_items><contact_item><id>${itemId}</id><value>new@example.com</value></contact_item></contact_items></contact>`,
      });
      expect(child.headers.get('etag')).not.to.equal(etag);
    });

    it('answers 304 without a body to a GET whose If-None-Match names the current tag', async () => {
      const t = await server.tenant();
      const { id, etag } = await created(t);
      const res = await server.as(t)(`/${t.bf}/contacts/${id}.xml`, { headers: { 'If-None-Match': etag } });
      expect(res.status).to.equal(304);
      expect(res.text).to.equal('');
      expect(res.headers.get('etag')).to.equal(etag);
      expect((await server.as(t)(`/${t.bf}/contacts/${id}.xml`, { headers: { 'If-None-Match': `W/${etag}` } })).status).to.equal(304);
      expect((await server.as(t)(`/${t.bf}/contacts/${id}.xml`, { headers: { 'If-None-Match': '"other"' } })).status).to.equal(200);
    });

    it('answers 412 to a PUT, PATCH or DELETE with a stale If-Match, and changes nothing', async () => {
      const t = await server.tenant();
      const { id, etag } = await created(t);
      const changed = await server.as(t)(`/${t.bf}/contacts/${id}.xml`, { method: 'PUT', body: '<contact><job_title>Moved on</job_title></contact>', headers: { 'If-Match': etag } });
      expect(changed.status).to.equal(200);
      const before = await server.as(t)(`/${t.bf}/contacts/${id}.xml`);
      for (const method of ['PUT', 'PATCH', 'DELETE']) {
        const res = await server.as(t)(`/${t.bf}/contacts/${id}.xml`, { method, body: method === 'DELETE' ? undefined : contactXml('Lost update'), headers: { 'If-Match': etag } });
        expect(res.status, method).to.equal(412);
        expect(res.text).to.contain('<errors>');
      }
      expect((await server.as(t)(`/${t.bf}/contacts/${id}.xml`)).text).to.equal(before.text);
      const current = before.headers.get('etag') as string;
      expect((await server.as(t)(`/${t.bf}/contacts/${id}.xml`, { method: 'DELETE', headers: { 'If-Match': current } })).status).to.equal(200);
    });

    it('accepts If-Match: * for any existing contact', async () => {
      const t = await server.tenant();
      const { id } = await created(t);
      const res = await server.as(t)(`/${t.bf}/contacts/${id}.xml`, { method: 'PUT', body: '<contact><job_title>Star</job_title></contact>', headers: { 'If-Match': '*' } });
      expect(res.status).to.equal(200);
    });
  });
});
