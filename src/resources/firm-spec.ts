// The firm resource (contract section 10): its document in wire order.
import { soundex } from './soundex.js';
import type { DocField, ResourceSpec } from './spec.js';

const text = (name: string, max: number, required = false): DocField => ({ name, out: 'text', role: 'stored', rule: { type: 'text', max, required } });
const reference = (name: string): DocField => ({ name, out: 'int', role: 'stored', rule: { type: 'reference' } });

export const FIRM: ResourceSpec = {
  name: 'firm',
  plural: 'firms',
  label: 'Firm',
  fields: [
    { name: 'id', out: 'int', role: 'id' },
    text('name', 255, true),
    { name: 'firm_type', out: 'text', role: 'stored', rule: { type: 'lookup', table: 'contactTypes' } },
    { name: 'firm_type2', out: 'text', role: 'stored', rule: { type: 'lookup', table: 'contactTypes' } },
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
    { name: 'name_soundex', out: 'text', role: 'computed', compute: (firm) => soundex(firm.name as string | null) },
    { name: 'contacts_count', out: 'int', role: 'computed' },
    { name: 'creator_id', out: 'int', role: 'kept' },
    { name: 'modifier_id', out: 'int', role: 'kept' },
    { name: 'created_at', out: 'time', role: 'kept' },
    { name: 'updated_at', out: 'time', role: 'kept' },
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
  dependency: { join: '', column: '(SELECT COUNT(*) FROM contacts d WHERE d.business_file_id = r.business_file_id AND d.firm_id = r.id)' },
};
