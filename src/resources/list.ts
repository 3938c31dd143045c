// A page of records of any resource: its size (the tally, or a count kept until the next write)
// and one query for the page's ids and stamps (their renderings are cached; read.ts findRecords
// loads those that are not), narrowed by q's search index and, deep in id order, a page mark.
import type { Knex } from 'knex';
import { selectRows } from '../db/select.js';
import { toDbText } from '../time.js';
import type { ListQuery } from './list-query.js';
import { refFromRow, refSelect, type RecordRef } from './read.js';
import { MARK_EVERY, nearestMark, type Marks } from './page-marks.js';
import { searchCondition, type SearchUse } from './search.js';
import type { ResourceSpec } from './spec.js';

type Db = Knex | Knex.Transaction;

type Where = { from: string; sql: string; bindings: (string | number)[] };

/**
 * The FROM and WHERE of a list: the records aliased `r` (on MySQL with q, the search index's
 * candidates joined to them), and the conditions, with the bindings of both in order.
 */
async function where(db: Db, spec: ResourceSpec, businessFileId: number, f: ListQuery['filters'], scope: Scope | undefined, use: SearchUse): Promise<Where> {
  let from = `${spec.plural} r`;
  const parts = ['r.business_file_id = ?'];
  const bindings: (string | number)[] = [businessFileId];
  if (scope) {
    parts.push(`r.${scope.column} = ?`);
    bindings.push(scope.value);
  }
  for (const [column, values] of Object.entries(f.anyOf)) {
    parts.push(`r.${column} IN (${values.map(() => '?').join(', ')})`);
    bindings.push(...values);
  }
  if (f.remoteId !== undefined) {
    parts.push('r.remote_id = ?');
    bindings.push(f.remoteId);
  }
  if (f.updatedSince) {
    parts.push('r.updated_at >= ?');
    bindings.push(toDbText(f.updatedSince));
  }
  if (f.q) {
    const search = await searchCondition(db, spec, businessFileId, f.q, use);
    parts.push(search.sql);
    bindings.push(...search.bindings);
    if (search.from) {
      from = search.from.sql;
      bindings.unshift(...search.from.bindings);
    }
  }
  return { from, sql: parts.join(' AND '), bindings };
}

/** How many records a page may be looked for among, in order, instead of through the search index. */
const SCAN_FOR_PAGE = 20_000;

/** What a page is planned with: the list's total_entries and the business file's records. */
export interface ListSize {
  total: number;
  records: number;
  /** The page marks of this list in a direction, kept while the business file sees no write (page-marks.ts). */
  marks?: (direction: 'asc' | 'desc') => Marks;
}

/** A list's scope beyond the business file: a firm's contacts. */
export type Scope = { column: string; value: number };

export async function countRecords(db: Db, spec: ResourceSpec, businessFileId: number, filters: ListQuery['filters'], scope?: Scope): Promise<number> {
  const w = await where(db, spec, businessFileId, filters, scope, 'count');
  const [row] = await selectRows<{ n: number | string }>(db, `SELECT COUNT(*) AS n FROM ${w.from} WHERE ${w.sql}`, w.bindings);
  return Number(row?.n ?? 0);
}

/**
 * In id order: narrows `w` to the records from the mark at or before `offset` on (finding the
 * mark, from the nearest one before it, if this process has not yet), and returns the offset
 * left from there, under MARK_EVERY.
 */
async function startFromMark(db: Db, w: Where, direction: 'asc' | 'desc', marks: Marks, offset: number): Promise<number> {
  const from = direction === 'desc' ? 'r.id <= ?' : 'r.id >= ?';
  const at = Math.floor(offset / MARK_EVERY) * MARK_EVERY;
  if (!marks.has(at)) {
    const [known, knownId] = nearestMark(marks, at);
    const sql = `SELECT r.id AS id FROM ${w.from} WHERE ${w.sql}${knownId === undefined ? '' : ` AND ${from}`} ORDER BY r.id ${direction === 'desc' ? 'DESC' : 'ASC'} LIMIT 1 OFFSET ?`;
    const [mark] = await selectRows<{ id: number | string }>(db, sql, [...w.bindings, ...(knownId === undefined ? [] : [knownId]), at - known]);
    if (mark) marks.set(at, Number(mark.id));
  }
  const markId = marks.get(at);
  if (markId === undefined) return offset;
  w.sql += ` AND ${from}`;
  w.bindings.push(markId);
  return offset - at;
}

/**
 * The refs of a list's page, in two steps: the page's ids alone first, from the index of the
 * sort (it holds the id: no row is read for the rows skipped), then the refs of those ids only
 * (a contact's firm version, a firm's contacts count). A page in the far half of a list whose
 * `total` is known is read from the other end, in the opposite order, and turned round: the
 * last page of a million costs what the first costs. A deep page in id order starts from a page
 * mark (page-marks.ts): the middle page of a million too.
 */
export async function listRefs(db: Db, spec: ResourceSpec, businessFileId: number, q: ListQuery, scope?: Scope, size?: ListSize): Promise<RecordRef[]> {
  const total = size?.total;
  let offset = (q.page - 1) * q.perPage;
  let limit = q.perPage;
  let sort = q.sort;
  if (total !== undefined) {
    if (offset >= total) return [];
    if (offset > total / 2) {
      limit = Math.min(q.perPage, total - offset);
      offset = total - offset - limit;
      sort = sort.map((s) => ({ field: s.field, direction: s.direction === 'desc' ? 'asc' : 'desc' }));
    }
  }
  // A q that many records match is found quicker by reading the records in order until the page
  // is full than through the search index, which gives every match before the first is used.
  const dense = size !== undefined && size.total > 0 && ((offset + limit) * size.records) / size.total <= SCAN_FOR_PAGE;
  const w = await where(db, spec, businessFileId, q.filters, scope, dense ? 'scan' : 'page');
  const orderBy = (by: typeof sort) => by.map((s) => `r.${s.field} ${s.direction === 'desc' ? 'DESC' : 'ASC'}`).join(', ');
  if (size?.marks && sort.length === 1 && sort[0].field === 'id' && offset >= MARK_EVERY) {
    offset = await startFromMark(db, w, sort[0].direction, size.marks(sort[0].direction), offset);
  }
  const sql = `${refSelect(spec, `(SELECT r.id FROM ${w.from} WHERE ${w.sql} ORDER BY ${orderBy(sort)} LIMIT ? OFFSET ?)`)} ORDER BY ${orderBy(q.sort)}`;
  const rows = await selectRows<{ id: number; version: number; dep?: number }>(db, sql, [...w.bindings, limit, offset]);
  return rows.map(refFromRow);
}
