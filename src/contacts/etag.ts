// A contact's entity tag: a digest of every value of the contact and its children, so it
// changes exactly when something changes (a write that changes nothing keeps it), survives a
// delete-and-recreate with other values, and is the same for the XML and JSON representations.
import { createHash } from 'node:crypto';
import { ADDRESS_FIELDS, CONTACT_FIELDS, ITEM_FIELDS, type Contact } from './types.js';

export function etagOf(c: Contact): string {
  const canonical = JSON.stringify([
    c.id,
    CONTACT_FIELDS.map((f) => c[f]),
    c.created_at.getTime(),
    c.updated_at.getTime(),
    c.contact_addresses.map((a) => [a.id, ...ADDRESS_FIELDS.map((f) => a[f])]),
    c.contact_items.map((i) => [i.id, ...ITEM_FIELDS.map((f) => i[f])]),
  ]);
  return `"${createHash('sha256').update(canonical).digest('base64url').slice(0, 27)}"`;
}

/** If-Match: `*` or a list of strong tags; true when the current tag is acceptable. */
export function ifMatchAccepts(header: string, current: string): boolean {
  const tags = header.split(',').map((t) => t.trim());
  return tags.includes('*') || tags.includes(current);
}

/** If-None-Match uses the weak comparison: W/"x" matches "x". */
export function ifNoneMatchMatches(header: string, current: string): boolean {
  const tags = header.split(',').map((t) => t.trim().replace(/^W\//, ''));
  return tags.includes('*') || tags.includes(current);
}
