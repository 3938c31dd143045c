// Contacts and their addresses and items. Children go with their contact (ON DELETE CASCADE).
// `version` grows with every change (ETags); `search_text` is the lowercased text that `q`
// searches, kept with the row so a search is one LIKE on one table on every engine.
import type { Knex } from 'knex';

const isMysql = (knex: Knex) => String(knex.client.config.client).startsWith('mysql');

export async function up(knex: Knex): Promise<void> {
  const mysql = isMysql(knex);
  const utf8mb4 = (t: Knex.CreateTableBuilder) => {
    if (mysql) {
      t.engine('InnoDB');
      t.charset('utf8mb4');
      t.collate('utf8mb4_unicode_ci');
    }
  };
  const binary = (c: Knex.ColumnBuilder) => (mysql ? c.collate('utf8mb4_bin') : c);

  await knex.schema.createTable('contacts', (t) => {
    utf8mb4(t);
    t.increments('id');
    t.integer('business_file_id').unsigned().notNullable().references('id').inTable('business_files');
    t.integer('civility_label_id').unsigned().nullable().references('id').inTable('civility_labels');
    t.string('last_name', 200).notNullable();
    t.string('first_name', 200).nullable();
    t.text('comment').nullable();
    t.string('job_title', 200).nullable();
    t.string('job_department', 200).nullable();
    t.string('country', 100).nullable();
    t.string('contact_type', 20).nullable().references('id').inTable('contact_types');
    t.bigInteger('firm_id').unsigned().nullable();
    binary(t.string('remote_id', 100).nullable());
    t.datetime('created_at').notNullable();
    t.datetime('updated_at').notNullable();
    t.integer('version').unsigned().notNullable().defaultTo(1);
    binary(t.text('search_text').notNullable());
    t.unique(['business_file_id', 'remote_id']);
    t.index(['business_file_id', 'firm_id']);
    t.index(['business_file_id', 'contact_type']);
    t.index(['business_file_id', 'updated_at']);
    t.index(['business_file_id', 'created_at']);
    t.index(['business_file_id', 'last_name']);
    t.index(['business_file_id', 'first_name']);
  });
  await knex.schema.createTable('contact_addresses', (t) => {
    utf8mb4(t);
    t.increments('id');
    t.integer('contact_id').unsigned().notNullable().references('id').inTable('contacts').onDelete('CASCADE');
    t.integer('address_type').unsigned().notNullable().references('id').inTable('address_types');
    t.string('street_address', 255).nullable();
    t.string('street_address2', 255).nullable();
    t.string('zip_code', 20).nullable();
    t.string('city', 100).nullable();
    t.string('country', 100).nullable();
    t.index(['contact_id']);
  });
  await knex.schema.createTable('contact_items', (t) => {
    utf8mb4(t);
    t.increments('id');
    t.integer('contact_id').unsigned().notNullable().references('id').inTable('contacts').onDelete('CASCADE');
    t.integer('type_id').unsigned().notNullable().references('id').inTable('contact_item_types');
    t.string('value', 255).notNullable();
    t.index(['contact_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['contact_items', 'contact_addresses', 'contacts']) {
    await knex.schema.dropTableIfExists(table);
  }
}
