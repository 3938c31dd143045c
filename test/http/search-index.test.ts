// `q` answered through the search index (src/resources/search.ts) means exactly what the
// contract says (section 3): a case-insensitive substring of the listed fields. Checked against
// an oracle computed here from the contacts' JSON, on records imported (with and without ids),
// created, changed and deleted through the API, for q of every length, matching none, one or
// many, with LIKE's and FTS5's special characters. Both engines answer the same, as each
// answers exactly what the oracle says. On MySQL, whose postings a background indexer writes,
// in each state a record can be in: not indexed yet, indexed, and changed after it was indexed
// (the server runs without an indexer; the test runs the indexer's transactions itself).
import { expect } from 'chai';
import { generateContacts, renderContact } from '../../fixtures/generate.js';
import { LIST_CLOSE, LIST_OPEN } from '../support/contact-codec.js';
import { contactXml, parseXml } from '../support/contacts.js';
import { forEachEngine } from '../support/engines.js';
import { TestServer, type Tenant } from '../support/server.js';
import { CONTACT } from '../../src/resources/index.js';
import { indexPending, rarestFirst, trigramTable } from '../../src/resources/search-trigrams.js';

type Json = Record<string, unknown> & { id: number };

const TEXT_FIELDS = ['first_name', 'last_name', 'job_title', 'job_department', 'comment', 'keywords', 'reference', 'accounting_ref', 'accounting_ref_vendor'];

/** The contract's searchable text of a contact, from its JSON. */
function searchable(c: Json): string[] {
  const values = TEXT_FIELDS.map((f) => c[f]);
  for (const item of (c.contact_items as Json[]) ?? []) values.push(item.value);
  for (const address of (c.contact_addresses as Json[]) ?? []) values.push(address.city, address.zip_code);
  return values.filter((v): v is string => typeof v === 'string' && v !== '').map((v) => v.toLowerCase());
}

forEachEngine((engine) => {
  describe(`q through the search index (${engine.name})`, function () {
    this.timeout(120_000);
    let server: TestServer;
    let t: Tenant;
    const all: Json[] = [];

    before(async () => {
      server = await TestServer.start(engine, [], { searchIndexer: false });
      t = await server.tenant();
      const as = server.as(t);
      // Ids are global keys (children's too): the file's start past every id in the database.
      let max = 0;
      for (const table of ['contacts', 'contact_addresses', 'contact_items']) max = Math.max(max, Number((await server.db(table).max({ m: 'id' }).first())?.m ?? 0));
      max += 1000;
      let doc = LIST_OPEN;
      for (const c of generateContacts(150, { seed: 11, firstId: max })) doc += renderContact(c, true);
      for (const c of generateContacts(150, { seed: 12, firstId: max + 100_000 })) doc += renderContact(c, false);
      const imported = await as(`/${t.bf}/contacts/import.xml`, { method: 'POST', body: doc + LIST_CLOSE });
      expect(imported.status, imported.text).to.equal(200);
      const tricky = ['100% sûr_ment', 'quote "dite" ici', 'bang!bang', 'ÉLODIE Ñandú', 'x'];
      const created: number[] = [];
      for (const name of tricky) {
        const res = await as(`/${t.bf}/contacts.xml`, { method: 'POST', body: contactXml(name, '<contact_items><contact_item><type_id>27</type_id><value>Search.Me@Example.COM</value></contact_item></contact_items>') });
        created.push(Number(parseXml(res.text).contact[0].id));
      }
      // changed: the old text must no longer be found, the new one must
      await as(`/${t.bf}/contacts/${created[4]}.xml`, { method: 'PUT', body: '<contact><last_name>Renamed Zyxwv</last_name><contact_items></contact_items></contact>' });
      const some = parseXml((await as(`/${t.bf}/contacts.xml?per_page=3`)).text).contacts.contact;
      await as(`/${t.bf}/contacts/${some[0].id}.xml`, { method: 'DELETE' });
      for (let page = 1; ; page++) {
        const res = await as(`/${t.bf}/contacts.json?per_page=500&page=${page}`);
        const body = JSON.parse(res.text) as { contacts: Json[] };
        all.push(...body.contacts);
        if (body.contacts.length < 500) break;
      }
      expect(all.length).to.equal(304);
    });
    after(() => server.stop());

    async function found(q: string): Promise<{ ids: number[]; total: number }> {
      const res = await server.as(t)(`/${t.bf}/contacts.json?per_page=500&q=${encodeURIComponent(q)}`);
      expect(res.status, res.text).to.equal(200);
      const body = JSON.parse(res.text) as { contacts: Json[]; pagination: { total_entries: number } };
      return { ids: body.contacts.map((c) => c.id), total: Number(body.pagination.total_entries) };
    }

    /** Every query of a list of q of every length and kind answers exactly what the oracle says. */
    async function expectOracle(): Promise<void> {
      const word = (c: Json, f: string) => String(c[f] ?? '');
      const sample = all.filter((c) => word(c, 'last_name').length >= 6);
      const queries = [
        'a', 'é', '1', 'ar', 'ÉL', '0', // one or two characters: no trigram
        'zyxwv', 'renamed', 'x', // changed by PUT
        'search.me@example.com', 'SEARCH.ME', 'e.c', // many (created), case folded
        '100%', '% s', 'r_m', 'sûr_', '"dite"', 'e "d', 'bang!', '!ban', 'ñandú', 'élodie', // LIKE and FTS5 special characters
        'qqqzzz', 'paris', 'gmbh', '+33', ' 75', '\n', // none, many, spaces
        ...sample.slice(0, 5).map((c) => word(c, 'last_name').slice(1, 5)), // inside a word
        ...sample.slice(5, 8).map((c) => word(c, 'last_name').toUpperCase()),
      ];
      for (const q of queries) {
        const needle = q.trim().toLowerCase();
        const expected = all.filter((c) => searchable(c).some((v) => v.includes(needle))).map((c) => c.id).sort((a, b) => a - b);
        const got = await found(q);
        expect(got.ids, `q=${JSON.stringify(q)}`).to.deep.equal(expected);
        expect(got.total, `total of q=${JSON.stringify(q)}`).to.equal(expected.length);
      }
    }

    const mysql = engine.name === 'mysql';
    const pending = async () => Number((await server.db('contacts').where({ business_file_id: t.bf, search_pending: 1 }).count({ n: '*' }).first())?.n);
    const postings = async () => Number((await server.db(trigramTable(CONTACT)).where({ business_file_id: t.bf }).count({ n: '*' }).first())?.n);
    /** What the server's indexer does, run here: until nothing of the business file is pending. */
    async function indexAll(): Promise<void> {
      while ((await indexPending(server.db, CONTACT)) > 0);
      expect(await pending()).to.equal(0);
    }

    it('finds exactly the contacts whose fields contain q, for q of every length and kind', async () => {
      if (mysql) expect(await pending(), 'records not indexed yet').to.equal(all.length);
      await expectOracle();
    });

    it('finds the same once the records are indexed (MySQL: through the postings)', async function () {
      if (!mysql) this.skip();
      await indexAll();
      expect(await postings()).to.be.greaterThan(all.length * 20);
      await expectOracle();
    });

    it('finds a record changed after it was indexed by its new text only, before and after it is indexed again', async () => {
      if (mysql) await indexAll();
      const target = all.find((c) => String(c.last_name ?? '').length >= 6)!;
      const oldName = String(target.last_name).toLowerCase();
      await server.as(t)(`/${t.bf}/contacts/${target.id}.xml`, { method: 'PUT', body: '<contact><last_name>Qwertzuiop</last_name></contact>' });
      const check = async () => {
        expect((await found('wertzu')).ids).to.deep.equal([target.id]);
        expect((await found(oldName)).ids).to.not.include(target.id);
      };
      if (mysql) expect(await pending()).to.equal(1);
      await check();
      if (mysql) await indexAll();
      await check();
      target.last_name = 'Qwertzuiop';
    });

    it('no longer finds a deleted contact or the old text of a changed one', async () => {
      expect((await found('x')).ids.length).to.equal(all.filter((c) => searchable(c).some((v) => v.includes('x'))).length);
      const before = await found('zyxwv');
      expect(before.ids).to.have.length(1);
      if (mysql) await indexAll();
      await server.as(t)(`/${t.bf}/contacts/${before.ids[0]}.xml`, { method: 'DELETE' });
      expect(await found('zyxwv')).to.deep.equal({ ids: [], total: 0 });
      // its postings went with it (MySQL)
      if (mysql) expect(await server.db(trigramTable(CONTACT)).where({ business_file_id: t.bf, record_id: before.ids[0] }).first()).to.equal(undefined);
    });
  });
});

forEachEngine((engine) => {
  describe(`the service's search indexer (${engine.name})`, function () {
    this.timeout(60_000);
    let server: TestServer;
    before(async () => (server = await TestServer.start(engine)));
    after(() => server.stop());

    it('indexes what is imported and changed on its own, and q finds it by its postings', async function () {
      if (engine.name !== 'mysql') this.skip();
      const t = await server.tenant();
      const as = server.as(t);
      const max = Number((await server.db('contacts').max({ m: 'id' }).first())?.m ?? 0) + 500_000;
      let doc = LIST_OPEN;
      for (const c of generateContacts(40, { seed: 21, firstId: max })) doc += renderContact(c, true);
      expect((await as(`/${t.bf}/contacts/import.xml`, { method: 'POST', body: doc + LIST_CLOSE })).status).to.equal(200);
      await as(`/${t.bf}/contacts/${max}.xml`, { method: 'PUT', body: '<contact><last_name>Indexedbyitself</last_name></contact>' });
      const deadline = Date.now() + 20_000;
      const pending = async () => (await server.db('contacts').where({ business_file_id: t.bf, search_pending: 1 }).first('id')) !== undefined;
      while ((await pending()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(await pending(), 'records still pending after 20 s').to.equal(false);
      const postings = await server.db(trigramTable(CONTACT)).where({ business_file_id: t.bf, record_id: max }).count({ n: '*' }).first();
      expect(Number(postings?.n)).to.be.greaterThan(10);
      const res = await as(`/${t.bf}/contacts.json?q=byitself`);
      expect((JSON.parse(res.text) as { contacts: Json[] }).contacts.map((c) => c.id)).to.deep.equal([max]);
    });

    it('drives a search from the rarest of its trigrams, whatever their place in q', async function () {
      if (engine.name !== 'mysql') this.skip();
      const t = await server.tenant();
      const as = server.as(t);
      // 'mar' in every last name, 'zyq' in one: q's first trigram is the most common.
      for (let i = 0; i < 30; i++) expect((await as(`/${t.bf}/contacts.xml`, { method: 'POST', body: contactXml(`Mar${i}tin`) })).status).to.equal(201);
      const rare = await as(`/${t.bf}/contacts.xml`, { method: 'POST', body: contactXml('Marzyq') });
      const deadline = Date.now() + 20_000;
      const pending = async () => (await server.db('contacts').where({ business_file_id: t.bf, search_pending: 1 }).first('id')) !== undefined;
      while ((await pending()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      const ranked = await rarestFirst(server.db, CONTACT, t.bf, ['mar', 'arz', 'rzy', 'zyq']);
      expect(ranked).to.have.length(4);
      expect(ranked[3], "'mar', in 31 records, last").to.equal('mar');
      expect(ranked.slice(0, 3)).to.have.members(['arz', 'rzy', 'zyq']);
      const res = await as(`/${t.bf}/contacts.json?q=marzyq`);
      expect((JSON.parse(res.text) as { contacts: Json[] }).contacts.map((c) => c.id)).to.deep.equal([Number(parseXml(rare.text).contact[0].id)]);
    });
  });
});
