// Speed and caching (issue 5):
// - an index on (business_file_id, id), so that a list page in id order (the default) walks
//   the index and stops after the page instead of sorting the business file;
// - `version` becomes a 64-bit integer on MySQL (SQLite integers already are): a new contact
//   starts at a random version, so a contact deleted and created again with the same id (an
//   import keeps ids) never repeats a (id, version) pair that a rendered-contact cache holds.
import type { Knex } from 'knex';

const isMysql = (knex: Knex) => String(knex.client.config.client).startsWith('mysql');

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('contacts', (t) => {
    t.index(['business_file_id', 'id'], 'contacts_business_file_id_id_index');
  });
  if (isMysql(knex)) await knex.raw('ALTER TABLE contacts MODIFY version BIGINT UNSIGNED NOT NULL DEFAULT 1');
}

export async function down(knex: Knex): Promise<void> {
  if (isMysql(knex)) await knex.raw('ALTER TABLE contacts MODIFY version INT UNSIGNED NOT NULL DEFAULT 1');
  await knex.schema.alterTable('contacts', (t) => {
    t.dropIndex(['business_file_id', 'id'], 'contacts_business_file_id_id_index');
  });
}
