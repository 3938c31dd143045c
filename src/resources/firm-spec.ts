// The firm resource (contract section 10): its document in wire order.
import { soundex } from './soundex.js';
import { field, type ResourceSpec } from './spec.js';

const { text, reference, kept, lookup, computed } = field;

export const FIRM: ResourceSpec = {
  name: 'firm',
  plural: 'firms',
  label: 'Firm',
  fields: [
    field.id(),
    text('name', 255, true),
    lookup('firm_type', 'contactTypes', 'text'),
    lookup('firm_type2', 'contactTypes', 'text'),
    text('siren', 20),
    text('tva', 30),
    text('accounting_ref', 100),
    text('accounting_ref_vendor', 100),
    reference('parent_firm_id'),
    reference('project_id'),
    reference('bank_account_id'),
    text('remote_id', 100),
    text('batch', 100),
    text('batch_kind', 50),
    computed('name_soundex', 'text', (firm) => soundex(firm.name as string | null)),
    computed('contacts_count', 'int'),
    kept('creator_id', 'int'),
    kept('modifier_id', 'int'),
    kept('created_at', 'time'),
    kept('updated_at', 'time'),
  ],
  collections: [],
  sortable: ['id', 'name', 'created_at', 'updated_at'],
  filters: [{ param: 'firm_type', column: 'firm_type', type: 'lookup', table: 'contactTypes', noun: 'contact type' }],
  search: ['name', 'siren', 'tva', 'accounting_ref', 'accounting_ref_vendor'],
  selfReference: { field: 'parent_firm_id', message: 'Parent firm id cannot be the firm itself' },
  async enrich(db, businessFileId, records) {
    const ids = records.map((r) => r.id);
    const counts = new Map<number, number>();
    if (ids.length > 0) {
      const rows = await db('contacts').select('firm_id').count({ n: '*' }).where('business_file_id', businessFileId).whereIn('firm_id', ids).groupBy('firm_id');
      for (const row of rows as { firm_id: number | string; n: number | string }[]) counts.set(Number(row.firm_id), Number(row.n));
    }
    for (const r of records) r.contacts_count = counts.get(r.id) ?? 0;
  },
  dependency: { join: '', column: '(SELECT COUNT(*) FROM contacts d WHERE d.business_file_id = r.business_file_id AND d.firm_id = r.id)', resource: 'contacts' },
};
