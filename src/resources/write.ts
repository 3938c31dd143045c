// Writing records of any resource and their children. Every function takes the caller's
// transaction; what changed is decided by changes.ts.
import type { Knex } from 'knex';
import { toDbText } from '../time.js';
import type { ChildChanges, RecordChanges } from './changes.js';
import { childRow, firstVersion, recordColumns, type Stamp } from './rows.js';
import { forgetRecord, pendingColumns } from './search-trigrams.js';
import type { CollectionSpec, ResourceSpec } from './spec.js';
import type { ChildValues, Values } from './validate.js';

type Db = Knex | Knex.Transaction;

/** Rows per INSERT statement: knex writes SQLite multi-row inserts as UNION ALL selects, at most 500 terms. */
const INSERT_ROWS = 500;

export async function insertRows(db: Db, table: string, rows: object[]): Promise<void> {
  for (let i = 0; i < rows.length; i += INSERT_ROWS) await db(table).insert(rows.slice(i, i + INSERT_ROWS));
}

export interface Times {
  createdAt: Date;
  updatedAt: Date;
}

/** The row of a new record (its id when it has one: imports keep ids). */
export function newRecordRow(spec: ResourceSpec, businessFileId: number, values: Values, times: Times, actor: number | null, id?: number): Record<string, unknown> {
  return {
    ...(id !== undefined && { id }),
    business_file_id: businessFileId,
    ...recordColumns(spec, values),
    ...keptAuthors(spec, values, actor, actor),
    created_at: toDbText(times.createdAt),
    updated_at: toDbText(times.updatedAt),
    version: firstVersion(),
  };
}

/** creator_id / modifier_id: as an import file gives them, else the acting user. */
function keptAuthors(spec: ResourceSpec, values: Values, creator: number | null | undefined, modifier: number | null): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!spec.fields.some((f) => f.name === 'modifier_id')) return out;
  out.modifier_id = values.modifier_id ?? modifier;
  if (creator !== undefined) out.creator_id = values.creator_id ?? creator;
  return out;
}

/** The rows of a new record's children; those with a given id first, so generated ids never meet given ones in one statement. */
export async function insertChildren(db: Db, spec: ResourceSpec, recordsChildren: { id: number; values: Values; stamp: Stamp }[]): Promise<void> {
  for (const c of spec.collections) {
    const rows = recordsChildren.flatMap((r) => (r.values[c.name] as ChildValues[]).map((child) => childRow(c, r.id, child, r.stamp, r.stamp)));
    await insertRows(db, c.name, rows.filter((r) => r.id !== undefined));
    await insertRows(db, c.name, rows.filter((r) => r.id === undefined));
  }
}

/** Inserts a record and its children; returns the new id. */
export async function insertRecord(db: Db, spec: ResourceSpec, businessFileId: number, values: Values, times: Times, actor: number | null, id?: number): Promise<number> {
  const [inserted] = await db(spec.plural).insert(newRecordRow(spec, businessFileId, values, times, actor, id));
  const newId = id ?? Number(inserted);
  await insertChildren(db, spec, [{ id: newId, values, stamp: { at: times.createdAt, actor } }]);
  return newId;
}

async function applyChildChanges(db: Db, c: CollectionSpec, parentId: number, changes: ChildChanges, stamp: Stamp): Promise<void> {
  if (changes.remove.length > 0) await db(c.name).where(c.parentColumn, parentId).whereIn('id', changes.remove).del();
  for (const child of changes.update) {
    const { id: _id, ...row } = childRow(c, parentId, child, null, stamp);
    await db(c.name).where({ id: child.id, [c.parentColumn]: parentId }).update(row);
  }
  if (changes.insert.length > 0) await insertRows(db, c.name, changes.insert.map((child) => childRow(c, parentId, child, stamp, stamp)));
}

/** Applies a non-empty change set, moving updated_at, the modifier and the version on. */
export async function updateRecord(db: Db, spec: ResourceSpec, id: number, next: Values, changes: RecordChanges, stamp: Stamp): Promise<void> {
  await db(spec.plural)
    .where('id', id)
    .update({ ...recordColumns(spec, next), ...pendingColumns(db), ...keptAuthors(spec, {}, undefined, stamp.actor), updated_at: toDbText(stamp.at), version: db.raw('version + 1') });
  for (const c of spec.collections) await applyChildChanges(db, c, id, changes.collections[c.name], stamp);
}

export async function deleteRecord(db: Knex.Transaction, spec: ResourceSpec, businessFileId: number, id: number): Promise<boolean> {
  await forgetRecord(db, spec, businessFileId, id);
  return (await db(spec.plural).where({ id, business_file_id: businessFileId }).del()) > 0;
}

/**
 * Rewrites a record as an import file gives it: its fields, timestamps and authors, and its
 * children (deleted and inserted again with the file's ids and kept values).
 */
export async function replaceRecord(db: Db, spec: ResourceSpec, id: number, next: Values, times: Times, actor: number | null): Promise<void> {
  await db(spec.plural)
    .where('id', id)
    .update({ ...recordColumns(spec, next), ...pendingColumns(db), ...keptAuthors(spec, next, actor, actor), created_at: toDbText(times.createdAt), updated_at: toDbText(times.updatedAt), version: db.raw('version + 1') });
  for (const c of spec.collections) await db(c.name).where(c.parentColumn, id).del();
  await insertChildren(db, spec, [{ id, values: next, stamp: { at: times.updatedAt, actor } }]);
}
