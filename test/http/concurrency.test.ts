import { expect } from 'chai';
import { parseXml } from '../support/contacts.js';
import { CONTENDED_CONTACT, expectOneReplacementKept, itemsReplacement } from '../support/contended-items.js';
import { forEachEngine } from '../support/engines.js';
import { TestServer } from '../support/server.js';

describe('concurrent writes to one contact', () => {
  forEachEngine((engine) => {
    let server: TestServer;
    before(async () => {
      server = await TestServer.start(engine);
    });
    after(() => server.stop());

    it('end with exactly the item set of one of the requests: none lost, none duplicated', async () => {
      const t = await server.tenant();
      const created = await server.as(t)(`/${t.bf}/contacts.xml`, { method: 'POST', body: CONTENDED_CONTACT });
      const id = parseXml(created.text).contact[0].id;
      const keptId = parseXml(created.text).contact[0].contact_items.contact_item[0].id;
      const answers = await Promise.all(Array.from({ length: 20 }, (_, n) => server.as(t)(`/${t.bf}/contacts/${id}.xml`, { method: 'PUT', body: itemsReplacement(keptId, n) })));
      expect(answers.map((a) => a.status)).to.deep.equal(Array(20).fill(200));
      expectOneReplacementKept(await server.db('contact_items').where('contact_id', Number(id)).orderBy('id'), keptId);
      // The last answer given is the state that stays.
      const final = await server.as(t)(`/${t.bf}/contacts/${id}.xml`);
      expect(answers.some((a) => a.text === final.text)).to.equal(true);
    });
  });
});
