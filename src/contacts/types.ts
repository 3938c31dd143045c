// Domain types of a contact. Field names are the wire names (snake_case): the document is the
// vocabulary of this service. Database row types live apart, in src/contacts/rows.ts.

export const CONTACT_FIELDS = [
  'civility_label_id',
  'last_name',
  'first_name',
  'comment',
  'job_title',
  'job_department',
  'country',
  'contact_type',
  'firm_id',
  'remote_id',
] as const;
export const ADDRESS_FIELDS = ['address_type', 'street_address', 'street_address2', 'zip_code', 'city', 'country'] as const;
export const ITEM_FIELDS = ['type_id', 'value'] as const;

export type ContactField = (typeof CONTACT_FIELDS)[number];
export type AddressField = (typeof ADDRESS_FIELDS)[number];
export type ItemField = (typeof ITEM_FIELDS)[number];

/** A value as read from a request: text, or null for empty / nil. */
export type RawValue = string | null;

/** One child of a collection as sent by a client. `id` is present when the client named one. */
export interface ChildInput<F extends string> {
  id?: RawValue;
  fields: Partial<Record<F, RawValue>>;
}

/**
 * A contact as sent by a client: only the fields present in the request. An absent collection
 * is `undefined` (untouched on update); a present one lists the whole new set.
 * `problems` are shape errors found while reading (a field given twice, text where elements
 * were expected); they are reported with the validation messages.
 */
export interface ContactInput {
  fields: Partial<Record<ContactField, RawValue>>;
  contact_addresses?: ChildInput<AddressField>[];
  contact_items?: ChildInput<ItemField>[];
  problems: string[];
}

export interface AddressValues {
  address_type: number;
  street_address: string | null;
  street_address2: string | null;
  zip_code: string | null;
  city: string | null;
  country: string | null;
}

export interface ItemValues {
  type_id: number;
  value: string;
}

/** The typed values of a valid contact, ready to store. Child `id` is set for kept children. */
export interface ContactValues {
  civility_label_id: number | null;
  last_name: string;
  first_name: string | null;
  comment: string | null;
  job_title: string | null;
  job_department: string | null;
  country: string | null;
  contact_type: string | null;
  firm_id: number | null;
  remote_id: string | null;
  contact_addresses: (AddressValues & { id?: number })[];
  contact_items: (ItemValues & { id?: number })[];
}

export interface Address extends AddressValues {
  id: number;
}

export interface Item extends ItemValues {
  id: number;
}

/** A stored contact. `version` grows by one with every change to it or its children. */
export interface Contact extends Omit<ContactValues, 'contact_addresses' | 'contact_items'> {
  id: number;
  business_file_id: number;
  created_at: Date;
  updated_at: Date;
  version: number;
  contact_addresses: Address[];
  contact_items: Item[];
}

export interface Lookups {
  civilityLabels: Map<number, string>;
  contactTypes: Map<string, string>;
  addressTypes: Map<number, string>;
  itemTypes: Map<number, { label: string; kind: ItemKind }>;
}

export type ItemKind = 'phone' | 'fax' | 'email' | 'cell' | 'messenger';
