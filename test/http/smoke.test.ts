import { expect } from 'chai';
import { forEachEngine } from '../support/engines.js';
import { TestServer } from '../support/server.js';
import { contactXml } from '../support/contacts.js';

describe('smoke', () => {
  forEachEngine((engine) => {
    let server: TestServer;
    before(async () => {
      server = await TestServer.start(engine);
    });
    after(() => server.stop());

    it('creates and reads a contact', async () => {
      const t = await server.tenant();
      const req = server.as(t);
      const created = await req(`/${t.bf}/contacts.xml`, { method: 'POST', body: contactXml('Smoke') });
      expect(created.status).to.equal(201);
      const loc = created.headers.get('location') as string;
      const shown = await req(loc);
      expect(shown.status).to.equal(200);
      expect(shown.text).to.contain('<last_name>Smoke</last_name>');
    });
  });
});
