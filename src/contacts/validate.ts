// Validation as data: a draft (every field as text or null) → typed values, or the list of
// every problem as full sentences. Pure: lookups are passed in, the database is not touched.
// Uniqueness of remote_id needs the database and is checked by the service.
import { humanize, MESSAGES } from './messages.js';
import type { AddressField, AddressValues, ContactField, ContactValues, ItemField, ItemValues, Lookups, RawValue } from './types.js';

export const MAX_CHILDREN = 100;
const MAX_INTEGER = Number.MAX_SAFE_INTEGER;

export interface ChildDraft<F extends string> {
  /** The id of the existing child this one updates, if any. */
  id?: number;
  fields: Record<F, RawValue>;
}

export interface ContactDraft {
  fields: Record<ContactField, RawValue>;
  contact_addresses: ChildDraft<AddressField>[];
  contact_items: ChildDraft<ItemField>[];
}

const TEXT_LIMITS: Partial<Record<ContactField | AddressField | ItemField, number>> = {
  last_name: 200,
  first_name: 200,
  job_title: 200,
  job_department: 200,
  country: 100,
  comment: 10_000,
  remote_id: 100,
};
const ADDRESS_LIMITS: Record<Exclude<AddressField, 'address_type'>, number> = {
  street_address: 255,
  street_address2: 255,
  zip_code: 20,
  city: 100,
  country: 100,
};

const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;
const DECIMAL = /^[0-9]+$/;
const EMAIL = /^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$/;

/** Length as MySQL counts it: code points, so an emoji is one character. */
const length = (text: string) => (text.length < 100 ? [...text].length : Array.from(text).length);

/** Trimmed text with newlines normalized; empty becomes null. */
export function cleanText(value: RawValue | undefined): RawValue {
  if (value === null || value === undefined) return null;
  const text = (value.includes('\r') ? value.replace(/\r\n?/g, '\n') : value).trim();
  return text === '' ? null : text;
}

class Checker {
  readonly errors: string[] = [];

  add(label: string, message: string): void {
    const sentence = `${label} ${message}`;
    if (!this.errors.includes(sentence)) this.errors.push(sentence);
  }

  text(label: string, value: RawValue, max: number, required = false): string | null {
    if (value === null) {
      if (required) this.add(label, MESSAGES.blank);
      return null;
    }
    if (length(value) > max) this.add(label, MESSAGES.tooLong(max));
    if (CONTROL.test(value)) this.add(label, MESSAGES.controlCharacter);
    return value;
  }

  lookup<K>(label: string, value: RawValue, table: Map<K, unknown>, toKey: (v: string) => K | undefined, required = false): K | null {
    if (value === null) {
      if (required) this.add(label, MESSAGES.blank);
      return null;
    }
    const key = toKey(value);
    if (key === undefined || !table.has(key)) {
      this.add(label, MESSAGES.notIncluded);
      return null;
    }
    return key;
  }

  positiveInteger(label: string, value: RawValue): number | null {
    if (value === null) return null;
    if (!DECIMAL.test(value)) this.add(label, MESSAGES.notANumber);
    else if (Number(value) === 0) this.add(label, MESSAGES.mustBePositive);
    else if (Number(value) > MAX_INTEGER) this.add(label, MESSAGES.tooBig(MAX_INTEGER));
    else return Number(value);
    return null;
  }
}

const decimalKey = (v: string) => (DECIMAL.test(v) && v.length < 10 ? Number(v) : undefined);
const stringKey = (v: string) => v;

function checkAddress(check: Checker, draft: ChildDraft<AddressField>, lookups: Lookups): AddressValues & { id?: number } {
  const label = 'Contact addresses';
  const f = draft.fields;
  const text = (field: Exclude<AddressField, 'address_type'>) =>
    check.text(`${label} ${humanize(field).toLowerCase()}`, f[field], ADDRESS_LIMITS[field]);
  return {
    ...(draft.id !== undefined && { id: draft.id }),
    address_type: check.lookup(`${label} address type`, f.address_type, lookups.addressTypes, decimalKey, true) as number,
    street_address: text('street_address'),
    street_address2: text('street_address2'),
    zip_code: text('zip_code'),
    city: text('city'),
    country: text('country'),
  };
}

function checkItem(check: Checker, draft: ChildDraft<ItemField>, lookups: Lookups): ItemValues & { id?: number } {
  const label = 'Contact items';
  const typeId = check.lookup(`${label} type id`, draft.fields.type_id, lookups.itemTypes, decimalKey, true);
  const value = check.text(`${label} value`, draft.fields.value, 255, true);
  if (value !== null && typeId !== null && lookups.itemTypes.get(typeId)?.kind === 'email' && !EMAIL.test(value)) {
    check.add(`${label} value`, MESSAGES.invalidEmail);
  }
  return { ...(draft.id !== undefined && { id: draft.id }), type_id: typeId as number, value: value as string };
}

/** Normalizes every text of a draft (trim, newlines, empty → null). */
export function cleanDraft(draft: ContactDraft): ContactDraft {
  const cleanFields = <F extends string>(fields: Record<F, RawValue>) =>
    Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, cleanText(v as RawValue)])) as Record<F, RawValue>;
  return {
    fields: cleanFields(draft.fields),
    contact_addresses: draft.contact_addresses.map((c) => ({ ...c, fields: cleanFields(c.fields) })),
    contact_items: draft.contact_items.map((c) => ({ ...c, fields: cleanFields(c.fields) })),
  };
}

export type Checked = { values: ContactValues; errors?: undefined } | { values?: undefined; errors: string[] };

/** Validates a cleaned draft; `extraErrors` (shape problems, foreign ids) are listed first. */
export function checkContact(draft: ContactDraft, lookups: Lookups, extraErrors: string[] = []): Checked {
  const check = new Checker();
  extraErrors.forEach((e) => check.errors.push(e));
  const f = draft.fields;
  const text = (field: ContactField, required = false) => check.text(humanize(field), f[field], TEXT_LIMITS[field] as number, required);

  const values: ContactValues = {
    civility_label_id: check.lookup('Civility label id', f.civility_label_id, lookups.civilityLabels, decimalKey),
    last_name: text('last_name', true) as string,
    first_name: text('first_name'),
    comment: text('comment'),
    job_title: text('job_title'),
    job_department: text('job_department'),
    country: text('country'),
    contact_type: check.lookup('Contact type', f.contact_type, lookups.contactTypes, stringKey),
    firm_id: check.positiveInteger('Firm id', f.firm_id),
    remote_id: text('remote_id'),
    contact_addresses: draft.contact_addresses.map((a) => checkAddress(check, a, lookups)),
    contact_items: draft.contact_items.map((i) => checkItem(check, i, lookups)),
  };
  if (draft.contact_addresses.length > MAX_CHILDREN) check.add('Contact addresses', MESSAGES.tooMany(MAX_CHILDREN, 'addresses'));
  if (draft.contact_items.length > MAX_CHILDREN) check.add('Contact items', MESSAGES.tooMany(MAX_CHILDREN, 'items'));
  return check.errors.length > 0 ? { errors: check.errors } : { values };
}
