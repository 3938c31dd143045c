// Reading records of any resource with their children: a fixed number of queries whatever the
// count (records, then each collection's children, then what `enrich` needs), never one query
// per record.
import type { Knex } from 'knex';
import { inList, selectRows } from '../db/select.js';
import { columnsOf, fromRow, type DbRow } from './rows.js';
import type { CollectionSpec, ResourceSpec, Row } from './spec.js';

type Db = Knex | Knex.Transaction;

export type RecordKey = { id: number } | { remoteId: string };

/** Which record, in which state: enough to find its rendering in a cache. */
export interface RecordRef {
  id: number;
  /** The record's version and the version of what its rendering depends on (a contact's firm). */
  stamp: string;
}

const KEEP = ['business_file_id', 'version'];

async function childrenOf(db: Db, c: CollectionSpec, ids: number[]): Promise<Map<number, Row[]>> {
  const byParent = new Map<number, Row[]>();
  if (ids.length === 0) return byParent;
  const query = db(`${c.name} as ch`).select('ch.*').whereIn(`ch.${c.parentColumn}`, ids).orderBy('ch.id');
  if (c.readJoin) {
    const j = c.readJoin;
    query.leftJoin(`${j.table} as j`, `j.${j.on[1]}`, `ch.${j.on[0]}`);
    for (const [alias, column] of Object.entries(j.columns)) query.select(`j.${column} as ${alias}`);
  }
  for (const row of (await query) as DbRow[]) {
    const parent = Number(row[c.parentColumn]);
    const list = byParent.get(parent) ?? byParent.set(parent, []).get(parent)!;
    list.push(fromRow(c.fields, row, parent));
  }
  return byParent;
}

/** Rows → whole records (children, computed fields), keeping the rows' order. */
export async function withChildren(db: Db, spec: ResourceSpec, businessFileId: number, rows: DbRow[]): Promise<Row[]> {
  const records = rows.map((r) => fromRow(spec.fields, r, undefined, KEEP));
  const ids = records.map((r) => r.id);
  for (const c of spec.collections) {
    const children = await childrenOf(db, c, ids);
    for (const r of records) r[c.name] = children.get(r.id) ?? [];
  }
  if (spec.enrich && records.length > 0) await spec.enrich(db, businessFileId, records);
  return records;
}

/** The records of a business file with these ids, in no particular order. */
export async function findRecords(db: Db, spec: ResourceSpec, businessFileId: number, ids: number[]): Promise<Row[]> {
  if (ids.length === 0) return [];
  const rows = (await db(spec.plural).select(columnsOf(spec)).where('business_file_id', businessFileId).whereIn('id', ids)) as DbRow[];
  return withChildren(db, spec, businessFileId, rows);
}

/** One record of a business file, or undefined. `forUpdate` locks the row (MySQL). */
export async function findRecord(db: Db, spec: ResourceSpec, businessFileId: number, key: RecordKey, forUpdate = false): Promise<Row | undefined> {
  let query = db(spec.plural).select(columnsOf(spec)).where('business_file_id', businessFileId);
  query = 'id' in key ? query.andWhere('id', key.id) : query.andWhere('remote_id', key.remoteId);
  if (forUpdate) query = query.forUpdate();
  const row = (await query.first()) as DbRow | undefined;
  if (!row) return undefined;
  const [record] = await withChildren(db, spec, businessFileId, [row]);
  return record;
}

/**
 * `SELECT r.id, stamp FROM <table> r …`: the SQL of a reference query, dependency included;
 * `ids`: a derived table of the ids wanted (a list's page), joined to the records.
 */
export function refSelect(spec: ResourceSpec, ids?: string): string {
  const dep = spec.dependency;
  const stamp = dep ? `r.version AS version, ${dep.column} AS dep` : 'r.version AS version';
  const from = ids ? `${ids} page JOIN ${spec.plural} r ON r.id = page.id` : `${spec.plural} r`;
  return `SELECT r.id AS id, ${stamp} FROM ${from} ${dep?.join ?? ''}`;
}

export const refFromRow = (row: { id: number | string; version: number | string; dep?: number | string | null }): RecordRef => ({
  id: Number(row.id),
  stamp: `${row.version}:${row.dep ?? ''}`,
});

export async function findRef(db: Db, spec: ResourceSpec, businessFileId: number, key: RecordKey): Promise<RecordRef | undefined> {
  const where = 'id' in key ? 'r.id = ?' : 'r.remote_id = ?';
  const sql = `${refSelect(spec)} WHERE r.business_file_id = ? AND ${where}`;
  const [row] = await selectRows<{ id: number; version: number; dep?: number }>(db, sql, [businessFileId, 'id' in key ? key.id : key.remoteId]);
  return row ? refFromRow(row) : undefined;
}

/** The stamps of the records of a business file with these ids (those that exist), in no order. */
export async function findRefs(db: Db, spec: ResourceSpec, businessFileId: number, ids: number[]): Promise<RecordRef[]> {
  const list = inList(ids);
  const sql = `${refSelect(spec)} WHERE r.business_file_id = ? AND r.id IN (${list.placeholders})`;
  return (await selectRows<{ id: number; version: number; dep?: number }>(db, sql, [businessFileId, ...list.values])).map(refFromRow);
}

export async function remoteIdTaken(db: Db, spec: ResourceSpec, businessFileId: number, remoteId: string, exceptId?: number): Promise<boolean> {
  const query = db(spec.plural).select('id').where({ business_file_id: businessFileId, remote_id: remoteId });
  if (exceptId !== undefined) query.andWhereNot('id', exceptId);
  return (await query.first()) !== undefined;
}
