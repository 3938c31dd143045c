// The index that answers `q` without reading every record (src/resources/search.ts).
// SQLite: an FTS5 table with the trigram tokenizer over contacts.search_text and
// firms.search_text (external content: it stores only the index), kept by triggers, and built
// here from the existing rows. case_sensitive 1: search_text is already lowercased, and q too.
import type { Knex } from 'knex';

const isMysql = (knex: Knex) => String(knex.client.config.client).startsWith('mysql');
const TABLES = ['contacts', 'firms'];

export async function up(knex: Knex): Promise<void> {
  if (isMysql(knex)) return;
  for (const table of TABLES) {
    const fts = `${table}_search`;
    await knex.raw(`CREATE VIRTUAL TABLE ${fts} USING fts5(search_text, content='${table}', content_rowid='id', tokenize='trigram case_sensitive 1')`);
    await knex.raw(`CREATE TRIGGER ${fts}_insert AFTER INSERT ON ${table} BEGIN
      INSERT INTO ${fts} (rowid, search_text) VALUES (new.id, new.search_text); END`);
    await knex.raw(`CREATE TRIGGER ${fts}_delete AFTER DELETE ON ${table} BEGIN
      INSERT INTO ${fts} (${fts}, rowid, search_text) VALUES ('delete', old.id, old.search_text); END`);
    await knex.raw(`CREATE TRIGGER ${fts}_update AFTER UPDATE OF search_text ON ${table} BEGIN
      INSERT INTO ${fts} (${fts}, rowid, search_text) VALUES ('delete', old.id, old.search_text);
      INSERT INTO ${fts} (rowid, search_text) VALUES (new.id, new.search_text); END`);
    await knex.raw(`INSERT INTO ${fts} (${fts}) VALUES ('rebuild')`);
  }
}

export async function down(knex: Knex): Promise<void> {
  if (isMysql(knex)) return;
  for (const table of TABLES) {
    const fts = `${table}_search`;
    for (const t of ['insert', 'delete', 'update']) await knex.raw(`DROP TRIGGER IF EXISTS ${fts}_${t}`);
    await knex.raw(`DROP TABLE IF EXISTS ${fts}`);
  }
}
