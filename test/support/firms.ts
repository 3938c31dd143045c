// Small helpers to build and read firm XML in specs (CONTRACT.md section 10), and to read the
// v2 documents (contacts and firms) whose element lists the contract fixes.
import { expect } from 'chai';
import { XMLParser } from 'fast-xml-parser';
import type { Response } from './http.js';

/** A firm with every stored field (the contract's example without the derived and kept ones). */
export const FULL_FIRM = `<?xml version="1.0" encoding="UTF-8"?>
<firm>
  <name>ACME</name>
  <firm_type>client</firm_type>
  <firm_type2></firm_type2>
  <siren>123456789</siren>
  <tva>FR12123456789</tva>
  <accounting_ref>411ACME</accounting_ref>
  <accounting_ref_vendor></accounting_ref_vendor>
  <parent_firm_id></parent_firm_id>
  <project_id></project_id>
  <bank_account_id></bank_account_id>
  <remote_id>FIRM_3</remote_id>
  <batch>17 jan 12 @ 15:12:02</batch>
  <batch_kind>CSV</batch_kind>
</firm>
`;

/** The elements of a firm document, in the contract's order. */
export const FIRM_FIELDS = [
  'id',
  'name',
  'firm_type',
  'firm_type2',
  'siren',
  'tva',
  'accounting_ref',
  'accounting_ref_vendor',
  'parent_firm_id',
  'project_id',
  'bank_account_id',
  'remote_id',
  'batch',
  'batch_kind',
  'name_soundex',
  'contacts_count',
  'creator_id',
  'modifier_id',
  'created_at',
  'updated_at',
];

/** The integer elements of a firm document (left out when empty under the `omit` profile). */
export const FIRM_INTEGER_FIELDS = ['id', 'parent_firm_id', 'project_id', 'bank_account_id', 'contacts_count', 'creator_id', 'modifier_id'];

/** The elements of a v2 contact document, in the contract's order (section 2). */
export const CONTACT_FIELDS = [
  'id',
  'civility_label_id',
  'last_name',
  'first_name',
  'first_last_name',
  'comment',
  'job_title',
  'job_department',
  'country',
  'language',
  'contact_type',
  'contact_type2',
  'contact_origin',
  'keywords',
  'reference',
  'accounting_ref',
  'accounting_ref_vendor',
  'firm_id',
  'firm_name',
  'project_id',
  'bank_account_id',
  'remote_id',
  'batch',
  'batch_kind',
  'creator_id',
  'modifier_id',
  'created_at',
  'updated_at',
  'contact_addresses',
  'contact_items',
];

export const ADDRESS_FIELDS = [
  'id',
  'contact_id',
  'address_type',
  'street_address',
  'street_address2',
  'street_number',
  'street_name',
  'additional_info',
  'zip_code',
  'city',
  'country',
  'country_iso_3166_a3',
  'created_at',
  'updated_at',
];

export const ITEM_FIELDS = ['id', 'contact_id', 'type_id', 'value', 'normalized_phone', 'creator_id', 'modifier_id', 'created_at', 'updated_at'];

/** A minimal valid firm document with the given extra elements. */
export function firmXml(name: string, extra = ''): string {
  return `<firm><name>${name}</name>${extra}</firm>`;
}

const parser = new XMLParser({
  parseTagValue: false,
  ignoreAttributes: false,
  isArray: (name) => ['firm', 'contact', 'contact_address', 'contact_item', 'error', 'element'].includes(name),
});

/** Parses a response for assertions (values stay text). */
export function parseDoc(text: string): any {
  return parser.parse(text);
}

/** The one firm of a single-firm document. */
export function firmOf(text: string): Record<string, string> {
  return parseDoc(text).firm[0];
}

/** The ids of a `<firms>` list answer, in order. */
export function firmIds(res: Response): number[] {
  expect(res.status, res.text).to.equal(200);
  const firms = parseDoc(res.text).firms;
  return ((typeof firms === 'object' ? firms.firm : undefined) ?? []).map((f: { id: string }) => Number(f.id));
}

/** The ids of a `<contacts>` list answer, in order. */
export function contactIds(res: Response): number[] {
  expect(res.status, res.text).to.equal(200);
  const contacts = parseDoc(res.text).contacts;
  return ((typeof contacts === 'object' ? contacts.contact : undefined) ?? []).map((c: { id: string }) => Number(c.id));
}

/** The names of the child elements of the first `<tag>` element of `text`, in document order. */
export function childNames(text: string, tag: string): string[] {
  const start = text.indexOf(`<${tag}>`);
  expect(start, `no <${tag}> in ${text.slice(0, 300)}`).to.be.greaterThan(-1);
  const end = text.indexOf(`</${tag}>`, start);
  const inner = text.slice(start + tag.length + 2, end);
  const names: string[] = [];
  let depth = 0;
  for (const m of inner.matchAll(/<(\/?)([A-Za-z_][\w.-]*)([^>]*)>/g)) {
    const closing = m[1] === '/';
    const selfClosing = m[3].endsWith('/');
    if (closing) depth--;
    else {
      if (depth === 0) names.push(m[2]);
      if (!selfClosing) depth++;
    }
  }
  return names;
}

/** Ids and timestamps replaced by placeholders, for comparing a document with a golden one. */
export function normalized(text: string): string {
  return text
    .replace(/<(id|contact_id|creator_id|modifier_id|firm_id|parent_firm_id)>\d+<\/\1>/g, '<$1>#</$1>')
    .replace(/<(created_at|updated_at)>\d\d-\d\d-\d{4}-\d\d-\d\d<\/\1>/g, '<$1>T</$1>');
}
