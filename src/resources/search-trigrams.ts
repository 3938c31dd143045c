// The search index on MySQL: per resource, a table of postings (business file, trigram, record)
// with one row per distinct trigram of a record's search text (a trigram: three code points,
// kept as a 32-bit hash; a collision only makes a record a candidate, which the LIKE rejects).
// MariaDB has no index that answers a substring (InnoDB FULLTEXT finds words, and its ngram
// parser is MySQL's only); these postings do it with the B-tree alone: q's trigrams are each
// one range of the primary key, their intersection a join on it.
//
// The postings are written after the records, by an indexer in every service process (a
// BackgroundLoop): an insert or a change of a record leaves it `search_pending`; the indexer
// takes pending records a batch per transaction (SKIP LOCKED: processes share the work), writes
// the postings of the trigrams that came and deletes those that went (from the text it last
// indexed), and clears the flag. So an import writes no postings in its own transaction, and a
// query is exact whatever the indexer's progress: its candidates are the indexed records holding
// q's trigrams plus every pending record, and the LIKE checks each.
import type { Knex } from 'knex';
import { BackgroundLoop } from '../db/background-loop.js';
import { engineOf } from '../db/connection.js';
import { selectRows } from '../db/select.js';
import { retryingTransaction } from '../db/transaction.js';
import type { ResourceSpec } from './spec.js';

type Db = Knex | Knex.Transaction;

export const trigramTable = (spec: ResourceSpec) => `${spec.plural}_trigrams`;

/** FNV-1a over a trigram's UTF-16 code units: a 32-bit unsigned integer. */
function hash(trigram: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < trigram.length; i++) h = Math.imul(h ^ trigram.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** The distinct trigram hashes of a text (code points, not UTF-16 units). */
export function trigramHashes(text: string): Set<number> {
  const chars = [...text];
  const out = new Set<number>();
  for (let i = 0; i + 3 <= chars.length; i++) out.add(hash(chars[i] + chars[i + 1] + chars[i + 2]));
  return out;
}

/**
 * The ids that may match: the indexed records holding every trigram asked (one primary-key
 * range each, joined on the record in the order given: the first drives), and the records not
 * indexed yet.
 */
export function candidatesQuery(spec: ResourceSpec, businessFileId: number, trigrams: string[]): { sql: string; bindings: number[] } {
  const table = trigramTable(spec);
  const hashes = [...new Set(trigrams.map(hash))];
  const joins = hashes.slice(1).map((_, i) => `JOIN ${table} t${i + 1} ON t${i + 1}.business_file_id = t0.business_file_id AND t${i + 1}.trigram = ? AND t${i + 1}.record_id = t0.record_id`);
  return {
    sql: `SELECT STRAIGHT_JOIN t0.record_id AS id FROM ${table} t0 ${joins.join(' ')} WHERE t0.business_file_id = ? AND t0.trigram = ?
      UNION SELECT id FROM ${spec.plural} WHERE search_pending = 1 AND business_file_id = ?`,
    bindings: [...hashes.slice(1), businessFileId, hashes[0], businessFileId],
  };
}

/** How long a ranking of trigrams is reused: posting lists change size slowly, and a stale rank only costs time. */
const RANKING_KEPT_MS = 60_000;
const RANKINGS_KEPT = 1_000;
const rankings = new Map<string, { at: number; trigrams: string[] }>();

/**
 * The distinct `trigrams`, the rarest in the business file first, by the size of their posting
 * lists as InnoDB estimates it for the optimizer (two dives into the primary key per range,
 * exact for a short one; read with one EXPLAIN). A join driven by the rarest reads the fewest
 * postings: an e-mail address's first trigram and its domain's are among the most common.
 */
export async function rarestFirst(db: Db, spec: ResourceSpec, businessFileId: number, trigrams: string[]): Promise<string[]> {
  const distinct = [...new Set(trigrams)];
  if (distinct.length < 2) return distinct;
  const key = `${spec.plural} ${businessFileId} ${distinct.join('\u0000')}`;
  const kept = rankings.get(key);
  if (kept && Date.now() - kept.at < RANKING_KEPT_MS) return kept.trigrams;
  const range = `SELECT record_id FROM ${trigramTable(spec)} WHERE business_file_id = ? AND trigram = ?`;
  const plan = await selectRows<{ id: number; rows: number | string | null }>(db, `EXPLAIN ${distinct.map(() => range).join(' UNION ALL ')}`, distinct.flatMap((t) => [businessFileId, hash(t)]));
  // One line per SELECT of the union, its id the SELECT's place (1 for the first).
  const size = new Map(plan.map((line) => [Number(line.id) - 1, Number(line.rows ?? 0)]));
  const ranked = distinct.map((t, i) => ({ t, n: size.get(i) ?? Infinity })).sort((a, b) => a.n - b.n).map((r) => r.t);
  if (rankings.size >= RANKINGS_KEPT) rankings.clear();
  rankings.set(key, { at: Date.now(), trigrams: ranked });
  return ranked;
}

/** The columns a change of a record's search text sets beside it: pending again (MySQL). */
export const pendingColumns = (db: Db): Record<string, number> => (engineOf(db) === 'mysql' ? { search_pending: 1 } : {});

/** Records indexed per transaction. */
export const INDEX_BATCH = 200;
/** Postings per INSERT statement. */
const POSTINGS_PER_INSERT = 2_000;

type PendingRow = { id: number; business_file_id: number; search_text: string; search_indexed_text: string | null };

/** Deletes the postings of `trigrams` of one record. */
async function deletePostings(trx: Knex.Transaction, table: string, businessFileId: number, recordId: number, trigrams: number[]): Promise<void> {
  if (trigrams.length === 0) return;
  await trx.raw(`DELETE FROM ${table} WHERE business_file_id = ? AND record_id = ? AND trigram IN (${trigrams.map(() => '?').join(', ')})`, [businessFileId, recordId, ...trigrams]);
}

/** One indexing transaction: up to `batch` pending records of the resource; how many it indexed. Run again whole on a lock conflict. */
export function indexPending(db: Knex, spec: ResourceSpec, batch = INDEX_BATCH): Promise<number> {
  const table = trigramTable(spec);
  return retryingTransaction(() =>
    db.transaction(async (trx) => {
      // Locked, so that no write changes them before the flag is cleared; those a writer (an
      // import still in its transaction) or another indexer holds are left to later.
      const rows = await selectRows<PendingRow>(
        trx,
        `SELECT id, business_file_id, search_text, search_indexed_text FROM ${spec.plural} WHERE search_pending = 1 LIMIT ? FOR UPDATE SKIP LOCKED`,
        [batch],
      );
      if (rows.length === 0) return 0;
      const postings: [number, number, number][] = [];
      for (const row of rows) {
        const now = trigramHashes(row.search_text);
        const before = trigramHashes(row.search_indexed_text ?? '');
        await deletePostings(trx, table, row.business_file_id, row.id, [...before].filter((t) => !now.has(t)));
        for (const t of now) if (!before.has(t)) postings.push([row.business_file_id, t, row.id]);
      }
      // In key order: the inserts walk the primary key's pages once.
      postings.sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
      for (let i = 0; i < postings.length; i += POSTINGS_PER_INSERT) {
        const part = postings.slice(i, i + POSTINGS_PER_INSERT);
        // IGNORE: a record deleted and imported again with its id may have left a posting.
        await trx.raw(`INSERT IGNORE INTO ${table} (business_file_id, trigram, record_id) VALUES ${part.map(() => '(?, ?, ?)').join(', ')}`, part.flat());
      }
      const ids = rows.map((r) => r.id);
      await trx.raw(`UPDATE ${spec.plural} SET search_pending = 0, search_indexed_text = search_text WHERE id IN (${ids.map(() => '?').join(', ')})`, ids);
      return rows.length;
    }),
  );
}

/** Before a record is deleted (MySQL): its postings go with it. */
export async function forgetRecord(trx: Knex.Transaction, spec: ResourceSpec, businessFileId: number, id: number): Promise<void> {
  if (engineOf(trx) !== 'mysql') return;
  const [row] = await selectRows<{ text: string | null }>(trx, `SELECT search_indexed_text AS text FROM ${spec.plural} WHERE id = ? AND business_file_id = ?`, [id, businessFileId]);
  if (row?.text) await deletePostings(trx, trigramTable(spec), businessFileId, id, [...trigramHashes(row.text)]);
}

/** How many records of these resources wait for the indexer (the metric of its backlog). */
export async function countPending(db: Knex, specs: ResourceSpec[]): Promise<number> {
  let n = 0;
  for (const spec of specs) n += Number((await db(spec.plural).where('search_pending', 1).count({ n: '*' }).first())?.n ?? 0);
  return n;
}

/** Whether any record of these resources waits for the indexer (an indexed probe). */
export async function anyPending(db: Knex, specs: ResourceSpec[]): Promise<boolean> {
  for (const spec of specs) if (await db(spec.plural).where('search_pending', 1).first('id')) return true;
  return false;
}

/** A process's indexer (MySQL): runs after its own writes (`kick`) and every `pollMs`. */
export function startSearchIndexer(db: Knex, specs: ResourceSpec[], pollMs: number, log: (line: string) => void): BackgroundLoop | undefined {
  if (engineOf(db) !== 'mysql') return undefined;
  return new BackgroundLoop(
    {
      label: 'search index: indexing',
      pending: () => anyPending(db, specs),
      step: async () => {
        let full = false;
        for (const spec of specs) full = (await indexPending(db, spec)) === INDEX_BATCH || full;
        return full;
      },
    },
    pollMs,
    log,
  );
}
