// The lookup values of the old system (data only). Careful: the old reference swaps the
// headings of the address and item type lists; addresses take 20–22, items the others.
import type { Knex } from 'knex';

const CIVILITY_LABELS = [
  [17, 'Mr'],
  [18, 'Madam'],
  [19, 'Miss'],
] as const;

const CONTACT_TYPES = ['client', 'prospect', 'supplier', 'press', 'partner', 'staff', 'perso', 'other'];

const ADDRESS_TYPES = [
  [20, 'personal'],
  [21, 'professional'],
  [22, 'other'],
] as const;

const ITEM_TYPES = [
  [23, 'personal phone', 'phone'],
  [25, 'personal fax', 'fax'],
  [28, 'personal email', 'email'],
  [554, 'personal cell phone', 'cell'],
  [471, 'main professional phone', 'phone'],
  [24, 'professional phone', 'phone'],
  [26, 'professional fax', 'fax'],
  [27, 'professional email', 'email'],
  [88, 'professional cell phone', 'cell'],
  [430, 'Skype', 'messenger'],
  [431, 'Yahoo messenger', 'messenger'],
  [432, 'MSN messenger', 'messenger'],
  [433, 'AIM', 'messenger'],
  [457, 'ICQ', 'messenger'],
] as const;

export async function up(knex: Knex): Promise<void> {
  await knex('civility_labels').insert(CIVILITY_LABELS.map(([id, label], position) => ({ id, label, position })));
  await knex('contact_types').insert(CONTACT_TYPES.map((id, position) => ({ id, label: id, position })));
  await knex('address_types').insert(ADDRESS_TYPES.map(([id, label], position) => ({ id, label, position })));
  await knex('contact_item_types').insert(ITEM_TYPES.map(([id, label, kind], position) => ({ id, label, kind, position })));
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['contact_item_types', 'address_types', 'contact_types', 'civility_labels']) {
    await knex(table).del();
  }
}
