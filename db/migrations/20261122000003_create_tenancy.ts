// Business files (tenants), API users, their memberships and API tokens.
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

  await knex.schema.createTable('business_files', (t) => {
    utf8mb4(t);
    t.increments('id');
    t.string('name', 200).nullable();
    t.datetime('created_at').notNullable();
  });
  await knex.schema.createTable('users', (t) => {
    utf8mb4(t);
    t.increments('id');
    binary(t.string('login', 100).notNullable()).unique();
    t.string('password_hash', 255).notNullable();
    t.datetime('created_at').notNullable();
  });
  await knex.schema.createTable('user_business_files', (t) => {
    utf8mb4(t);
    t.integer('user_id').unsigned().notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.integer('business_file_id').unsigned().notNullable().references('id').inTable('business_files').onDelete('CASCADE');
    // The order the files were given in: the first is the user's default business file.
    t.integer('position').notNullable();
    t.primary(['user_id', 'business_file_id']);
    t.index(['business_file_id']);
  });
  await knex.schema.createTable('api_tokens', (t) => {
    utf8mb4(t);
    t.increments('id');
    t.integer('user_id').unsigned().notNullable().references('id').inTable('users').onDelete('CASCADE');
    binary(t.string('token_digest', 64).notNullable()).unique(); // SHA-256, hex
    t.datetime('created_at').notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['api_tokens', 'user_business_files', 'users', 'business_files']) {
    await knex.schema.dropTableIfExists(table);
  }
}
