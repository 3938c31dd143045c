// Contacts → XML bytes in the legacy wire format: fixed element order, every element present,
// two-space indentation, legacy timestamps, no type/nil attributes.
import type { Address, Contact, Item } from '../contacts/types.js';
import { toLegacy } from '../time.js';
import { element, XML_DECLARATION } from './escape.js';

export interface Pagination {
  current_page: number;
  total_pages: number;
  current_page_items_count: number;
  per_page: number;
  total_entries: number;
}

function addressElement(a: Address, indent: string): string {
  const i = indent + '  ';
  return (
    `${indent}<contact_address>\n` +
    element(i, 'id', a.id) +
    element(i, 'address_type', a.address_type) +
    element(i, 'street_address', a.street_address) +
    element(i, 'street_address2', a.street_address2) +
    element(i, 'zip_code', a.zip_code) +
    element(i, 'city', a.city) +
    element(i, 'country', a.country) +
    `${indent}</contact_address>\n`
  );
}

function itemElement(item: Item, indent: string): string {
  const i = indent + '  ';
  return `${indent}<contact_item>\n` + element(i, 'id', item.id) + element(i, 'type_id', item.type_id) + element(i, 'value', item.value) + `${indent}</contact_item>\n`;
}

function collection<T>(indent: string, name: string, children: T[], write: (child: T, indent: string) => string): string {
  if (children.length === 0) return `${indent}<${name}></${name}>\n`;
  return `${indent}<${name}>\n${children.map((c) => write(c, indent + '  ')).join('')}${indent}</${name}>\n`;
}

/** One <contact> element, its first line indented by `indent`. */
export function contactElement(c: Contact, indent = ''): string {
  const i = indent + '  ';
  return (
    `${indent}<contact>\n` +
    element(i, 'id', c.id) +
    element(i, 'civility_label_id', c.civility_label_id) +
    element(i, 'last_name', c.last_name) +
    element(i, 'first_name', c.first_name) +
    element(i, 'comment', c.comment) +
    element(i, 'job_title', c.job_title) +
    element(i, 'job_department', c.job_department) +
    element(i, 'country', c.country) +
    element(i, 'contact_type', c.contact_type) +
    element(i, 'firm_id', c.firm_id) +
    element(i, 'remote_id', c.remote_id) +
    element(i, 'created_at', toLegacy(c.created_at)) +
    element(i, 'updated_at', toLegacy(c.updated_at)) +
    collection(i, 'contact_addresses', c.contact_addresses, addressElement) +
    collection(i, 'contact_items', c.contact_items, itemElement) +
    `${indent}</contact>\n`
  );
}

export function contactDocument(c: Contact): string {
  return XML_DECLARATION + contactElement(c);
}

export const LIST_OPEN = `${XML_DECLARATION}<contacts type="array">\n`;
export const LIST_CLOSE = '</contacts>\n';

export function paginationElement(p: Pagination, indent = '  '): string {
  const i = indent + '  ';
  return (
    `${indent}<pagination>\n` +
    element(i, 'current_page', p.current_page) +
    element(i, 'total_pages', p.total_pages) +
    element(i, 'current_page_items_count', p.current_page_items_count) +
    element(i, 'per_page', p.per_page) +
    element(i, 'total_entries', p.total_entries) +
    `${indent}</pagination>\n`
  );
}

/** A list page; `pagination` undefined leaves <pagination> out (?pagination=false, export). */
export function contactListDocument(contacts: Contact[], pagination?: Pagination): string {
  const body = contacts.map((c) => contactElement(c, '  ')).join('');
  return LIST_OPEN + body + (pagination ? paginationElement(pagination) : '') + LIST_CLOSE;
}

const LIST_OPEN_BYTES = Buffer.from(LIST_OPEN);
const LIST_CLOSE_BYTES = Buffer.from(LIST_CLOSE);

/**
 * The bytes of contactListDocument from the contacts' elements already encoded (UTF-8 of
 * contactElement(c, '  '), as the API caches them): a list page is then one copy.
 */
export function listDocumentOf(contactElements: Buffer[], pagination?: Pagination): Buffer {
  const tail = pagination ? [Buffer.from(paginationElement(pagination)), LIST_CLOSE_BYTES] : [LIST_CLOSE_BYTES];
  return Buffer.concat([LIST_OPEN_BYTES, ...contactElements, ...tail]);
}
