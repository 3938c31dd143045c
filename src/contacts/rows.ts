// Database rows and their mapping to domain types, in one place.
import { randomInt } from 'node:crypto';
import { fromDbText } from '../time.js';
import { CONTACT_FIELDS, type Address, type AddressValues, type Contact, type ContactValues, type Item, type ItemValues } from './types.js';

export interface DbContactRow {
  id: number;
  business_file_id: number;
  civility_label_id: number | null;
  last_name: string;
  first_name: string | null;
  comment: string | null;
  job_title: string | null;
  job_department: string | null;
  country: string | null;
  contact_type: string | null;
  firm_id: number | string | null;
  remote_id: string | null;
  created_at: string | Date;
  updated_at: string | Date;
  version: number;
  search_text: string;
}

export interface DbAddressRow extends AddressValues {
  id: number;
  contact_id: number;
}

export interface DbItemRow extends ItemValues {
  id: number;
  contact_id: number;
}

export const CONTACT_COLUMNS = ['id', 'business_file_id', ...CONTACT_FIELDS, 'created_at', 'updated_at', 'version'];

export function contactFromRow(row: DbContactRow, addresses: Address[], items: Item[]): Contact {
  return {
    id: row.id,
    business_file_id: row.business_file_id,
    civility_label_id: row.civility_label_id,
    last_name: row.last_name,
    first_name: row.first_name,
    comment: row.comment,
    job_title: row.job_title,
    job_department: row.job_department,
    country: row.country,
    contact_type: row.contact_type,
    firm_id: row.firm_id === null ? null : Number(row.firm_id),
    remote_id: row.remote_id,
    created_at: fromDbText(row.created_at),
    updated_at: fromDbText(row.updated_at),
    version: Number(row.version),
    contact_addresses: addresses,
    contact_items: items,
  };
}

export function addressFromRow(r: DbAddressRow): Address {
  return { id: r.id, address_type: r.address_type, street_address: r.street_address, street_address2: r.street_address2, zip_code: r.zip_code, city: r.city, country: r.country };
}

export function itemFromRow(r: DbItemRow): Item {
  return { id: r.id, type_id: r.type_id, value: r.value };
}

/** The lowercased text `q` searches: names, job, comment, item values, cities and zip codes. */
export function searchText(v: ContactValues): string {
  const parts = [v.first_name, v.last_name, v.job_title, v.job_department, v.comment];
  for (const item of v.contact_items) parts.push(item.value);
  for (const a of v.contact_addresses) parts.push(a.city, a.zip_code);
  return parts.filter((p) => p !== null).join('\n').toLowerCase();
}

type ContactRowValues = Omit<DbContactRow, 'id' | 'business_file_id' | 'version' | 'created_at' | 'updated_at'>;

export function contactRowValues(v: ContactValues): ContactRowValues {
  return {
    civility_label_id: v.civility_label_id,
    last_name: v.last_name,
    first_name: v.first_name,
    comment: v.comment,
    job_title: v.job_title,
    job_department: v.job_department,
    country: v.country,
    contact_type: v.contact_type,
    firm_id: v.firm_id,
    remote_id: v.remote_id,
    search_text: searchText(v),
  };
}

export function addressRow(contactId: number, a: AddressValues & { id?: number }): Omit<DbAddressRow, 'id'> & { id?: number } {
  return { ...(a.id !== undefined && { id: a.id }), contact_id: contactId, address_type: a.address_type, street_address: a.street_address, street_address2: a.street_address2, zip_code: a.zip_code, city: a.city, country: a.country };
}

export function itemRow(contactId: number, i: ItemValues & { id?: number }): Omit<DbItemRow, 'id'> & { id?: number } {
  return { ...(i.id !== undefined && { id: i.id }), contact_id: contactId, type_id: i.type_id, value: i.value };
}

/**
 * The version a new contact starts at: random (below 2^47), not 1, so that a contact deleted
 * and created again with the same id (imports keep ids) does not repeat an (id, version) pair.
 */
export function firstVersion(): number {
  return randomInt(1, 2 ** 47);
}
