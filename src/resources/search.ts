// `q` (CONTRACT.md section 3): a case-insensitive substring of a record's search text (the
// lowercased `search_text` column, rows.ts). A LIKE over every row of a business file is what
// answers it in the end, but a million rows take seconds: an index of the text's trigrams
// first finds the few rows that can match, for a `q` of three characters or more.
//   SQLite: an FTS5 table with the trigram tokenizer over search_text ({table}_search, kept by
//   triggers), asked for a few of q's trigrams.
// A `q` of one or two characters has no trigram: the LIKE alone answers it.
import type { Engine } from '../db/connection.js';
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
 * The FTS5 query for q: records holding a few of q's trigrams (every one of them for a short
 * q), which the LIKE then checks. Not the phrase of all of q's trigrams: for an e-mail address
 * that reads the long doclists of its domain's trigrams too (40 ms instead of 2.5 ms at a
 * million records).
 */
export function indexQuery(q: string): string {
  const chars = [...q];
  const trigrams = chars.slice(2).map((_, i) => chars.slice(i, i + 3).join(''));
  const n = Math.min(TRIGRAMS_ASKED, trigrams.length);
  const picked = n === 1 ? trigrams : Array.from({ length: n }, (_, k) => trigrams[Math.round((k * (trigrams.length - 1)) / (n - 1))]);
  return [...new Set(picked)].map(quoted).join(' AND ');
}

/** Whether the index can answer: at least one trigram (three code points). */
export const indexable = (q: string) => [...q].length >= 3;

/** The condition on the table aliased `r` that a record's search text contains `q`, with its bindings. */
export function searchCondition(engine: Engine, spec: ResourceSpec, q: string, useIndex = true): { sql: string; bindings: string[] } {
  const text = q.toLowerCase();
  const like = { sql: `r.search_text LIKE ? ESCAPE '!'`, bindings: [likePattern(text)] };
  if (!useIndex || !indexable(text) || engine !== 'sqlite') return like;
  const fts = searchTable(spec);
  return { sql: `r.id IN (SELECT rowid FROM ${fts} WHERE ${fts} MATCH ?) AND ${like.sql}`, bindings: [indexQuery(text), ...like.bindings] };
}
