import { expect } from 'chai';
import { contactXml, parseXml } from '../support/contacts.js';
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
      const created = await server.as(t)(`/${t.bf}/contacts.xml`, {
        method: 'POST',
        body: contactXml('Contended', '<contact_items><contact_item><type_id>23</type_id><value>+0</value></contact_item></contact_items>'),
      });
      const id = parseXml(created.text).contact[0].id;
      const keptId = parseXml(created.text).contact[0].contact_items.contact_item[0].id;
      const setOf = (n: number) => [`+${n}-a`, `+${n}-b`, `+${n}-c`];
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, n) =>
          server.as(t)(`/${t.bf}/contacts/${id}.xml`, {
            method: 'PUT',
            body:
              `<contact><contact_items><contact_item><id>${keptId}</id><value>+kept-${n}</value></contact_item>` +
              setOf(n).map((v) => `<contact_item><type_id>24</type_id><value>${v}</value></contact_item>`).join('') +
              '</contact_items></contact>',
          }),
        ),
      );
      expect(answers.map((a) => a.status)).to.deep.equal(Array(20).fill(200));
      const rows = await server.db('contact_items').where('contact_id', Number(id)).orderBy('id');
      expect(rows).to.have.length(4);
      expect(rows[0].id).to.equal(Number(keptId));
      const n = Number(/^\+kept-(\d+)$/.exec(rows[0].value)?.[1]);
      expect(rows.slice(1).map((r) => r.value)).to.deep.equal(setOf(n));
      // The last answer given is the state that stays.
      const final = await server.as(t)(`/${t.bf}/contacts/${id}.xml`);
      expect(answers.some((a) => a.text === final.text)).to.equal(true);
    });
  });
});
