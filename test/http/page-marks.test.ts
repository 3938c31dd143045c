// Deep pages in id order start from the marks a process keeps (src/resources/page-marks.ts):
// every page around and past a mark is the slice of the whole list it names, both ways, with a
// filter, and again after writes that move records across a mark, by this process and by
// another one (whose writes this process hears of only through the database).
import { expect } from 'chai';
import { generateContacts, renderContact } from '../../fixtures/generate.js';
import { MARK_EVERY } from '../../src/resources/page-marks.js';
import { LIST_CLOSE, LIST_OPEN } from '../support/contact-codec.js';
import { forEachEngine } from '../support/engines.js';
import { TestServer, type Tenant } from '../support/server.js';

const PER_PAGE = 30;
// A page past the middle is read from the other end: a list needs twice MARK_EVERY records for
// its pages to reach a mark, either way.
const CONTACTS = 2 * MARK_EVERY + 600;

forEachEngine((engine) => {
  describe(`pages from the marks of a list in id order (${engine.name})`, function () {
    this.timeout(180_000);
    let server: TestServer;
    let other: TestServer;
    let t: Tenant;
    let firstId = 0;

    before(async () => {
      server = await TestServer.start(engine);
      // Another process on the same database (another WORKERS process, another machine).
      const sameDatabase = engine.name === 'sqlite' ? `sqlite://${server.db.client.config.connection.filename}` : engine.url();
      other = await TestServer.start({ ...engine, url: () => sameDatabase });
      t = await server.tenant();
      firstId = 0;
      for (const table of ['contacts', 'contact_addresses', 'contact_items']) firstId = Math.max(firstId, Number((await server.db(table).max({ m: 'id' }).first())?.m ?? 0));
      firstId += 1000;
      let doc = LIST_OPEN;
      for (const c of generateContacts(CONTACTS, { seed: 31, firstId })) doc += renderContact(c, true);
      const res = await server.as(t)(`/${t.bf}/contacts/import.xml`, { method: 'POST', body: doc + LIST_CLOSE });
      expect(res.status, res.text).to.equal(200);
    });
    after(async () => {
      await other.stop();
      await server.stop();
    });

    /** The ids of a list in id order, from the database: what every page is a slice of. */
    async function wholeList(desc: boolean): Promise<number[]> {
      const ids = (await server.db('contacts').where({ business_file_id: t.bf }).orderBy('id', desc ? 'desc' : 'asc').pluck('id')) as number[];
      return ids.map(Number);
    }

    /** Pages around each mark and the list's end, compared with the slice they name. */
    async function expectSlices(label: string): Promise<void> {
      // updated_since before every record: a filtered list (its count kept), the same records.
      for (const [query, filter] of [['', false], ['updated_since=2000-01-01T00:00:00Z&', true]] as const) {
        for (const desc of [false, true]) {
          const whole = await wholeList(desc);
          const lastPage = Math.ceil(whole.length / PER_PAGE);
          const path = `/${t.bf}/contacts.json?${query}sort=id:${desc ? 'desc' : 'asc'}&per_page=${PER_PAGE}`;
          // From a little before the mark to a little past the middle (read from the other end).
          for (let p = Math.floor((MARK_EVERY - 100) / PER_PAGE); p <= Math.ceil(lastPage / 2) + 1; p++) {
            const res = await server.as(t)(`${path}&page=${p}`);
            expect(res.status, res.text).to.equal(200);
            const got = (JSON.parse(res.text) as { contacts: { id: number }[] }).contacts.map((c) => c.id);
            expect(got, `${label}: ${query}page ${p}${desc ? ' desc' : ''}${filter ? ' filtered' : ''}`).to.deep.equal(whole.slice((p - 1) * PER_PAGE, p * PER_PAGE));
          }
        }
      }
    }

    it('answers every page around a mark as the slice of the whole list, both ways, with a filter', async () => {
      expect((await wholeList(false)).length).to.equal(CONTACTS);
      await expectSlices('first reading');
      await expectSlices('from the kept marks');
    });

    it('answers the same after records before a mark are deleted and created, by this process and by another', async () => {
      const whole = await wholeList(false);
      // Each moves every record after it one place: a kept mark would now be off by one.
      expect((await server.as(t)(`/${t.bf}/contacts/${whole[10]}.xml`, { method: 'DELETE' })).status).to.equal(200);
      await expectSlices('after a delete by this process');
      expect((await other.as(t)(`/${t.bf}/contacts/${whole[20]}.xml`, { method: 'DELETE' })).status).to.equal(200);
      await expectSlices('after a delete by another process');
      const created = await other.as(t)(`/${t.bf}/contacts.xml`, { method: 'POST', body: '<contact><last_name>Latecomer</last_name></contact>' });
      expect(created.status, created.text).to.equal(201);
      await expectSlices('after a create by another process');
    });
  });
});
