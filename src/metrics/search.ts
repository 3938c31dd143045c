// The search index on MySQL: records waiting for the indexer (src/resources/search-trigrams.ts),
// read from the database when scraped. 0 on SQLite, whose index the writes keep themselves.
// After a big import it falls to 0 as the indexer catches up; one that stays above 0 means no
// process indexes (SEARCH_INDEXER=off everywhere) or the indexer fails (see the log).
import type { Knex } from 'knex';
import { engineOf } from '../db/connection.js';
import { RESOURCES } from '../resources/index.js';
import { countPending } from '../resources/search-trigrams.js';
import { largestOverDatabases } from './database.js';
import { gauge } from './registry.js';

const pendingRecords = async (db: Knex): Promise<number> => (engineOf(db) === 'mysql' ? countPending(db, Object.values(RESOURCES)) : 0);

gauge('contacts_search_pending_records', 'Contacts and firms written but not yet in the search index (MySQL; 0 on SQLite).', {
  aggregator: 'max',
  collect: largestOverDatabases(pendingRecords),
});
