// Upgrading in place (issue 15): a database at the last migration level before contract
// version 2, holding contacts with addresses and items, upgrades on both engines: existing
// children get their contact's timestamps, the new fields are empty, users get the `empty`
// XML profile, the service then serves the v2 documents of the old rows (found by q, PUT back
// unchanged), and the new migrations walk down and up again with the data in place.
import { expect } from 'chai';
import type { Knex } from 'knex';
import { migrations } from '../../db/migrations/index.js';
import { addUser } from '../../src/auth/users.js';
import { connect } from '../../src/db/connection.js';
import { migrateLatest } from '../../src/db/migrate.js';
import { createScratchDatabase, forEachEngine, type Engine } from '../support/engines.js';
import { ADDRESS_FIELDS, childNames, CONTACT_FIELDS, contactIds, ITEM_FIELDS, parseDoc } from '../support/firms.js';
import { basic } from '../support/http.js';
import { TestServer } from '../support/server.js';

/** The last migration of contract version 1. */
const V1_LAST = '20261122000006_contacts_page_index_and_wide_versions';
const ALL = Object.keys(migrations);
const V1 = ALL.slice(0, ALL.indexOf(V1_LAST) + 1);

const sourceOf = (names: string[]): Knex.MigrationSource<string> => ({
  getMigrations: async () => names,
  getMigrationName: (name) => name,
  getMigration: async (name) => migrations[name],
});

/** A database of its own: walking migrations never touches the other specs' data. */
async function scratch(engine: Engine): Promise<{ url: string; db: Knex; drop: () => Promise<void> }> {
  const url = engine.url();
  if (engine.name === 'sqlite') return { url, db: connect(url), drop: async () => {} };
  const scratchUrl = await createScratchDatabase(url, 'contacts_test_upgrade');
  return {
    url: scratchUrl,
    db: connect(scratchUrl),
    drop: async () => {
      const again = connect(url);
      await again.raw('DROP DATABASE IF EXISTS contacts_test_upgrade');
      await again.destroy();
    },
  };
}

/** Version 1's search text: names, job, comment, item values, cities and zip codes, lowercased. */
const v1SearchText = (parts: (string | null)[]) => parts.filter((p) => p !== null).join('\n').toLowerCase();

describe('upgrading a version-1 database in place', () => {
  forEachEngine((engine) => {
    let url: string;
    let db: Knex;
    let drop: () => Promise<void>;
    const BF = 7;
    const created = '2012-01-17 15:14:09';
    const updated = '2014-10-29 17:20:00';

    before(async () => {
      ({ url, db, drop } = await scratch(engine));
      await db.migrate.latest({ migrationSource: sourceOf(V1) });
      expect(await db.schema.hasTable('firms')).to.equal(false);
      await db('business_files').insert({ id: BF, created_at: created });
      await db('contacts').insert({
        id: 12,
        business_file_id: BF,
        civility_label_id: 18,
        last_name: 'Bouvet',
        first_name: 'Adèle',
        job_title: 'Buyer',
        contact_type: 'client',
        firm_id: 3,
        remote_id: 'CONTACT_123',
        created_at: created,
        updated_at: updated,
        version: 5,
        search_text: v1SearchText(['Adèle', 'Bouvet', 'Buyer', null, null, '01 23 45 67 89', 'adele@example.com', 'Lyon', '69002']),
      });
      await db('contacts').insert({ id: 13, business_file_id: BF, last_name: 'Alone', created_at: created, updated_at: created, version: 1, search_text: 'alone' });
      await db('contact_addresses').insert({ id: 7, contact_id: 12, address_type: 21, street_address: '10 rue de la Paix', zip_code: '69002', city: 'Lyon', country: 'France' });
      await db('contact_items').insert({ id: 31, contact_id: 12, type_id: 24, value: '01 23 45 67 89' });
      await db('contact_items').insert({ id: 32, contact_id: 12, type_id: 27, value: 'adele@example.com' });
    });
    after(async () => {
      await db.destroy();
      await drop();
    });

    it('applies the new migrations; children get their contact\'s timestamps; the new fields are empty', async () => {
      const applied = await migrateLatest(db);
      expect(applied).to.deep.equal(ALL.slice(V1.length));
      expect(applied).to.include('20261206000001_firms_and_document_fields');
      expect(await migrateLatest(db)).to.deep.equal([]);
      expect(await db.schema.hasTable('firms')).to.equal(true);
      const toText = (v: unknown) => (v instanceof Date ? v.toISOString().slice(0, 19).replace('T', ' ') : String(v));
      for (const table of ['contact_addresses', 'contact_items']) {
        for (const row of await db(table).where('contact_id', 12)) {
          expect([toText(row.created_at), toText(row.updated_at)], table).to.deep.equal([created, updated]);
          if (table === 'contact_items') expect([row.creator_id, row.modifier_id]).to.deep.equal([null, null]);
          else expect([row.street_number, row.street_name, row.additional_info, row.country_iso_3166_a3]).to.deep.equal([null, null, null, null]);
        }
      }
      const c = await db('contacts').where('id', 12).first();
      for (const name of ['language', 'contact_type2', 'contact_origin', 'keywords', 'reference', 'accounting_ref', 'accounting_ref_vendor', 'project_id', 'bank_account_id', 'batch', 'batch_kind', 'creator_id', 'modifier_id']) {
        expect(c[name], name).to.equal(null);
      }
      expect([c.last_name, c.first_name, c.remote_id, Number(c.version)]).to.deep.equal(['Bouvet', 'Adèle', 'CONTACT_123', 5]);
    });

    it('serves the old rows as v2 documents, found by q, unchanged by a PUT-back, with the empty XML profile', async () => {
      const server = await TestServer.start({ name: engine.name, url: () => url });
      try {
        await addUser(server.db, 'upgraded', 'upgraded-password', BF);
        const auth = basic('upgraded', 'upgraded-password');
        expect((await server.db('users').where('login', 'upgraded').first()).empty_integers).to.equal('empty');
        const res = await server.request(`/${BF}/contacts/12.xml`, { auth });
        expect(res.status, res.text).to.equal(200);
        expect(childNames(res.text, 'contact')).to.deep.equal(CONTACT_FIELDS);
        expect(childNames(res.text, 'contact_address')).to.deep.equal(ADDRESS_FIELDS);
        expect(childNames(res.text, 'contact_item')).to.deep.equal(ITEM_FIELDS);
        const c = parseDoc(res.text).contact[0];
        expect(c).to.deep.include({ id: '12', first_last_name: 'Adèle Bouvet', firm_name: '', keywords: '', creator_id: '', modifier_id: '', created_at: '17-01-2012-15-14', updated_at: '29-10-2014-17-20' });
        expect(c.contact_addresses.contact_address[0]).to.deep.include({ contact_id: '12', country_iso_3166_a3: '', created_at: '17-01-2012-15-14', updated_at: '29-10-2014-17-20' });
        expect(c.contact_items.contact_item.map((i: { normalized_phone: string }) => i.normalized_phone)).to.deep.equal(['0123456789', '']);
        expect(res.text).to.contain('<project_id></project_id>');
        expect(contactIds(await server.request(`/${BF}/contacts.xml?q=lyon`, { auth }))).to.deep.equal([12]);
        expect(contactIds(await server.request(`/${BF}/contacts.xml?q=adele@`, { auth }))).to.deep.equal([12]);
        const back = await server.request(`/${BF}/contacts/12.xml`, { auth, method: 'PUT', body: res.text });
        expect(back.status, back.text).to.equal(200);
        expect(back.text).to.equal(res.text);
        expect(back.headers.get('etag')).to.equal(res.headers.get('etag'));
        const changed = await server.request(`/${BF}/contacts/12.xml`, { auth, method: 'PUT', body: '<contact><keywords>migrated</keywords></contact>' });
        expect(parseDoc(changed.text).contact[0].modifier_id).to.equal(String((await server.db('users').where('login', 'upgraded').first()).id));
        expect(contactIds(await server.request(`/${BF}/contacts.xml?q=migrated`, { auth }))).to.deep.equal([12]);
        expect(contactIds(await server.request(`/${BF}/contacts.xml?q=lyon`, { auth }))).to.deep.equal([12]);
        const firms = await server.request(`/${BF}/firms.xml`, { auth });
        expect(firms.status).to.equal(200);
        expect(parseDoc(firms.text).firms.pagination.total_entries).to.equal('0');
      } finally {
        await server.stop();
      }
    });

    it('walks the new migrations down to version 1 and up again with the data in place', async () => {
      // The last batch is the upgrade of the first test: exactly the new migrations.
      await db.migrate.rollback({ migrationSource: sourceOf(ALL) }, false);
      expect((await db('knex_migrations').orderBy('id', 'desc').first()).name).to.equal(V1_LAST);
      expect(await db.schema.hasTable('firms')).to.equal(false);
      expect(await db.schema.hasColumn('contact_items', 'created_at')).to.equal(false);
      expect((await db('contacts').where('business_file_id', BF)).map((r) => r.last_name).sort()).to.deep.equal(['Alone', 'Bouvet']);
      expect(await db('contact_items').where('contact_id', 12)).to.have.length(2);
      expect(await migrateLatest(db)).to.deep.equal(ALL.slice(V1.length));
      expect(await db('contact_addresses').where('contact_id', 12)).to.have.length(1);
    });
  });
});
