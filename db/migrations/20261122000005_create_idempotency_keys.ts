// Idempotency keys of POST requests: the first answer, replayed to retries for 24 hours.
import type { Knex } from 'knex';

const isMysql = (knex: Knex) => String(knex.client.config.client).startsWith('mysql');

export async function up(knex: Knex): Promise<void> {
  const mysql = isMysql(knex);
  await knex.schema.createTable('idempotency_keys', (t) => {
    if (mysql) {
      t.engine('InnoDB');
      t.charset('utf8mb4');
      t.collate('utf8mb4_bin');
    }
    t.increments('id');
    t.integer('user_id').unsigned().notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.string('idempotency_key', 255).notNullable();
    t.string('request_digest', 64).notNullable(); // SHA-256 of method, path and body
    t.integer('status').notNullable();
    t.string('location', 255).nullable();
    t.string('etag', 100).nullable();
    t.string('content_type', 100).notNullable();
    t.specificType('body', mysql ? 'MEDIUMTEXT' : 'TEXT').notNullable();
    t.datetime('created_at').notNullable();
    t.unique(['user_id', 'idempotency_key']);
    t.index(['created_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('idempotency_keys');
}
