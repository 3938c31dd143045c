// Writing contacts and their children. Every function takes the caller's transaction.
import type { Knex } from 'knex';
import { toDbText } from '../time.js';
import type { ChildChanges, ContactChanges } from './changes.js';
import { addressRow, contactRowValues, firstVersion, itemRow } from './rows.js';
import type { ContactValues } from './types.js';

type Db = Knex | Knex.Transaction;

export interface InsertOptions {
  id?: number;
  createdAt: Date;
  updatedAt: Date;
}

async function insertChildren(db: Db, contactId: number, values: ContactValues): Promise<void> {
  if (values.contact_addresses.length > 0) await db('contact_addresses').insert(values.contact_addresses.map((a) => addressRow(contactId, a)));
  if (values.contact_items.length > 0) await db('contact_items').insert(values.contact_items.map((i) => itemRow(contactId, i)));
}

/** Inserts a contact and its children; returns the new id. */
export async function insertContact(db: Db, businessFileId: number, values: ContactValues, options: InsertOptions): Promise<number> {
  const row = {
    ...(options.id !== undefined && { id: options.id }),
    business_file_id: businessFileId,
    ...contactRowValues(values),
    created_at: toDbText(options.createdAt),
    updated_at: toDbText(options.updatedAt),
    version: firstVersion(),
  };
  const [inserted] = await db('contacts').insert(row);
  const id = options.id ?? Number(inserted);
  await insertChildren(db, id, values);
  return id;
}

async function applyChildChanges<V>(db: Db, table: string, contactId: number, changes: ChildChanges<V>, toRow: (contactId: number, v: V) => object): Promise<void> {
  if (changes.remove.length > 0) await db(table).where('contact_id', contactId).whereIn('id', changes.remove).del();
  for (const child of changes.update) {
    const { id: _id, ...row } = toRow(contactId, child) as { id: number };
    await db(table).where({ id: child.id, contact_id: contactId }).update(row);
  }
  if (changes.insert.length > 0) await db(table).insert(changes.insert.map((c) => toRow(contactId, c)));
}

/** Applies a non-empty change set, moving updated_at and the version on. */
export async function updateContact(db: Db, contactId: number, next: ContactValues, changes: ContactChanges, updatedAt: Date): Promise<void> {
  await db('contacts')
    .where('id', contactId)
    .update({ ...contactRowValues(next), updated_at: toDbText(updatedAt), version: db.raw('version + 1') });
  await applyChildChanges(db, 'contact_addresses', contactId, changes.addresses, addressRow);
  await applyChildChanges(db, 'contact_items', contactId, changes.items, itemRow);
}

export async function deleteContact(db: Db, businessFileId: number, contactId: number): Promise<boolean> {
  const deleted = await db('contacts').where({ id: contactId, business_file_id: businessFileId }).del();
  return deleted > 0;
}

/**
 * Rewrites a contact as an import file gives it: its fields and timestamps, and, when they
 * differ, its children (deleted and inserted again with the file's ids).
 */
export async function replaceContact(db: Db, current: { id: number; contact_addresses: unknown[]; contact_items: unknown[] }, next: ContactValues, times: { createdAt: Date; updatedAt: Date }): Promise<void> {
  await db('contacts')
    .where('id', current.id)
    .update({ ...contactRowValues(next), created_at: toDbText(times.createdAt), updated_at: toDbText(times.updatedAt), version: db.raw('version + 1') });
  await db('contact_addresses').where('contact_id', current.id).del();
  await db('contact_items').where('contact_id', current.id).del();
  await insertChildren(db, current.id, next);
}
