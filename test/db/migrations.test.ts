import { expect } from 'chai';
import type { Knex } from 'knex';
import { connect } from '../../src/db/connection.js';
import { migrateDownAll, migrateLatest } from '../../src/db/migrate.js';
import { migrations } from '../../db/migrations/index.js';
import { createScratchDatabase, forEachEngine, type Engine } from '../support/engines.js';

const TABLES = ['business_files', 'users', 'idempotency_keys', 'user_business_files', 'api_tokens', 'civility_labels', 'contact_types', 'address_types', 'contact_item_types', 'contacts', 'contact_addresses', 'contact_items', 'events', 'event_sequence', 'webhooks', 'webhook_deliveries'];

/** A database of its own, so walking migrations down never touches the other specs' data. */
async function scratchDatabase(engine: Engine): Promise<Knex> {
  const url = engine.url();
  if (engine.name === 'sqlite') return connect(url);
  return connect(await createScratchDatabase(url, 'contacts_test_migrations'));
}

describe('migrations', () => {
  forEachEngine((engine) => {
    let db: Knex;
    before(async () => {
      db = await scratchDatabase(engine);
    });
    after(async () => {
      if (engine.name === 'mysql') await db.raw('DROP DATABASE IF EXISTS contacts_test_migrations');
      await db.destroy();
    });

    it('walk up, down and up again, and are safe to run twice', async () => {
      const applied = await migrateLatest(db);
      expect(applied).to.have.length(Object.keys(migrations).length);
      expect(await migrateLatest(db)).to.deep.equal([]);
      for (const table of TABLES) expect(await db.schema.hasTable(table), table).to.equal(true);
      await migrateDownAll(db);
      for (const table of TABLES) expect(await db.schema.hasTable(table), table).to.equal(false);
      expect(await migrateLatest(db)).to.have.length(Object.keys(migrations).length);
    });

    it('seed the lookup values of the contract', async () => {
      expect((await db('civility_labels').orderBy('id')).map((r) => [r.id, r.label])).to.deep.equal([
        [17, 'Mr'],
        [18, 'Madam'],
        [19, 'Miss'],
      ]);
      expect((await db('contact_types').orderBy('position')).map((r) => r.id)).to.deep.equal(['client', 'prospect', 'supplier', 'press', 'partner', 'staff', 'perso', 'other']);
      expect((await db('address_types').orderBy('id')).map((r) => r.id)).to.deep.equal([20, 21, 22]);
      const kinds = Object.fromEntries((await db('contact_item_types')).map((r) => [r.id, r.kind]));
      expect(kinds).to.deep.equal({ 23: 'phone', 25: 'fax', 28: 'email', 554: 'cell', 471: 'phone', 24: 'phone', 26: 'fax', 27: 'email', 88: 'cell', 430: 'messenger', 431: 'messenger', 432: 'messenger', 433: 'messenger', 457: 'messenger' });
    });

    it('cascade the deletion of a contact to its addresses and items, and enforce lookup foreign keys', async () => {
      await db('business_files').insert({ id: 1, created_at: '2020-01-01 00:00:00' });
      const [id] = await db('contacts').insert({ business_file_id: 1, last_name: 'X', created_at: '2020-01-01 00:00:00', updated_at: '2020-01-01 00:00:00', search_text: 'x' });
      await db('contact_items').insert({ contact_id: id, type_id: 27, value: 'x@example.com' });
      await db('contact_addresses').insert({ contact_id: id, address_type: 20 });
      await db('contacts').where('id', id).del();
      expect(await db('contact_items')).to.have.length(0);
      expect(await db('contact_addresses')).to.have.length(0);
      let rejected = false;
      await db('contacts')
        .insert({ business_file_id: 1, last_name: 'Y', civility_label_id: 99, created_at: '2020-01-01 00:00:00', updated_at: '2020-01-01 00:00:00', search_text: 'y' })
        .catch(() => (rejected = true));
      expect(rejected).to.equal(true);
    });

    it('keep remote_id unique per business file, exactly (accents and case are different ids)', async () => {
      await db('business_files').insert({ id: 2, created_at: '2020-01-01 00:00:00' });
      const row = (bf: number, remote: string) => ({ business_file_id: bf, last_name: 'R', remote_id: remote, created_at: '2020-01-01 00:00:00', updated_at: '2020-01-01 00:00:00', search_text: 'r' });
      await db('contacts').insert(row(1, 'Adele'));
      await db('contacts').insert(row(1, 'Adèle'));
      await db('contacts').insert(row(1, 'adele'));
      await db('contacts').insert(row(2, 'Adele'));
      let duplicate = false;
      await db('contacts').insert(row(1, 'Adele')).catch(() => (duplicate = true));
      expect(duplicate).to.equal(true);
    });
  });
});
