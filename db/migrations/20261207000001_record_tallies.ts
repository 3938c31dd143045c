// Record tallies (src/resources/tallies.ts): per business file and resource, the number of
// records and of writes, in up to 16 shard rows each. Existing records are counted into shard 0.
import type { Knex } from 'knex';

const isMysql = (knex: Knex) => String(knex.client.config.client).startsWith('mysql');

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('record_tallies', (t) => {
    if (isMysql(knex)) {
      t.engine('InnoDB');
      t.charset('utf8mb4');
      t.collate('utf8mb4_bin');
    }
    t.integer('business_file_id').unsigned().notNullable();
    t.string('resource', 20).notNullable();
    t.tinyint('shard').unsigned().notNullable();
    t.bigInteger('records').notNullable().defaultTo(0);
    t.bigInteger('writes').notNullable().defaultTo(0);
    t.primary(['business_file_id', 'resource', 'shard']);
  });
  for (const resource of ['contacts', 'firms']) {
    await knex.raw(
      `INSERT INTO record_tallies (business_file_id, resource, shard, records, writes)
       SELECT business_file_id, ?, 0, COUNT(*), 0 FROM ${resource} GROUP BY business_file_id`,
      [resource],
    );
  }
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('record_tallies');
}
