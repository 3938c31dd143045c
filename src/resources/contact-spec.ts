// The contact resource (contract sections 2, 2.1, 3, 5): its document in wire order.
import { field, type ResourceSpec, type Row, type Value } from './spec.js';

const { text, reference, kept, lookup, computed } = field;
const TIMESTAMPS = [kept('created_at', 'time'), kept('updated_at', 'time')];

const EMAIL = /^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$/;
const PHONE_KINDS = new Set(['phone', 'fax', 'cell']);

/** The digits of a phone number, a leading `+` kept: `01 23 45 67 89` → `0123456789`. */
export function normalizedPhone(item: Row): Value {
  const value = item.value as string | null;
  if (value === null || !PHONE_KINDS.has(item.kind as string)) return null;
  const digits = (value.trimStart().startsWith('+') ? '+' : '') + value.replace(/[^0-9]/g, '');
  return digits === '' || digits === '+' ? null : digits;
}

export function firstLastName(contact: Row): Value {
  const joined = [contact.first_name, contact.last_name].filter((v) => v !== null && v !== '').join(' ').trim();
  return joined === '' ? null : joined;
}

export const CONTACT: ResourceSpec = {
  name: 'contact',
  plural: 'contacts',
  label: 'Contact',
  fields: [
    field.id(),
    lookup('civility_label_id', 'civilityLabels', 'int'),
    text('last_name', 200, true),
    text('first_name', 200),
    computed('first_last_name', 'text', firstLastName),
    text('comment', 10_000),
    text('job_title', 200),
    text('job_department', 200),
    text('country', 100),
    text('language', 20),
    lookup('contact_type', 'contactTypes', 'text'),
    lookup('contact_type2', 'contactTypes', 'text'),
    text('contact_origin', 255),
    text('keywords', 1_000),
    text('reference', 100),
    text('accounting_ref', 100),
    text('accounting_ref_vendor', 100),
    reference('firm_id'),
    computed('firm_name', 'text'),
    reference('project_id'),
    reference('bank_account_id'),
    text('remote_id', 100),
    text('batch', 100),
    text('batch_kind', 50),
    kept('creator_id', 'int'),
    kept('modifier_id', 'int'),
    ...TIMESTAMPS,
  ],
  collections: [
    {
      name: 'contact_addresses',
      child: 'contact_address',
      label: 'Contact addresses',
      noun: 'addresses',
      parentColumn: 'contact_id',
      fields: [
        field.id(),
        { name: 'contact_id', out: 'int', role: 'parent_id' },
        lookup('address_type', 'addressTypes', 'int', true),
        text('street_address', 255),
        text('street_address2', 255),
        text('street_number', 20),
        text('street_name', 255),
        text('additional_info', 255),
        text('zip_code', 20),
        text('city', 100),
        text('country', 100),
        { name: 'country_iso_3166_a3', out: 'text', role: 'stored', rule: { type: 'text', max: 3, pattern: { re: /^[A-Z]{3}$/, message: 'is not a three-letter code' } } },
        ...TIMESTAMPS,
      ],
      search: ['city', 'zip_code'],
    },
    {
      name: 'contact_items',
      child: 'contact_item',
      label: 'Contact items',
      noun: 'items',
      parentColumn: 'contact_id',
      fields: [
        field.id(),
        { name: 'contact_id', out: 'int', role: 'parent_id' },
        lookup('type_id', 'itemTypes', 'int', true),
        text('value', 255, true),
        computed('normalized_phone', 'text', normalizedPhone),
        kept('creator_id', 'int'),
        kept('modifier_id', 'int'),
        ...TIMESTAMPS,
      ],
      check: (item, lookups) =>
        typeof item.type_id === 'number' && lookups.itemTypes.get(item.type_id)?.kind === 'email' && typeof item.value === 'string' && !EMAIL.test(item.value)
          ? ['value is not a valid email address']
          : [],
      search: ['value'],
      readJoin: { table: 'contact_item_types', on: ['type_id', 'id'], columns: { kind: 'kind' } },
    },
  ],
  sortable: ['id', 'last_name', 'first_name', 'created_at', 'updated_at'],
  filters: [
    { param: 'firm_id', column: 'firm_id', type: 'ids' },
    { param: 'contact_type', column: 'contact_type', type: 'lookup', table: 'contactTypes', noun: 'contact type' },
  ],
  search: ['first_name', 'last_name', 'job_title', 'job_department', 'comment', 'keywords', 'reference', 'accounting_ref', 'accounting_ref_vendor'],
  async enrich(db, businessFileId, records) {
    const firmIds = [...new Set(records.map((r) => r.firm_id).filter((id): id is number => typeof id === 'number'))];
    const names = new Map<number, string>();
    if (firmIds.length > 0) {
      const rows = await db('firms').select('id', 'name').where('business_file_id', businessFileId).whereIn('id', firmIds);
      for (const row of rows) names.set(Number(row.id), row.name);
    }
    for (const r of records) r.firm_name = typeof r.firm_id === 'number' ? (names.get(r.firm_id) ?? null) : null;
  },
  dependency: { join: 'LEFT JOIN firms d ON d.business_file_id = r.business_file_id AND d.id = r.firm_id', column: 'd.version', resource: 'firms' },
};
