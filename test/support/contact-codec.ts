// The contact-specific names the codec and validation specs were written against, as thin
// wrappers of the generic resource machinery bound to CONTACT (src/resources/*, src/xml/record-*,
// src/json/record-json.ts). Keeps those specs readable; no logic of its own.
import type { Lookups, RawValue } from '../../src/contacts/types.js';
import { recordJsonOf, recordObject, listJsonOf as listJsonOfSpec } from '../../src/json/record-json.js';
import { recordChanges, type RecordChanges } from '../../src/resources/changes.js';
import { CONTACT } from '../../src/resources/contact-spec.js';
import { draftForCreate, draftForUpdate, type ChildInput, type Input } from '../../src/resources/draft.js';
import { etagOf } from '../../src/resources/etag.js';
import { checkRecord, cleanDraft, type ChildDraft, type ChildValues, type Draft, type Values } from '../../src/resources/validate.js';
import type { XmlNode } from '../../src/xml/document.js';
import { readRecord } from '../../src/xml/record-reader.js';
import { listClose, listDocument, listDocumentOf, listOpen, recordDocument, recordElement, type EmptyIntegers, type Pagination } from '../../src/xml/record-writer.js';

export { CONTACT };
export type { Input as ContactInput, Draft as ContactDraft, ChildDraft, ChildInput, ChildValues };

/** What readRecord(CONTACT, …) returns, its collections and kept values typed. */
export type ContactRead = Input & {
  kept: Record<string, RawValue>;
  notKept: string[];
  contact_addresses?: ChildInput[];
  contact_items?: ChildInput[];
};

/** The typed values of a valid contact, its two collections typed. */
export type ContactValues = Values & { contact_addresses: ChildValues[]; contact_items: ChildValues[] };
export type ContactChecked = { values: ContactValues; errors?: undefined } | { values?: undefined; errors: string[] };

/** A stored address of the v2 document (CONTRACT.md section 2), as read (contact_id filled). */
export type ContactAddress = {
  id: number;
  contact_id: number | null;
  address_type: number;
  street_address: string | null;
  street_address2: string | null;
  street_number: string | null;
  street_name: string | null;
  additional_info: string | null;
  zip_code: string | null;
  city: string | null;
  country: string | null;
  country_iso_3166_a3: string | null;
  created_at: Date | null;
  updated_at: Date | null;
};

/** A stored item of the v2 document, as read (contact_id and normalized_phone computed). */
export type ContactItem = {
  id: number;
  contact_id: number | null;
  type_id: number;
  value: string;
  normalized_phone: string | null;
  creator_id: number | null;
  modifier_id: number | null;
  created_at: Date | null;
  updated_at: Date | null;
};

/**
 * A stored contact of the v2 document, every field (a type, not an interface, so that it is a
 * Row): what the repository reads and enrich() completes (first_last_name, firm_name).
 */
export type Contact = {
  id: number;
  business_file_id: number;
  civility_label_id: number | null;
  last_name: string;
  first_name: string | null;
  first_last_name: string | null;
  comment: string | null;
  job_title: string | null;
  job_department: string | null;
  country: string | null;
  language: string | null;
  contact_type: string | null;
  contact_type2: string | null;
  contact_origin: string | null;
  keywords: string | null;
  reference: string | null;
  accounting_ref: string | null;
  accounting_ref_vendor: string | null;
  firm_id: number | null;
  firm_name: string | null;
  project_id: number | null;
  bank_account_id: number | null;
  remote_id: string | null;
  batch: string | null;
  batch_kind: string | null;
  creator_id: number | null;
  modifier_id: number | null;
  created_at: Date;
  updated_at: Date;
  version: number;
  contact_addresses: ContactAddress[];
  contact_items: ContactItem[];
};

/** A contact draft, its two collections typed. */
export type Drafted = Draft & { contact_addresses: ChildDraft[]; contact_items: ChildDraft[] };

export const readContact = (node: XmlNode): ContactRead => readRecord(CONTACT, node) as ContactRead;
export const checkContact = (draft: Draft, lookups: Lookups, extraErrors: string[] = []): ContactChecked => checkRecord(CONTACT, draft, lookups, extraErrors) as ContactChecked;
export const cleanContactDraft = (draft: Draft): Draft => cleanDraft(CONTACT, draft);
export const draftContactForCreate = (input: Input): Drafted => draftForCreate(CONTACT, input) as Drafted;
export function draftContactForUpdate(current: Contact, input: Input): { draft: Drafted; errors: string[] } {
  const { draft, errors } = draftForUpdate(CONTACT, current, input);
  return { draft: draft as Drafted, errors };
}
export const contactChanges = (stored: Contact, values: Values): RecordChanges => recordChanges(CONTACT, stored, values);

export const contactElement = (c: Contact, indent = '', profile: EmptyIntegers = 'empty'): string => recordElement(CONTACT, c, indent, profile);
export const contactDocument = (c: Contact, profile: EmptyIntegers = 'empty'): string => recordDocument(CONTACT, c, profile);
export const contactListDocument = (contacts: Contact[], pagination?: Pagination, profile: EmptyIntegers = 'empty'): string => listDocument(CONTACT, contacts, pagination, profile);
export const contactListDocumentOf = (elements: Buffer[], pagination?: Pagination): Buffer => listDocumentOf(CONTACT, elements, pagination);
export const LIST_OPEN = listOpen(CONTACT);
export const LIST_CLOSE = listClose(CONTACT);

export const contactObject = (c: Contact) => recordObject(CONTACT, c);
export const contactJsonOf = (json: Buffer): Buffer => recordJsonOf(CONTACT, json);
export const contactListJsonOf = (jsons: Buffer[], pagination?: Pagination): Buffer => listJsonOfSpec(CONTACT, jsons, pagination);
export const contactEtag = (c: Contact): string => etagOf(CONTACT, c);
