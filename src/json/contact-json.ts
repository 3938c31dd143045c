// Contacts ↔ JSON, mirroring the XML field for field: integers as numbers, empty values as
// null, collections as arrays, timestamps in ISO 8601.
import type { Contact, Lookups } from '../contacts/types.js';
import { toIso } from '../time.js';
import type { Pagination } from '../xml/contact-writer.js';

export function contactObject(c: Contact) {
  return {
    id: c.id,
    civility_label_id: c.civility_label_id,
    last_name: c.last_name,
    first_name: c.first_name,
    comment: c.comment,
    job_title: c.job_title,
    job_department: c.job_department,
    country: c.country,
    contact_type: c.contact_type,
    firm_id: c.firm_id,
    remote_id: c.remote_id,
    created_at: toIso(c.created_at),
    updated_at: toIso(c.updated_at),
    contact_addresses: c.contact_addresses.map((a) => ({ id: a.id, address_type: a.address_type, street_address: a.street_address, street_address2: a.street_address2, zip_code: a.zip_code, city: a.city, country: a.country })),
    contact_items: c.contact_items.map((i) => ({ id: i.id, type_id: i.type_id, value: i.value })),
  };
}


const CONTACT_OPEN = Buffer.from('{"contact":');
const LIST_OPEN = Buffer.from('{"contacts":[');
const COMMA = Buffer.from(',');
const CLOSE = Buffer.from('}');

/** `{"contact": …}` from the contact's object already encoded (UTF-8 of JSON.stringify(contactObject(c)), as cached). */
export function contactJsonOf(contactJson: Buffer): Buffer {
  return Buffer.concat([CONTACT_OPEN, contactJson, CLOSE]);
}

/** `{"contacts": […], "pagination": {…}}` from the contacts' objects already encoded. */
export function listJsonOf(contactJsons: Buffer[], pagination?: Pagination): Buffer {
  const parts: Buffer[] = [LIST_OPEN];
  contactJsons.forEach((json, i) => parts.push(...(i === 0 ? [json] : [COMMA, json])));
  parts.push(Buffer.from(pagination ? `],"pagination":${JSON.stringify(pagination)}}` : ']}'));
  return Buffer.concat(parts);
}

export function lookupsJson(l: Lookups) {
  return {
    lookups: {
      civility_labels: [...l.civilityLabels].map(([id, label]) => ({ id, label })),
      address_types: [...l.addressTypes].map(([id, label]) => ({ id, label })),
      contact_item_types: [...l.itemTypes].map(([id, t]) => ({ id, label: t.label, kind: t.kind })),
      contact_types: [...l.contactTypes].map(([id, label]) => ({ id, label })),
    },
  };
}
