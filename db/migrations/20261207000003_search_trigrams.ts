// The index that answers `q` on MySQL (src/resources/search-trigrams.ts): per resource, a table
// of (business file, trigram hash, record) postings, and on the records what the indexer needs:
// `search_pending` (1 from the insert or the change of a record until the indexer has written
// its postings) and `search_indexed_text` (the text its postings were made from, so a change
// removes only the trigrams it removed). Existing records start pending: the indexer of the
// first process that starts builds their postings. SQLite has its FTS5 index instead.
import type { Knex } from 'knex';

const isMysql = (knex: Knex) => String(knex.client.config.client).startsWith('mysql');
const TABLES = ['contacts', 'firms'];

export async function up(knex: Knex): Promise<void> {
  if (!isMysql(knex)) return;
  for (const table of TABLES) {
    await knex.schema.alterTable(table, (t) => {
      t.tinyint('search_pending').unsigned().notNullable().defaultTo(1);
      t.text('search_indexed_text').collate('utf8mb4_bin').nullable();
      t.index(['search_pending', 'business_file_id'], `${table}_search_pending`);
    });
    await knex.schema.createTable(`${table}_trigrams`, (t) => {
      t.engine('InnoDB');
      t.integer('business_file_id').unsigned().notNullable();
      t.integer('trigram').unsigned().notNullable();
      t.integer('record_id').unsigned().notNullable();
      t.primary(['business_file_id', 'trigram', 'record_id']);
    });
  }
}

export async function down(knex: Knex): Promise<void> {
  if (!isMysql(knex)) return;
  for (const table of TABLES) {
    await knex.schema.dropTable(`${table}_trigrams`);
    await knex.schema.alterTable(table, (t) => {
      t.dropIndex(['search_pending', 'business_file_id'], `${table}_search_pending`);
      t.dropColumn('search_pending');
      t.dropColumn('search_indexed_text');
    });
  }
}
