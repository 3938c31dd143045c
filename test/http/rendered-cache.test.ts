// The caches must never answer with content older than the database's: the rendered-contact
// cache (src/http/rendered-contacts.ts; every path that changes a contact moves its version on)
// and the list counts (ResourceService, kept while the business file's write tally stands still),
// and what is kept while nothing it shows was written (src/http/unchanged.ts: SQLite's change
// token, MySQL's write tallies): users, record stamps, list pages.
import { expect } from 'chai';
import type { Knex } from 'knex';
import { contactXml, field, parseXml } from '../support/contacts.js';
import { forEachEngine } from '../support/engines.js';
import { connect, TestServer } from '../support/server.js';
import { addUser, removeUser } from '../../src/auth/users.js';
import { basic } from '../support/http.js';
import { loadLookups } from '../../src/contacts/lookups.js';
import { CONTACT, FIRM } from '../../src/resources/index.js';
import { ResourceService } from '../../src/resources/service.js';
import { parseDocument } from '../../src/xml/document.js';
import { readRecord } from '../../src/xml/record-reader.js';

const contactInput = (xml: string) => readRecord(CONTACT, parseDocument(xml, 'contact'));

forEachEngine((engine) => {
  describe(`rendered-contact cache (${engine.name})`, () => {
    let server: TestServer;
    before(async () => (server = await TestServer.start(engine)));
    after(() => server.stop());

    /** `work` done as another process would (another WORKERS process, another machine): a connection of its own to the same database. */
    const asAnotherProcess = async (work: (other: Knex) => Promise<void>) => {
      const other = connect(engine.name === 'sqlite' ? `sqlite://${server.db.client.config.connection.filename}` : engine.url(), () => {});
      try {
        await work(other);
      } finally {
        await other.destroy();
      }
    };

    it('a contact deleted and imported again with the same id and timestamps is answered with its new values', async () => {
      const t = await server.tenant();
      const as = server.as(t);
      const created = await as(`/${t.bf}/contacts.xml`, { method: 'POST', body: contactXml('Before') });
      const id = field(created.text, 'id');
      const stamp = field(created.text, 'created_at');
      // Read it (one answer is kept), then delete it.
      expect(field((await as(`/${t.bf}/contacts/${id}.xml`)).text, 'last_name')).to.equal('Before');
      expect((await as(`/${t.bf}/contacts.xml`)).text).to.contain('<last_name>Before</last_name>');
      expect((await as(`/${t.bf}/contacts/${id}.xml`, { method: 'DELETE' })).status).to.equal(200);

      const file = `<contacts type="array"><contact><id>${id}</id><last_name>After</last_name><created_at>${stamp}</created_at><updated_at>${stamp}</updated_at></contact></contacts>`;
      const imported = await as(`/${t.bf}/contacts/import.xml`, { method: 'POST', body: file });
      expect(imported.status, imported.text).to.equal(200);

      const shown = await as(`/${t.bf}/contacts/${id}.xml`);
      expect(field(shown.text, 'last_name')).to.equal('After');
      expect(shown.headers.get('etag')).not.to.equal(created.headers.get('etag'));
      const listed = parseXml((await as(`/${t.bf}/contacts.xml`)).text).contacts.contact;
      expect(listed.map((c: { last_name: string }) => c.last_name)).to.deep.equal(['After']);
      const json = JSON.parse((await as(`/${t.bf}/contacts/${id}.json`)).text);
      expect(json.contact.last_name).to.equal('After');
    });

    it('an import that updates a contact moves its answer on, in XML and JSON, one and list', async () => {
      const t = await server.tenant();
      const as = server.as(t);
      const created = await as(`/${t.bf}/contacts.xml`, { method: 'POST', body: contactXml('Old', '<job_title>Clerk</job_title>') });
      const id = field(created.text, 'id');
      await as(`/${t.bf}/contacts/${id}.xml`);
      await as(`/${t.bf}/contacts/${id}.json`);
      const file = `<contacts type="array"><contact><id>${id}</id><last_name>Old</last_name><job_title>Chief</job_title></contact></contacts>`;
      expect((await as(`/${t.bf}/contacts/import.xml`, { method: 'POST', body: file })).status).to.equal(200);
      expect(field((await as(`/${t.bf}/contacts/${id}.xml`)).text, 'job_title')).to.equal('Chief');
      expect(JSON.parse((await as(`/${t.bf}/contacts/${id}.json`)).text).contact.job_title).to.equal('Chief');
      expect(JSON.parse((await as(`/${t.bf}/contacts.json`)).text).contacts[0].job_title).to.equal('Chief');
    });

    it('a list page larger than the cache is still whole and in order, and the same with the cache off', async () => {
      for (const renderedContacts of [2, 0]) {
        const small = await TestServer.start(engine, [], { renderedContacts });
        try {
          const t = await small.tenant();
          const as = small.as(t);
          for (const name of ['A', 'B', 'C', 'D', 'E']) await as(`/${t.bf}/contacts.xml`, { method: 'POST', body: contactXml(name) });
          for (let round = 0; round < 2; round++) {
            const page = parseXml((await as(`/${t.bf}/contacts.xml`)).text).contacts;
            expect(page.contact.map((c: { last_name: string }) => c.last_name)).to.deep.equal(['A', 'B', 'C', 'D', 'E']);
            expect(page.pagination.current_page_items_count).to.equal('5');
          }
        } finally {
          await small.stop();
        }
      }
    });

    it('counts a list again after a write by this process or by another connection to the database', async () => {
      const t = await server.tenant();
      const as = server.as(t);
      const total = async (query = '') => Number(parseXml((await as(`/${t.bf}/contacts.xml${query}`)).text).contacts.pagination.total_entries);
      await as(`/${t.bf}/contacts.xml`, { method: 'POST', body: contactXml('One') });
      expect(await total()).to.equal(1);
      expect(await total('?q=two')).to.equal(0);
      await as(`/${t.bf}/contacts.xml`, { method: 'POST', body: contactXml('Two') });
      expect(await total()).to.equal(2);
      expect(await total('?q=two')).to.equal(1);

      // Another process on the same database (another WORKERS process, another machine): the
      // service's own code on a connection of its own.
      await asAnotherProcess(async (other) => {
        const elsewhere = new ResourceService(other, CONTACT, await loadLookups(other));
        const three = await elsewhere.create(t.bf, contactInput('<contact><last_name>Three</last_name><job_title>two</job_title></contact>'), null);
        expect(await total()).to.equal(3);
        expect(await total('?q=two')).to.equal(2);
        await elsewhere.remove(t.bf, { id: three.id }, null);
        expect(await total()).to.equal(2);
        expect(await total('?q=two')).to.equal(1);
      });
      const [first] = parseXml((await as(`/${t.bf}/contacts.xml`)).text).contacts.contact;
      await as(`/${t.bf}/contacts/${first.id}.xml`, { method: 'DELETE' });
      expect(await total()).to.equal(1);
    });

    it('answers a GET, a list page and the user anew after another connection writes, with nothing else between', async () => {
      const t = await server.tenant();
      const as = server.as(t);
      const id = field((await as(`/${t.bf}/contacts.xml`, { method: 'POST', body: contactXml('Before') })).text, 'id');
      // Read twice: the second answers come from what this process keeps.
      for (let i = 0; i < 2; i++) {
        expect(field((await as(`/${t.bf}/contacts/${id}.xml`)).text, 'last_name')).to.equal('Before');
        expect((await as(`/${t.bf}/contacts.xml`)).text).to.contain('<last_name>Before</last_name>');
      }
      await asAnotherProcess(async (other) => {
        // As another WORKERS process writes: the service's own code on a connection of its own.
        const elsewhere = new ResourceService(other, CONTACT, await loadLookups(other));
        await elsewhere.update(t.bf, { id: Number(id) }, contactInput('<contact><last_name>After</last_name></contact>'), null);
        expect(field((await as(`/${t.bf}/contacts/${id}.xml`)).text, 'last_name')).to.equal('After');
        expect((await as(`/${t.bf}/contacts.xml`)).text).to.contain('<last_name>After</last_name>');
        expect(await removeUser(other, t.login)).to.equal(true);
        expect((await as(`/${t.bf}/contacts/${id}.xml`)).status).to.equal(401);
        expect((await as(`/${t.bf}/contacts.xml`)).status).to.equal(401);
      });
    });

    // A list page is kept while nothing it shows was written (MySQL: the business file's write
    // tallies of the resource and of what its renderings show): a contact shows its firm's name,
    // a firm its number of contacts.
    it('answers a list page anew after another process writes what its records show: a firm renamed, a contact added to a firm', async () => {
      const t = await server.tenant();
      const as = server.as(t);
      const firm = await as(`/${t.bf}/firms.xml`, { method: 'POST', body: '<firm><name>Old Name</name></firm>' });
      expect(firm.status, firm.text).to.equal(201);
      const firmId = Number(/<id[^>]*>(\d+)<\/id>/.exec(firm.text)?.[1]);
      const contactsCount = async () => /<contacts_count[^>]*>(\d+)<\/contacts_count>/.exec((await as(`/${t.bf}/firms.xml`)).text)?.[1];
      await as(`/${t.bf}/contacts.xml`, { method: 'POST', body: contactXml('Member', `<firm_id>${firmId}</firm_id>`) });
      for (let i = 0; i < 2; i++) {
        expect((await as(`/${t.bf}/contacts.xml`)).text).to.contain('<firm_name>Old Name</firm_name>');
        expect((await as(`/${t.bf}/firms/${firmId}/contacts.xml`)).text).to.contain('<firm_name>Old Name</firm_name>');
        expect(await contactsCount()).to.equal('1');
      }
      await asAnotherProcess(async (other) => {
        const lookups = await loadLookups(other);
        const firms = new ResourceService(other, FIRM, lookups);
        await firms.update(t.bf, { id: firmId }, readRecord(FIRM, parseDocument('<firm><name>New Name</name></firm>', 'firm')), null);
        expect((await as(`/${t.bf}/contacts.xml`)).text).to.contain('<firm_name>New Name</firm_name>');
        expect((await as(`/${t.bf}/firms/${firmId}/contacts.xml`)).text).to.contain('<firm_name>New Name</firm_name>');
        const contacts = new ResourceService(other, CONTACT, lookups);
        await contacts.create(t.bf, contactInput(`<contact><last_name>Second</last_name><firm_id>${firmId}</firm_id></contact>`), null);
        expect(await contactsCount()).to.equal('2');
        expect((await as(`/${t.bf}/firms/${firmId}/contacts.xml`)).text).to.contain('<last_name>Second</last_name>');
      });
    });

    // MySQL keeps a user under the service-wide users' tally and a record's stamp under its
    // business file's tallies: every way a user or what a record shows changes must move them.
    it('answers the user anew after another process changes its password, gives it a business file, or removes it with its token', async () => {
      const t = await server.tenant();
      const other2 = await server.tenant();
      const token = await server.token(t.login);
      const byToken = (path: string) => server.request(path, { auth: `Token ${token}` });
      for (let i = 0; i < 2; i++) {
        expect((await server.as(t)(`/${t.bf}/contacts.xml`)).status).to.equal(200);
        expect((await server.as(t)(`/${other2.bf}/contacts.xml`)).status).to.equal(403);
        expect((await byToken(`/${t.bf}/contacts.xml`)).status).to.equal(200);
      }
      await asAnotherProcess(async (other) => {
        await addUser(other, t.login, 'a-new-password', other2.bf);
        expect((await server.as(t)(`/${t.bf}/contacts.xml`)).status).to.equal(401);
        const renewed = { ...t, auth: basic(t.login, 'a-new-password') };
        expect((await server.as(renewed)(`/${t.bf}/contacts.xml`)).status).to.equal(200);
        expect((await server.as(renewed)(`/${other2.bf}/contacts.xml`)).status).to.equal(200);
        expect((await byToken(`/${other2.bf}/contacts.xml`)).status).to.equal(200);
        expect(await removeUser(other, t.login)).to.equal(true);
        expect((await byToken(`/${t.bf}/contacts.xml`)).status).to.equal(401);
        expect((await server.as(renewed)(`/${t.bf}/contacts.xml`)).status).to.equal(401);
      });
    });

    it('answers a contact anew, with a new ETag, after another process renames its firm', async () => {
      const t = await server.tenant();
      const as = server.as(t);
      const firm = await as(`/${t.bf}/firms.xml`, { method: 'POST', body: '<firm><name>Old Name</name></firm>' });
      const firmId = Number(/<id[^>]*>(\d+)<\/id>/.exec(firm.text)?.[1]);
      const id = field((await as(`/${t.bf}/contacts.xml`, { method: 'POST', body: contactXml('Member', `<firm_id>${firmId}</firm_id>`) })).text, 'id');
      await as(`/${t.bf}/contacts/${id}.xml`); // the second answer is kept
      const before = await as(`/${t.bf}/contacts/${id}.xml`);
      expect(field(before.text, 'firm_name')).to.equal('Old Name');
      await asAnotherProcess(async (other) => {
        const firms = new ResourceService(other, FIRM, await loadLookups(other));
        await firms.update(t.bf, { id: firmId }, readRecord(FIRM, parseDocument('<firm><name>New Name</name></firm>', 'firm')), null);
      });
      const after = await as(`/${t.bf}/contacts/${id}.xml`);
      expect(field(after.text, 'firm_name')).to.equal('New Name');
      expect(after.headers.get('etag')).not.to.equal(before.headers.get('etag'));
    });

    if (engine.name === 'mysql') {
      it('asks MySQL one query for a GET or a list page read before, nothing written since: the users\' and the business file\'s tallies together', async () => {
        const t = await server.tenant();
        const as = server.as(t);
        const id = field((await as(`/${t.bf}/contacts.xml`, { method: 'POST', body: contactXml('Kept') })).text, 'id');
        for (const path of [`/${t.bf}/contacts/${id}.xml`, `/${t.bf}/contacts.xml`, `/contacts/show/${t.bf}/${id}.xml`]) {
          expect((await as(path)).status).to.equal(200);
          const queries: string[] = [];
          // Not the background loops' work: the search indexer and the events' sequencer run in
          // transactions, the sequencer and the webhooks' worker poll their tables.
          const background = (query: { sql: string; __knexTxId?: string }) => query.__knexTxId !== undefined || /`(webhooks|events)`/.test(query.sql);
          const seen = (query: { sql: string; __knexTxId?: string }) => background(query) || queries.push(query.sql);
          server.db.on('query', seen);
          try {
            expect((await as(path)).status, path).to.equal(200);
          } finally {
            server.db.off('query', seen);
          }
          expect(queries, `${path}: ${queries.join(" | ")}`).to.have.length(1);
          expect(queries[0], path).to.match(/FROM record_tallies\s+WHERE business_file_id IN \(\?, \?\)/);
        }
      });
    }
  });
});
