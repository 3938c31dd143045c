// `q` (CONTRACT.md section 3): a case-insensitive substring of a record's search text (the
// lowercased `search_text` column, rows.ts). A LIKE over every row of a business file is what
// answers it in the end, but a million rows take seconds: an index of the text's trigrams
// first finds the few rows that can match, for a `q` of three characters or more.
//   SQLite: an FTS5 table with the trigram tokenizer over search_text ({table}_search, kept by
//   triggers): a phrase query is exactly a substring query.
// A `q` of one or two characters has no trigram: the LIKE alone answers it.
import type { Engine } from '../db/connection.js';
import type { ResourceSpec } from './spec.js';

/** The FTS5 table that indexes a resource's search text (SQLite). */
export const searchTable = (spec: ResourceSpec) => `${spec.plural}_search`;

/** `q` is matched as a literal substring: LIKE's wildcards are escaped with '!'. */
function likePattern(q: string): string {
  return `%${q.replace(/[!%_]/g, (c) => '!' + c)}%`;
}

/** An FTS5 phrase: the text in double quotes, its own double quotes doubled. */
const phrase = (q: string) => `"${q.replace(/"/g, '""')}"`;

/** Whether the index can answer: at least one trigram (three code points). */
export const indexable = (q: string) => [...q].length >= 3;

/** The condition on the table aliased `r` that a record's search text contains `q`, with its bindings. */
export function searchCondition(engine: Engine, spec: ResourceSpec, q: string, useIndex = true): { sql: string; bindings: string[] } {
  const text = q.toLowerCase();
  const like = { sql: `r.search_text LIKE ? ESCAPE '!'`, bindings: [likePattern(text)] };
  if (!useIndex || !indexable(text) || engine !== 'sqlite') return like;
  const fts = searchTable(spec);
  return { sql: `r.id IN (SELECT rowid FROM ${fts} WHERE ${fts} MATCH ?) AND ${like.sql}`, bindings: [phrase(text), ...like.bindings] };
}
