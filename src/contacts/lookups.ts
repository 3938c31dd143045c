// The lookup tables, read once at start-up (they change only with a migration).
import type { Knex } from 'knex';
import type { ItemKind, Lookups } from './types.js';

export async function loadLookups(db: Knex): Promise<Lookups> {
  const [civility, contactTypes, addressTypes, itemTypes] = await Promise.all([
    db('civility_labels').select('id', 'label').orderBy('position'),
    db('contact_types').select('id', 'label').orderBy('position'),
    db('address_types').select('id', 'label').orderBy('position'),
    db('contact_item_types').select('id', 'label', 'kind').orderBy('position'),
  ]);
  return {
    civilityLabels: new Map(civility.map((r) => [Number(r.id), r.label])),
    contactTypes: new Map(contactTypes.map((r) => [r.id, r.label])),
    addressTypes: new Map(addressTypes.map((r) => [Number(r.id), r.label])),
    itemTypes: new Map(itemTypes.map((r) => [Number(r.id), { label: r.label, kind: r.kind as ItemKind }])),
  };
}
