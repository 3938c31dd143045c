// Change events and webhooks (issue 10):
// - `events`: one row per changed contact or firm, inserted in the write's own transaction.
//   `id` is the insertion order; `position` is the feed's id, given once the event is committed
//   (see src/events/sequencer.ts), so that positions become visible in order;
// - `event_sequence`: the single counter row that hands out positions, and how far the
//   retention purge has gone (an `after` below it is answered 410);
// - `webhooks`: the registered endpoints, each with its delivery cursor, retry state and lease;
// - `webhook_deliveries`: the log of delivery attempts (status and timing only).
import type { Knex } from 'knex';

const isMysql = (knex: Knex) => String(knex.client.config.client).startsWith('mysql');

function innodb(knex: Knex, t: Knex.CreateTableBuilder): void {
  if (!isMysql(knex)) return;
  t.engine('InnoDB');
  t.charset('utf8mb4');
  t.collate('utf8mb4_bin');
}

export async function up(knex: Knex): Promise<void> {
  const mysql = isMysql(knex);
  await knex.schema.createTable('events', (t) => {
    innodb(knex, t);
    t.bigIncrements('id');
    t.bigInteger('position').nullable();
    t.integer('business_file_id').unsigned().notNullable();
    t.string('object_zname', 20).notNullable();
    t.bigInteger('object_zid').notNullable();
    t.string('object_action', 10).notNullable();
    t.integer('user_id').unsigned().nullable();
    t.specificType('object_changes', mysql ? 'MEDIUMTEXT' : 'TEXT').notNullable();
    t.specificType('object_data', mysql ? 'MEDIUMTEXT' : 'TEXT').notNullable();
    t.datetime('created_at').notNullable();
    t.index(['business_file_id', 'position'], 'events_business_file_id_position_index');
    t.index(['position'], 'events_position_index');
    t.index(['created_at'], 'events_created_at_index');
  });
  await knex.schema.createTable('event_sequence', (t) => {
    innodb(knex, t);
    t.integer('id').unsigned().primary();
    t.bigInteger('last_position').notNullable().defaultTo(0);
    t.bigInteger('purged_through').notNullable().defaultTo(0);
  });
  await knex('event_sequence').insert({
    id: 1,
    last_position: 0,
    purged_through: 0,
  });
  await knex.schema.createTable('webhooks', (t) => {
    innodb(knex, t);
    t.increments('id');
    t.integer('business_file_id').unsigned().notNullable();
    t.string('url', 2048).notNullable();
    t.string('secret', 100).notNullable();
    t.datetime('created_at').notNullable();
    // Delivery state: every event of the business file up to this position has been delivered.
    t.bigInteger('delivered_through').notNullable().defaultTo(0);
    t.integer('attempts').notNullable().defaultTo(0); // failed attempts of the next event
    t.bigInteger('next_attempt_at').notNullable().defaultTo(0); // ms since the epoch
    t.bigInteger('first_failed_at').nullable();
    t.boolean('failing').notNullable().defaultTo(false);
    t.string('lease_owner', 64).nullable();
    t.bigInteger('lease_until').notNullable().defaultTo(0);
    t.index(['business_file_id'], 'webhooks_business_file_id_index');
  });
  await knex.schema.createTable('webhook_deliveries', (t) => {
    innodb(knex, t);
    t.bigIncrements('id');
    t.integer('webhook_id').unsigned().notNullable().references('id').inTable('webhooks').onDelete('CASCADE');
    t.bigInteger('event_id').notNullable();
    t.integer('attempt').notNullable();
    t.datetime('attempted_at').notNullable();
    t.integer('status').nullable();
    t.string('error', 255).nullable();
    t.integer('milliseconds').notNullable();
    t.index(['webhook_id', 'id'], 'webhook_deliveries_webhook_id_id_index');
    t.index(['attempted_at'], 'webhook_deliveries_attempted_at_index');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('webhook_deliveries');
  await knex.schema.dropTableIfExists('webhooks');
  await knex.schema.dropTableIfExists('event_sequence');
  await knex.schema.dropTableIfExists('events');
}
