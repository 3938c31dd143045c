// Reading contacts with their children: a fixed number of queries whatever the count
// (contacts, then all their addresses, then all their items), never one query per contact.
import type { Knex } from 'knex';
import { addressFromRow, CONTACT_COLUMNS, contactFromRow, itemFromRow, type DbAddressRow, type DbContactRow, type DbItemRow } from './rows.js';
import type { Address, Contact, Item } from './types.js';
import { selectRows } from '../db/select.js';

type Db = Knex | Knex.Transaction;

/** Children of the given contacts, grouped by contact id, in id order. */
async function childrenOf(db: Db, ids: number[]): Promise<{ addresses: Map<number, Address[]>; items: Map<number, Item[]> }> {
  const addresses = new Map<number, Address[]>();
  const items = new Map<number, Item[]>();
  if (ids.length === 0) return { addresses, items };
  const [addressRows, itemRows] = await Promise.all([
    db<DbAddressRow>('contact_addresses').whereIn('contact_id', ids).orderBy('id'),
    db<DbItemRow>('contact_items').whereIn('contact_id', ids).orderBy('id'),
  ]);
  for (const r of addressRows) {
    const list = addresses.get(r.contact_id) ?? addresses.set(r.contact_id, []).get(r.contact_id)!;
    list.push(addressFromRow(r));
  }
  for (const r of itemRows) {
    const list = items.get(r.contact_id) ?? items.set(r.contact_id, []).get(r.contact_id)!;
    list.push(itemFromRow(r));
  }
  return { addresses, items };
}

/** Contact rows → full contacts, keeping the rows' order. */
export async function withChildren(db: Db, rows: DbContactRow[]): Promise<Contact[]> {
  const { addresses, items } = await childrenOf(db, rows.map((r) => r.id));
  return rows.map((r) => contactFromRow(r, addresses.get(r.id) ?? [], items.get(r.id) ?? []));
}

export type ContactKey = { id: number } | { remoteId: string };

/** Which contact, at which version: enough to find its rendering in a cache. */
export interface ContactRef {
  id: number;
  version: number;
}

export const refFromRow = (row: { id: number | string; version: number | string }): ContactRef => ({ id: Number(row.id), version: Number(row.version) });

const REF_BY_ID = 'SELECT id, version FROM contacts WHERE business_file_id = ? AND id = ?';
const REF_BY_REMOTE_ID = 'SELECT id, version FROM contacts WHERE business_file_id = ? AND remote_id = ?';

export async function findContactRef(db: Db, businessFileId: number, key: ContactKey): Promise<ContactRef | undefined> {
  const [row] = 'id' in key ? await selectRows<ContactRef>(db, REF_BY_ID, [businessFileId, key.id]) : await selectRows<ContactRef>(db, REF_BY_REMOTE_ID, [businessFileId, key.remoteId]);
  return row ? refFromRow(row) : undefined;
}

/** The contacts of a business file with these ids, in no particular order. */
export async function findContacts(db: Db, businessFileId: number, ids: number[]): Promise<Contact[]> {
  if (ids.length === 0) return [];
  const rows = (await db('contacts').select(CONTACT_COLUMNS).where('business_file_id', businessFileId).whereIn('id', ids)) as DbContactRow[];
  return withChildren(db, rows);
}

/** One contact of a business file, or undefined. `forUpdate` locks the row (MySQL). */
export async function findContact(db: Db, businessFileId: number, key: ContactKey, forUpdate = false): Promise<Contact | undefined> {
  let query = db<DbContactRow>('contacts').select(CONTACT_COLUMNS).where('business_file_id', businessFileId);
  query = 'id' in key ? query.andWhere('id', key.id) : query.andWhere('remote_id', key.remoteId);
  if (forUpdate) query = query.forUpdate();
  const row = await query.first();
  if (!row) return undefined;
  const [contact] = await withChildren(db, [row as unknown as DbContactRow]);
  return contact;
}

export async function remoteIdTaken(db: Db, businessFileId: number, remoteId: string, exceptId?: number): Promise<boolean> {
  const query = db('contacts').select('id').where({ business_file_id: businessFileId, remote_id: remoteId });
  if (exceptId !== undefined) query.andWhereNot('id', exceptId);
  return (await query.first()) !== undefined;
}
