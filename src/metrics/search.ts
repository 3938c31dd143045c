// The search index on MySQL: records waiting for the indexer (src/resources/search-trigrams.ts),
// read from the database when scraped. 0 on SQLite, whose index the writes keep themselves.
// After a big import it falls to 0 as the indexer catches up; one that stays above 0 means no
// process indexes (SEARCH_INDEXER=off everywhere) or the indexer fails (see the log).
import type { Knex } from 'knex';
import { engineOf } from '../db/connection.js';
import { selectRows } from '../db/select.js';
import { largestOverDatabases } from './database.js';
import { gauge } from './registry.js';

async function pendingRecords(db: Knex): Promise<number> {
  if (engineOf(db) !== 'mysql') return 0;
  const [row] = await selectRows<{ n: number | string }>(
    db,
    'SELECT (SELECT COUNT(*) FROM contacts WHERE search_pending = 1) + (SELECT COUNT(*) FROM firms WHERE search_pending = 1) AS n',
    [],
  );
  return Number(row?.n ?? 0);
}

gauge('contacts_search_pending_records', 'Contacts and firms written but not yet in the search index (MySQL; 0 on SQLite).', {
  aggregator: 'max',
  collect: largestOverDatabases(pendingRecords),
});
