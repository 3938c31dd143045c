// A page of contacts: one count and one query for the page's ids and versions (their
// renderings are cached; read.ts findContacts loads those that are not).
import type { Knex } from 'knex';
import { toDbText } from '../time.js';
import type { ListQuery } from './list-query.js';
import { selectRows } from '../db/select.js';
import { refFromRow, type ContactRef } from './read.js';

type Db = Knex | Knex.Transaction;

/** `q` is matched as a literal substring: LIKE's wildcards are escaped with '!'. */
function likePattern(q: string): string {
  return `%${q.toLowerCase().replace(/[!%_]/g, (c) => '!' + c)}%`;
}

function filtered(db: Db, businessFileId: number, f: ListQuery['filters']): Knex.QueryBuilder {
  const query = db('contacts').where('business_file_id', businessFileId);
  if (f.firmIds) query.whereIn('firm_id', f.firmIds);
  if (f.contactTypes) query.whereIn('contact_type', f.contactTypes);
  if (f.remoteId !== undefined) query.where('remote_id', f.remoteId);
  if (f.updatedSince) query.where('updated_at', '>=', toDbText(f.updatedSince));
  if (f.q) query.whereRaw(`search_text LIKE ? ESCAPE '!'`, [likePattern(f.q)]);
  return query;
}

/** A built query run through selectRows (on SQLite, the read-only connection). */
function rowsOf<T>(db: Db, query: Knex.QueryBuilder): Promise<T[]> {
  const { sql, bindings } = query.toSQL();
  return selectRows<T>(db, sql, bindings as (string | number)[]);
}

export async function countContacts(db: Db, businessFileId: number, filters: ListQuery['filters']): Promise<number> {
  const [row] = await rowsOf<{ n: number | string }>(db, filtered(db, businessFileId, filters).count({ n: '*' }));
  return Number(row?.n ?? 0);
}

export async function listContactRefs(db: Db, businessFileId: number, q: ListQuery): Promise<ContactRef[]> {
  const query = filtered(db, businessFileId, q.filters).select('id', 'version');
  for (const s of q.sort) query.orderBy(s.field, s.direction);
  const rows = await rowsOf<ContactRef>(db, query.limit(q.perPage).offset((q.page - 1) * q.perPage));
  return rows.map(refFromRow);
}
