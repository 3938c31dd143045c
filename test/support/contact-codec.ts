// The contact-specific names the codec and validation specs were written against, as thin
// wrappers of the generic resource machinery bound to CONTACT (src/resources/*, src/xml/record-*,
// src/json/record-json.ts). Keeps those specs readable; no logic of its own.
import type { Lookups } from '../../src/contacts/types.js';
import { recordJsonOf, recordObject, listJsonOf as listJsonOfSpec } from '../../src/json/record-json.js';
import { recordChanges, type RecordChanges } from '../../src/resources/changes.js';
import { CONTACT } from '../../src/resources/contact-spec.js';
import { draftForCreate, draftForUpdate, type Input } from '../../src/resources/draft.js';
import { etagOf } from '../../src/resources/etag.js';
import type { Row } from '../../src/resources/spec.js';
import { checkRecord, cleanDraft, type ChildDraft, type Checked, type Draft, type Values } from '../../src/resources/validate.js';
import type { XmlNode } from '../../src/xml/document.js';
import { readRecord } from '../../src/xml/record-reader.js';
import { listClose, listDocument, listDocumentOf, listOpen, recordDocument, recordElement, type EmptyIntegers, type Pagination } from '../../src/xml/record-writer.js';

export { CONTACT };
export type { Input as ContactInput, Draft as ContactDraft, ChildDraft, Checked };

/** A stored contact of the v2 document: the wire names as keys, children under their collection. */
export type Contact = Row & {
  contact_addresses: Row[];
  contact_items: Row[];
};

/** A contact draft, its two collections typed. */
export type Drafted = Draft & { contact_addresses: ChildDraft[]; contact_items: ChildDraft[] };

export const readContact = (node: XmlNode): Input => readRecord(CONTACT, node);
export const checkContact = (draft: Draft, lookups: Lookups, extraErrors: string[] = []): Checked => checkRecord(CONTACT, draft, lookups, extraErrors);
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
