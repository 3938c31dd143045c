// What an update changes: the contact's own fields, and per collection the children to
// insert, update and delete. An empty change set means no write at all (so a client that
// PUTs back what it read leaves updated_at and the version as they were).
import { ADDRESS_FIELDS, CONTACT_FIELDS, ITEM_FIELDS, type Contact, type ContactValues } from './types.js';

export interface ChildChanges<V> {
  insert: V[];
  update: (V & { id: number })[];
  remove: number[];
}

export interface ContactChanges {
  fields: Partial<ContactValues>;
  addresses: ChildChanges<ContactValues['contact_addresses'][number]>;
  items: ChildChanges<ContactValues['contact_items'][number]>;
}

function childChanges<V extends { id?: number }, S extends { id: number }>(stored: S[], next: V[], fields: readonly string[]): ChildChanges<V> {
  const byId = new Map(stored.map((s) => [s.id, s]));
  const kept = new Set<number>();
  const changes: ChildChanges<V> = { insert: [], update: [], remove: [] };
  for (const child of next) {
    if (child.id === undefined) {
      changes.insert.push(child);
      continue;
    }
    kept.add(child.id);
    const before = byId.get(child.id) as unknown as Record<string, unknown>;
    if (fields.some((f) => before[f] !== (child as unknown as Record<string, unknown>)[f])) changes.update.push(child as V & { id: number });
  }
  changes.remove = stored.filter((s) => !kept.has(s.id)).map((s) => s.id);
  return changes;
}

export function contactChanges(stored: Contact, next: ContactValues): ContactChanges {
  const fields: Partial<ContactValues> = {};
  for (const f of CONTACT_FIELDS) {
    if (stored[f] !== next[f]) (fields as Record<string, unknown>)[f] = next[f];
  }
  return {
    fields,
    addresses: childChanges(stored.contact_addresses, next.contact_addresses, ADDRESS_FIELDS),
    items: childChanges(stored.contact_items, next.contact_items, ITEM_FIELDS),
  };
}

export function isUnchanged(c: ContactChanges): boolean {
  const none = (cc: ChildChanges<unknown>) => cc.insert.length === 0 && cc.update.length === 0 && cc.remove.length === 0;
  return Object.keys(c.fields).length === 0 && none(c.addresses) && none(c.items);
}
