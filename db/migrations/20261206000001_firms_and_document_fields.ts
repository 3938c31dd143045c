// Contract version 2 (issue 15): firms, the old system's other document fields, children's
// timestamps and authors, and each API user's XML profile. Existing children get their
// contact's timestamps; existing contacts have the new fields empty.
import type { Knex } from 'knex';

const isMysql = (knex: Knex) => String(knex.client.config.client).startsWith('mysql');

export async function up(knex: Knex): Promise<void> {
  const mysql = isMysql(knex);
  const binary = (c: Knex.ColumnBuilder) => (mysql ? c.collate('utf8mb4_bin') : c);

  await knex.schema.alterTable('contacts', (t) => {
    t.string('language', 20).nullable();
    t.string('contact_type2', 20).nullable();
    t.string('contact_origin', 255).nullable();
    t.string('keywords', 1000).nullable();
    t.string('reference', 100).nullable();
    t.string('accounting_ref', 100).nullable();
    t.string('accounting_ref_vendor', 100).nullable();
    t.bigInteger('project_id').unsigned().nullable();
    t.bigInteger('bank_account_id').unsigned().nullable();
    t.string('batch', 100).nullable();
    t.string('batch_kind', 50).nullable();
    t.integer('creator_id').unsigned().nullable();
    t.integer('modifier_id').unsigned().nullable();
  });
  await knex.schema.alterTable('contact_addresses', (t) => {
    t.string('street_number', 20).nullable();
    t.string('street_name', 255).nullable();
    t.string('additional_info', 255).nullable();
    t.string('country_iso_3166_a3', 3).nullable();
    t.datetime('created_at').nullable();
    t.datetime('updated_at').nullable();
  });
  await knex.schema.alterTable('contact_items', (t) => {
    t.integer('creator_id').unsigned().nullable();
    t.integer('modifier_id').unsigned().nullable();
    t.datetime('created_at').nullable();
    t.datetime('updated_at').nullable();
  });
  for (const table of ['contact_addresses', 'contact_items']) {
    await knex.raw(
      `UPDATE ${table} SET created_at = (SELECT c.created_at FROM contacts c WHERE c.id = ${table}.contact_id), ` +
        `updated_at = (SELECT c.updated_at FROM contacts c WHERE c.id = ${table}.contact_id)`,
    );
  }

  await knex.schema.createTable('firms', (t) => {
    if (mysql) {
      t.engine('InnoDB');
      t.charset('utf8mb4');
      t.collate('utf8mb4_unicode_ci');
    }
    t.increments('id');
    t.integer('business_file_id').unsigned().notNullable().references('id').inTable('business_files');
    t.string('name', 255).notNullable();
    t.string('firm_type', 20).nullable();
    t.string('firm_type2', 20).nullable();
    t.string('siren', 20).nullable();
    t.string('tva', 30).nullable();
    t.string('accounting_ref', 100).nullable();
    t.string('accounting_ref_vendor', 100).nullable();
    t.bigInteger('parent_firm_id').unsigned().nullable();
    t.bigInteger('project_id').unsigned().nullable();
    t.bigInteger('bank_account_id').unsigned().nullable();
    binary(t.string('remote_id', 100).nullable());
    t.string('batch', 100).nullable();
    t.string('batch_kind', 50).nullable();
    t.integer('creator_id').unsigned().nullable();
    t.integer('modifier_id').unsigned().nullable();
    t.datetime('created_at').notNullable();
    t.datetime('updated_at').notNullable();
    t.bigInteger('version').unsigned().notNullable().defaultTo(1);
    binary(t.text('search_text').notNullable());
    t.unique(['business_file_id', 'remote_id']);
    t.index(['business_file_id', 'id']);
    t.index(['business_file_id', 'name']);
    t.index(['business_file_id', 'firm_type']);
    t.index(['business_file_id', 'parent_firm_id']);
    t.index(['business_file_id', 'created_at']);
    t.index(['business_file_id', 'updated_at']);
  });

  await knex.schema.alterTable('users', (t) => {
    t.string('empty_integers', 5).notNullable().defaultTo('empty');
  });
}

/** Columns this migration adds, by table. */
const ADDED: Record<string, string[]> = {
  users: ['empty_integers'],
  contact_items: ['creator_id', 'modifier_id', 'created_at', 'updated_at'],
  contact_addresses: ['street_number', 'street_name', 'additional_info', 'country_iso_3166_a3', 'created_at', 'updated_at'],
  contacts: ['language', 'contact_type2', 'contact_origin', 'keywords', 'reference', 'accounting_ref', 'accounting_ref_vendor', 'project_id', 'bank_account_id', 'batch', 'batch_kind', 'creator_id', 'modifier_id'],
};

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('firms');
  // Plain ALTER TABLE … DROP COLUMN on both engines: knex's SQLite way copies the table and
  // drops the old one, and dropping `contacts` with foreign keys on deletes every child row.
  for (const [table, columns] of Object.entries(ADDED)) {
    for (const column of columns) await knex.raw(`ALTER TABLE ${table} DROP COLUMN ${column}`);
  }
}
