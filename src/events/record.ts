// Recording change events, inside the caller's write transaction: an event exists exactly when
// the write it describes committed. Resource-agnostic: contacts, firms, anything with an id and
// a JSON representation. Per write this costs one INSERT (MySQL) or three small statements on
// SQLite's already held write lock; the feed position is given as described in sequencer.ts.
import type { Knex } from 'knex';
import { engineOf } from '../db/connection.js';
import { toDbText } from '../time.js';
import { afterCommit } from './sequencer.js';

export type EventZname = 'contacts' | 'firms';
export type EventAction = 'create' | 'update' | 'destroy';
/** field → [old, new]; a changed collection is one field (old and new as whole arrays). */
export type EventChanges = Record<string, [unknown, unknown]>;

export interface EventInput {
  businessFileId: number;
  zname: EventZname;
  zid: number;
  action: EventAction;
  changes: EventChanges;
  /** The acting API user; null for the CLI (import). */
  userId: number | null;
  /** The object as in its JSON representation; for a destroy, its last state. */
  objectData: object;
}

/** Fields that change with every write and are not changes of their own. */
const BOOKKEEPING = new Set(['id', 'created_at', 'updated_at']);

const same = (a: unknown, b: unknown) => a === b || JSON.stringify(a) === JSON.stringify(b);

/** The changes between two JSON representations of one object (timestamps and id left out). */
export function changesBetween(before: object, after: object): EventChanges {
  const changes: EventChanges = {};
  const b = before as Record<string, unknown>;
  const a = after as Record<string, unknown>;
  for (const key of new Set([...Object.keys(b), ...Object.keys(a)])) {
    if (BOOKKEEPING.has(key)) continue;
    if (!same(b[key] ?? null, a[key] ?? null)) changes[key] = [b[key] ?? null, a[key] ?? null];
  }
  return changes;
}

const isEmpty = (v: unknown) => v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0);

/** A creation's changes: every field it was created with, from null (as Rails' object_changes). */
export function creationChanges(data: object): EventChanges {
  const changes: EventChanges = {};
  for (const [key, value] of Object.entries(data)) {
    if (!BOOKKEEPING.has(key) && !isEmpty(value)) changes[key] = [null, value];
  }
  return changes;
}

/**
 * The event of one object going from `before` to `after` (JSON representations with an `id`;
 * undefined: not there), or undefined when nothing changed. What any resource's writes record.
 */
export function changeEvent(businessFileId: number, zname: EventZname, before: { id: number } | undefined, after: { id: number } | undefined, userId: number | null): EventInput | undefined {
  if (!after) return before && { businessFileId, zname, zid: before.id, action: 'destroy', changes: {}, userId, objectData: before };
  if (!before) return { businessFileId, zname, zid: after.id, action: 'create', changes: creationChanges(after), userId, objectData: after };
  const changes = changesBetween(before, after);
  if (Object.keys(changes).length === 0) return undefined;
  return { businessFileId, zname, zid: after.id, action: 'update', changes, userId, objectData: after };
}

/** Rows per INSERT (SQLite's multi-row insert is a UNION ALL of at most 500 terms). */
const INSERT_ROWS = 200;

export async function recordEvents(trx: Knex.Transaction, events: EventInput[]): Promise<void> {
  if (events.length === 0) return;
  let first: number | undefined;
  if (engineOf(trx) === 'sqlite') {
    // SQLite has one writer at a time and this transaction holds the lock: positions handed out
    // here become visible in order, at commit.
    await trx('event_sequence').where('id', 1).increment('last_position', events.length);
    const row = (await trx('event_sequence').where('id', 1).first('last_position')) as { last_position: number };
    first = Number(row.last_position) - events.length + 1;
  }
  const createdAt = toDbText(new Date());
  const rows = events.map((e, i) => ({
    position: first === undefined ? null : first + i,
    business_file_id: e.businessFileId,
    object_zname: e.zname,
    object_zid: e.zid,
    object_action: e.action,
    user_id: e.userId,
    object_changes: JSON.stringify(e.changes),
    object_data: JSON.stringify(e.objectData),
    created_at: createdAt,
  }));
  for (let i = 0; i < rows.length; i += INSERT_ROWS) await trx('events').insert(rows.slice(i, i + INSERT_ROWS));
  afterCommit(trx);
}

export function recordEvent(trx: Knex.Transaction, event: EventInput): Promise<void> {
  return recordEvents(trx, [event]);
}
