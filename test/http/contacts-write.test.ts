import { expect } from 'chai';
import { contactXml, errorsOf, FULL_CONTACT, parseXml } from '../support/contacts.js';
import { forEachEngine } from '../support/engines.js';
import { TestServer, type Tenant } from '../support/server.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('writing contacts', () => {
  forEachEngine((engine) => {
    let server: TestServer;
    before(async () => {
      server = await TestServer.start(engine);
    });
    after(() => server.stop());

    async function create(t: Tenant, body = FULL_CONTACT): Promise<any> {
      const res = await server.as(t)(`/${t.bf}/contacts.xml`, { method: 'POST', body });
      expect(res.status, res.text).to.equal(201);
      return parseXml(res.text).contact[0];
    }

    async function show(t: Tenant, id: string | number): Promise<{ text: string; contact: any }> {
      const res = await server.as(t)(`/${t.bf}/contacts/${id}.xml`);
      expect(res.status).to.equal(200);
      return { text: res.text, contact: parseXml(res.text).contact[0] };
    }

    const put = (t: Tenant, id: string | number, body: string, method = 'PUT') => server.as(t)(`/${t.bf}/contacts/${id}.xml`, { method, body });

    describe('POST /{bf}/contacts.xml', () => {
      it('answers 201 with a Location header and the stored contact', async () => {
        const t = await server.tenant();
        const res = await server.as(t)(`/${t.bf}/contacts.xml`, { method: 'POST', body: FULL_CONTACT });
        expect(res.status).to.equal(201);
        const contact = parseXml(res.text).contact[0];
        expect(res.headers.get('location')).to.equal(`/${t.bf}/contacts/${contact.id}.xml`);
        expect(res.text).to.equal((await show(t, contact.id)).text);
      });

      it('keeps values byte for byte: leading zeros, plus signs, accents, emoji, escaped characters', async () => {
        const t = await server.tenant();
        const c = await create(
          t,
          contactXml(
            "O'Brien &amp; Sons &lt;b&gt;",
            '<first_name>Zoë 🎉</first_name><contact_addresses><contact_address><address_type>20</address_type><zip_code>00100</zip_code></contact_address></contact_addresses>' +
              '<contact_items><contact_item><type_id>23</type_id><value>+33600000000</value></contact_item></contact_items>',
          ),
        );
        const { text } = await show(t, c.id);
        expect(text).to.contain("<last_name>O'Brien &amp; Sons &lt;b&gt;</last_name>");
        expect(text).to.contain('<first_name>Zoë 🎉</first_name>');
        expect(text).to.contain('<zip_code>00100</zip_code>');
        expect(text).to.contain('<value>+33600000000</value>');
        expect(text).not.to.contain('&#');
      });

      it('ignores <id>, <created_at> and <updated_at> in the body', async () => {
        const t = await server.tenant();
        const c = await create(t, contactXml('Ignored', '<id>999999</id><created_at>01-01-2001-00-00</created_at><updated_at>01-01-2001-00-00</updated_at>'));
        expect(c.id).not.to.equal('999999');
        expect(c.created_at).not.to.equal('01-01-2001-00-00');
      });

      it('reads an ActiveResource create: dasherized names, type and nil attributes, type="array" collections', async () => {
        const t = await server.tenant();
        const body = `<?xml version="1.0" encoding="UTF-8"?>
<contact>
  <civility-label-id type="integer">17</civility-label-id>
  <last-name>Dupont</last-name>
  <first-name nil="true"/>
  <firm-id type="integer">42</firm-id>
  <favourite-colour>blue</favourite-colour>
  <contact-addresses type="array">
    <contact-address>
      <address-type type="integer">21</address-type>
      <street-address>1 place Bellecour</street-address>
      <zip-code>69002</zip-code>
    </contact-address>
  </contact-addresses>
  <contact-items type="array">
    <contact-item><type-id type="integer">27</type-id><value>dupont@example.com</value></contact-item>
    <contact-item><type-id type="integer">88</type-id><value>+33 6 00 00 00 00</value></contact-item>
  </contact-items>
</contact>`;
        const c = await create(t, body);
        expect(c.civility_label_id).to.equal('17');
        expect(c.last_name).to.equal('Dupont');
        expect(c.first_name).to.equal('');
        expect(c.firm_id).to.equal('42');
        expect(c.contact_addresses.contact_address[0].zip_code).to.equal('69002');
        expect(c.contact_items.contact_item.map((i: any) => i.value)).to.deep.equal(['dupont@example.com', '+33 6 00 00 00 00']);
      });

      it('trims surrounding whitespace and reads CRLF as a newline', async () => {
        const t = await server.tenant();
        const c = await create(t, contactXml('  Spaces  ', '<comment>line one\r\nline two\rline three</comment>'));
        expect(c.last_name).to.equal('Spaces');
        const { text } = await show(t, c.id);
        expect(text).to.contain('<comment>line one\nline two\nline three</comment>');
      });
    });

    describe('PUT /{bf}/contacts/{id}.xml', () => {
      it('changes only the field sent, the way old PHP scripts PUT one field', async () => {
        const t = await server.tenant();
        const c = await create(t);
        const before = await show(t, c.id);
        const res = await put(t, c.id, '<contact><job_title>Head buyer</job_title></contact>');
        expect(res.status).to.equal(200);
        const after = parseXml(res.text).contact[0];
        expect(after.job_title).to.equal('Head buyer');
        expect({ ...after, job_title: undefined, updated_at: undefined }).to.deep.equal({ ...before.contact, job_title: undefined, updated_at: undefined });
        expect(res.text).to.equal((await show(t, c.id)).text);
      });

      it('clears a field sent empty and leaves absent collections untouched', async () => {
        const t = await server.tenant();
        const c = await create(t);
        const res = await put(t, c.id, '<contact><job_title></job_title><first_name/></contact>');
        const after = parseXml(res.text).contact[0];
        expect(after.job_title).to.equal('');
        expect(after.first_name).to.equal('');
        expect(after.contact_items.contact_item).to.have.length(1);
        expect(after.contact_addresses.contact_address).to.have.length(1);
      });

      it('accepts PATCH as the same partial update', async () => {
        const t = await server.tenant();
        const c = await create(t);
        const res = await put(t, c.id, '<contact><country>Belgique</country></contact>', 'PATCH');
        expect(res.status).to.equal(200);
        expect(parseXml(res.text).contact[0].country).to.equal('Belgique');
      });

      it('succeeds and changes nothing, not even updated_at, when a client PUTs back what it read', async () => {
        const t = await server.tenant();
        const c = await create(t, FULL_CONTACT.replace('<contact_items>', '<contact_items><contact_item><type_id>23</type_id><value>+33100000000</value></contact_item>'));
        const before = await show(t, c.id);
        const versionOf = async () => Number((await server.db('contacts').where('id', Number(c.id)).first()).version);
        const version = await versionOf();
        await sleep(1100); // a write would move updated_at on by at least a second
        const res = await put(t, c.id, before.text);
        expect(res.status).to.equal(200);
        expect(res.text).to.equal(before.text);
        expect((await show(t, c.id)).text).to.equal(before.text);
        expect(await versionOf()).to.equal(version);
      });

      it('changes nothing when ActiveResource PUTs the document back dasherized, with nil="true" empties', async () => {
        const t = await server.tenant();
        const c = await create(t, FULL_CONTACT.replace('<contact_items>', '<contact_items><contact_item><type_id>23</type_id><value>+33100000000</value></contact_item>'));
        const before = await show(t, c.id);
        const items = c.contact_items.contact_item;
        const addr = c.contact_addresses.contact_address[0];
        const body = `<?xml version="1.0" encoding="UTF-8"?>
<contact>
  <id type="integer">${c.id}</id>
  <civility-label-id type="integer">18</civility-label-id>
  <last-name>Bouvet</last-name>
  <first-name>Adèle</first-name>
  <comment nil="true"/>
  <job-title>Buyer</job-title>
  <job-department>Purchasing</job-department>
  <country>France</country>
  <contact-type>client</contact-type>
  <firm-id type="integer">3</firm-id>
  <remote-id>CONTACT_123</remote-id>
  <created-at>${c.created_at}</created-at>
  <updated-at>${c.updated_at}</updated-at>
  <contact-addresses type="array">
    <contact-address>
      <id type="integer">${addr.id}</id>
      <address-type type="integer">21</address-type>
      <street-address>10 rue de la Paix</street-address>
      <street-address2 nil="true"/>
      <zip-code>00100</zip-code>
      <city>Paris</city>
      <country>France</country>
    </contact-address>
  </contact-addresses>
  <contact-items>
    <contact-item type="array">
      <contact-item><id type="integer">${items[0].id}</id><type-id type="integer">${items[0].type_id}</type-id><value>${items[0].value}</value></contact-item>
      <contact-item><id type="integer">${items[1].id}</id><type-id type="integer">${items[1].type_id}</type-id><value>${items[1].value}</value></contact-item>
    </contact-item>
  </contact-items>
</contact>`;
        await sleep(1100);
        const res = await put(t, c.id, body);
        expect(res.status, res.text).to.equal(200);
        expect(res.text).to.equal(before.text);
      });

      it('moves updated_at on when a value changes', async () => {
        const t = await server.tenant();
        const c = await create(t);
        await server.db('contacts').where('id', Number(c.id)).update({ updated_at: '2012-01-17 15:14:09' });
        const res = await put(t, c.id, '<contact><job_title>Changed</job_title></contact>');
        expect(parseXml(res.text).contact[0].updated_at).not.to.equal('17-01-2012-15-14');
        expect(parseXml(res.text).contact[0].created_at).to.equal(c.created_at);
      });

      it('replaces a listed collection: listed ids keep their id, new children are created, unlisted ones deleted', async () => {
        const t = await server.tenant();
        const c = await create(
          t,
          contactXml(
            'Nested',
            '<contact_items>' +
              '<contact_item><type_id>27</type_id><value>a@example.com</value></contact_item>' +
              '<contact_item><type_id>23</type_id><value>+3311</value></contact_item>' +
              '<contact_item><type_id>430</type_id><value>skype.me</value></contact_item>' +
              '</contact_items>',
          ),
        );
        const [a, , s] = c.contact_items.contact_item;
        const res = await put(
          t,
          c.id,
          '<contact><contact_items>' +
            `<contact_item><id>${a.id}</id><value>b@example.com</value></contact_item>` +
            `<contact_item><id>${s.id}</id></contact_item>` +
            '<contact_item><type_id>88</type_id><value>+33 6</value></contact_item>' +
            '</contact_items></contact>',
        );
        expect(res.status, res.text).to.equal(200);
        const items = parseXml(res.text).contact[0].contact_items.contact_item;
        expect(items.map((i: any) => [i.type_id, i.value])).to.deep.equal([
          ['27', 'b@example.com'],
          ['430', 'skype.me'],
          ['88', '+33 6'],
        ]);
        expect(items[0].id).to.equal(a.id);
        expect(items[1].id).to.equal(s.id);
        expect(Number(items[2].id)).to.be.greaterThan(Number(s.id));
        const stored = await server.db('contact_items').where('contact_id', Number(c.id)).orderBy('id');
        expect(stored).to.have.length(3);
      });

      it('empties a collection sent as <contact-items nil="true"/> or as an empty element', async () => {
        const t = await server.tenant();
        const c = await create(t);
        const res = await put(t, c.id, '<contact><contact-items nil="true"/><contact_addresses></contact_addresses></contact>');
        expect(res.status).to.equal(200);
        expect(res.text).to.contain('<contact_addresses></contact_addresses>');
        expect(res.text).to.contain('<contact_items></contact_items>');
        expect(await server.db('contact_items').where('contact_id', Number(c.id))).to.have.length(0);
      });

      it("answers 422 for a child id that is not one of this contact's, and changes nothing", async () => {
        const t = await server.tenant();
        const first = await create(t);
        const second = await create(t, contactXml('Other', '<contact_items><contact_item><type_id>27</type_id><value>o@example.com</value></contact_item></contact_items>'));
        const before = await show(t, first.id);
        const foreignId = second.contact_items.contact_item[0].id;
        const res = await put(t, first.id, `<contact><last_name>Changed</last_name><contact_items><contact_item><id>${foreignId}</id><value>x@example.com</value></contact_item></contact_items></contact>`);
        expect(res.status).to.equal(422);
        expect(errorsOf(res.text)).to.deep.equal([`Contact items id ${foreignId} is not one of this contact's items`]);
        expect((await show(t, first.id)).text).to.equal(before.text);
        expect((await show(t, second.id)).contact.contact_items.contact_item[0].value).to.equal('o@example.com');
      });

      it('keeps the write atomic: an invalid child leaves the contact and its children as they were', async () => {
        const t = await server.tenant();
        const c = await create(t);
        const before = await show(t, c.id);
        const res = await put(t, c.id, '<contact><last_name>New</last_name><contact_items><contact_item><type_id>999</type_id><value>x</value></contact_item></contact_items></contact>');
        expect(res.status).to.equal(422);
        expect((await show(t, c.id)).text).to.equal(before.text);
      });

      it('updates by remote_id with ?lookup_field=remote_id and through the /contacts/show alias', async () => {
        const t = await server.tenant();
        const c = await create(t);
        const byRemote = await server.as(t)(`/${t.bf}/contacts/CONTACT_123.xml?lookup_field=remote_id`, { method: 'PUT', body: '<contact><city>x</city><job_title>Via remote</job_title></contact>' });
        expect(byRemote.status).to.equal(200);
        expect(parseXml(byRemote.text).contact[0].job_title).to.equal('Via remote');
        const alias = await server.as(t)(`/contacts/show/${t.bf}/${c.id}.xml`, { method: 'PUT', body: '<contact><job_title>Via alias</job_title></contact>' });
        expect(parseXml(alias.text).contact[0].job_title).to.equal('Via alias');
      });

      it('answers 404 for a contact that does not exist', async () => {
        const t = await server.tenant();
        const res = await put(t, 987654321, contactXml('Nobody'));
        expect(res.status).to.equal(404);
        expect(errorsOf(res.text)).to.have.length(1);
      });
    });

    describe('DELETE /{bf}/contacts/{id}.xml', () => {
      it('answers 200 with an empty body, removes the children, and a second DELETE or a GET is 404', async () => {
        const t = await server.tenant();
        const c = await create(t);
        const res = await server.as(t)(`/${t.bf}/contacts/${c.id}.xml`, { method: 'DELETE', headers: { 'Content-Type': 'application/xml' } });
        expect(res.status).to.equal(200);
        expect(res.text).to.equal('');
        expect(await server.db('contact_items').where('contact_id', Number(c.id))).to.have.length(0);
        expect(await server.db('contact_addresses').where('contact_id', Number(c.id))).to.have.length(0);
        expect((await server.as(t)(`/${t.bf}/contacts/${c.id}.xml`, { method: 'DELETE' })).status).to.equal(404);
        expect((await server.as(t)(`/${t.bf}/contacts/${c.id}.xml`)).status).to.equal(404);
      });

      it('deletes through the short path and the old-style alias', async () => {
        const t = await server.tenant();
        const a = await create(t, contactXml('A'));
        const b = await create(t, contactXml('B'));
        expect((await server.as(t)(`/contacts/${a.id}.xml`, { method: 'DELETE' })).status).to.equal(200);
        expect((await server.as(t)(`/contacts/show/${t.bf}/${b.id}.xml`, { method: 'DELETE' })).status).to.equal(200);
        expect(parseXml((await server.as(t)('/contacts.xml')).text).contacts.pagination.total_entries).to.equal('0');
      });
    });
  });
});
