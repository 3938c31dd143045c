// The four lookup tables the contact fields are checked against. Values: the next migration.
import type { Knex } from 'knex';

const isMysql = (knex: Knex) => String(knex.client.config.client).startsWith('mysql');

export async function up(knex: Knex): Promise<void> {
  const utf8mb4 = (t: Knex.CreateTableBuilder) => {
    if (isMysql(knex)) {
      t.engine('InnoDB');
      t.charset('utf8mb4');
      t.collate('utf8mb4_unicode_ci');
    }
  };
  await knex.schema.createTable('civility_labels', (t) => {
    utf8mb4(t);
    t.integer('id').unsigned().primary();
    t.string('label', 100).notNullable();
    t.integer('position').notNullable();
  });
  await knex.schema.createTable('contact_types', (t) => {
    utf8mb4(t);
    t.string('id', 20).primary();
    t.string('label', 100).notNullable();
    t.integer('position').notNullable();
  });
  await knex.schema.createTable('address_types', (t) => {
    utf8mb4(t);
    t.integer('id').unsigned().primary();
    t.string('label', 100).notNullable();
    t.integer('position').notNullable();
  });
  await knex.schema.createTable('contact_item_types', (t) => {
    utf8mb4(t);
    t.integer('id').unsigned().primary();
    t.string('label', 100).notNullable();
    t.string('kind', 20).notNullable();
    t.integer('position').notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['contact_item_types', 'address_types', 'contact_types', 'civility_labels']) {
    await knex.schema.dropTableIfExists(table);
  }
}
