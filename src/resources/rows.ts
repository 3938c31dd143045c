// Database rows ↔ records, for any resource, in one place: column values typed by the spec,
// computed fields filled, the lowercased text `q` searches.
import { randomInt } from 'node:crypto';
import { fromDbText, toDbText } from '../time.js';
import { storedFields, type CollectionSpec, type DocField, type ResourceSpec, type Row } from './spec.js';
import type { ChildValues, Values } from './validate.js';

export type DbRow = Record<string, unknown>;

/** The columns to select for a record (its fields, tenancy and version). */
export function columnsOf(spec: ResourceSpec): string[] {
  return ['id', 'business_file_id', ...spec.fields.filter((f) => f.role === 'stored' || f.role === 'kept').map((f) => f.name), 'version'];
}

function typed(f: DocField, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (f.out === 'time') return fromDbText(v as string | Date);
  if (f.out === 'int') return Number(v);
  return v;
}

/**
 * A row's values typed by the fields' kinds, computed fields that need only the record filled.
 * Other columns of the row (joined ones such as an item's kind) serve the computing and are
 * dropped, but for `keep` (a record's business_file_id and version).
 */
export function fromRow(fields: DocField[], row: DbRow, parentId?: number, keep: readonly string[] = []): Row {
  const record: Row = { ...row, id: Number(row.id) };
  for (const f of fields) {
    if (f.role === 'stored' || f.role === 'kept') record[f.name] = typed(f, row[f.name]);
    else if (f.role === 'parent_id') record[f.name] = parentId ?? null;
  }
  for (const f of fields) if (f.role === 'computed' && f.compute) record[f.name] = f.compute(record);
  for (const key of Object.keys(row)) if (!fields.some((f) => f.name === key) && !keep.includes(key)) delete record[key];
  for (const key of keep) if (key in record) record[key] = Number(record[key]);
  return record;
}

/** The lowercased text `q` searches: the spec's own fields and its children's. */
export function searchText(spec: ResourceSpec, v: Values): string {
  const parts: unknown[] = spec.search.map((f) => v[f]);
  for (const c of spec.collections) for (const child of v[c.name] as ChildValues[]) for (const f of c.search) parts.push(child[f]);
  return parts.filter((p) => p !== null && p !== undefined).join('\n').toLowerCase();
}

/** The stored columns of a record's values, with its search text. */
export function recordColumns(spec: ResourceSpec, v: Values): DbRow {
  const row: DbRow = {};
  for (const f of storedFields(spec.fields)) row[f.name] = v[f.name] ?? null;
  row.search_text = searchText(spec, v);
  return row;
}

export interface Stamp {
  at: Date;
  /** The API user writing (creator/modifier); null for the CLI. */
  actor: number | null;
}

const has = (fields: DocField[], name: string) => fields.some((f) => f.name === name);

/** A child's row: its stored fields, its parent, and what the service keeps for it. */
export function childRow(c: CollectionSpec, parentId: number, v: ChildValues, created: Stamp | null, modified: Stamp): DbRow {
  const row: DbRow = { ...(v.id !== undefined && { id: v.id }), [c.parentColumn]: parentId };
  for (const f of storedFields(c.fields)) row[f.name] = v[f.name] ?? null;
  if (has(c.fields, 'modifier_id')) row.modifier_id = v.modifier_id ?? modified.actor;
  row.updated_at = toDbText((v.updated_at as unknown as Date | undefined) ?? modified.at);
  if (created) {
    if (has(c.fields, 'creator_id')) row.creator_id = v.creator_id ?? created.actor;
    row.created_at = toDbText((v.created_at as unknown as Date | undefined) ?? created.at);
  }
  return row;
}

/**
 * The version a new record starts at: random (below 2^47), not 1, so that a record deleted
 * and created again with the same id (imports keep ids) does not repeat an (id, version) pair.
 */
export function firstVersion(): number {
  return randomInt(1, 2 ** 47);
}

