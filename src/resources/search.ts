// `q` (CONTRACT.md section 3): a case-insensitive substring of a record's search text (the
// lowercased `search_text` column, rows.ts). A LIKE over every row of a business file is what
// answers it in the end, but a million rows take seconds: an index of the text's trigrams
// first finds the few rows that can match, for a `q` of three characters or more, and the LIKE
// checks only those.
//   SQLite: an FTS5 table with the trigram tokenizer over search_text ({table}_search, kept by
//   triggers), asked for a few of q's trigrams.
//   MySQL: a table of trigram postings ({table}_trigrams) written by a background indexer
//   (search-trigrams.ts); the records it has not indexed yet are checked by the LIKE alone.
// A `q` of one or two characters has no trigram: the LIKE alone answers it.
import type { Knex } from 'knex';
import { engineOf } from '../db/connection.js';
import { candidatesQuery, rarestFirst } from './search-trigrams.js';
import type { ResourceSpec } from './spec.js';

/** The FTS5 table that indexes a resource's search text (SQLite). */
export const searchTable = (spec: ResourceSpec) => `${spec.plural}_search`;

/** `q` is matched as a literal substring: LIKE's wildcards are escaped with '!'. */
function likePattern(q: string): string {
  return `%${q.replace(/[!%_]/g, (c) => '!' + c)}%`;
}

/** An FTS5 string: the text in double quotes, its own double quotes doubled. */
const quoted = (text: string) => `"${text.replace(/"/g, '""')}"`;

/** Trigrams the index is asked for: at most this many, spread over q, the first and last included. */
const TRIGRAMS_ASKED = 4;
/**
 * On MySQL: this many of q's trigrams, spread over q, are ranked by the size of their posting
 * lists (search-trigrams.ts rarestFirst), and the rarest are joined, driven by the rarest: for
 * a page four (each one more narrows the candidates whose record is read), for a count two
 * (every match is counted, and each trigram joined costs a lookup per candidate: a q that a
 * fifth of 200,000 records match is counted in 215 ms with two, 380 with four, 440 with eight).
 */
const MYSQL_TRIGRAMS = { ranked: 16, page: 4, count: 2 };

/**
 * The first `n` of `ranked` (rarest first) that share no character of q with one taken before,
 * then the others in order. Overlapping trigrams come from the same letters and are found in
 * the same records: at 200,000 contacts the two rarest of `marcaurele.bjorklund@…` (both of
 * "marcaurele") left 1,745 candidates, the rarest two apart 28.
 */
export function apart(q: string, ranked: string[], n: number): string[] {
  const chars = [...q];
  const at = new Map<string, number>();
  for (let i = chars.length - 3; i >= 0; i--) at.set(chars.slice(i, i + 3).join(''), i);
  const taken: string[] = [];
  for (const t of ranked) {
    if (taken.length === n) break;
    if (taken.every((u) => Math.abs((at.get(u) ?? 0) - (at.get(t) ?? 0)) >= 3)) taken.push(t);
  }
  for (const t of ranked) if (taken.length < n && !taken.includes(t)) taken.push(t);
  return taken;
}

/**
 * What q's condition serves: a `count` of every match, a `page` of the first few, or a page
 * read in order with the LIKE alone, no index (`scan`: when many records match).
 */
export type SearchUse = 'count' | 'page' | 'scan';

/**
 * The trigrams of q the index is asked for: a few, spread over q (every one of them for a short
 * q), which the LIKE then checks. Not all of q's trigrams: for an e-mail address that reads
 * the long posting lists of its domain's trigrams too (40 ms instead of 2.5 ms at a million
 * records on SQLite).
 */
export function askedTrigrams(q: string, asked = TRIGRAMS_ASKED): string[] {
  const chars = [...q];
  const trigrams = chars.slice(2).map((_, i) => chars.slice(i, i + 3).join(''));
  const n = Math.min(asked, trigrams.length);
  const picked = n === 1 ? trigrams : Array.from({ length: n }, (_, k) => trigrams[Math.round((k * (trigrams.length - 1)) / (n - 1))]);
  return [...new Set(picked)];
}

/** The FTS5 query for q: records holding every asked trigram. */
export const indexQuery = (q: string): string => askedTrigrams(q).map(quoted).join(' AND ');

/** Whether the index can answer: at least one trigram (three code points). */
export const indexable = (q: string) => [...q].length >= 3;

/**
 * What narrows a list to the records whose search text contains `q`: a condition on the table
 * aliased `r`, and on MySQL a `from` that replaces the table: the index's candidates, joined
 * to the records (bindings of `from` come first in the statement).
 */
export interface SearchClause {
  from?: { sql: string; bindings: (string | number)[] };
  sql: string;
  bindings: (string | number)[];
}

export async function searchCondition(db: Knex | Knex.Transaction, spec: ResourceSpec, businessFileId: number, q: string, use: SearchUse): Promise<SearchClause> {
  const text = q.toLowerCase();
  const like = { sql: `r.search_text LIKE ? ESCAPE '!'`, bindings: [likePattern(text)] };
  if (use === 'scan' || !indexable(text)) return like;
  if (engineOf(db as Knex) === 'mysql') {
    const ranked = await rarestFirst(db, spec, businessFileId, askedTrigrams(text, MYSQL_TRIGRAMS.ranked));
    const candidates = candidatesQuery(spec, businessFileId, apart(text, ranked, MYSQL_TRIGRAMS[use]));
    // The candidates first (STRAIGHT_JOIN): they are what is small, the records are read by id.
    return { from: { sql: `(${candidates.sql}) found STRAIGHT_JOIN ${spec.plural} r ON r.id = found.id`, bindings: candidates.bindings }, ...like };
  }
  const fts = searchTable(spec);
  return { sql: `r.id IN (SELECT rowid FROM ${fts} WHERE ${fts} MATCH ?) AND ${like.sql}`, bindings: [indexQuery(text), ...like.bindings] };
}
