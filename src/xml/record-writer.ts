// Records of any resource → XML in the legacy wire format: the spec's element order, every
// element present (an empty integer left out for a user whose profile says `omit`), two-space
// indentation, legacy timestamps, no type/nil attributes.
import type { CollectionSpec, DocField, ResourceSpec, Row } from '../resources/spec.js';
import { toLegacy } from '../time.js';
import { element, XML_DECLARATION } from './escape.js';

/** A user's XML profile (contract section 1): how an integer element without a value is written. */
export type EmptyIntegers = 'empty' | 'omit';

export interface Pagination {
  current_page: number;
  total_pages: number;
  current_page_items_count: number;
  per_page: number;
  total_entries: number;
}

function fieldElements(fields: DocField[], record: Row, indent: string, profile: EmptyIntegers): string {
  let out = '';
  for (const f of fields) {
    const value = record[f.name] as string | number | Date | null | undefined;
    if ((value === null || value === undefined) && f.out === 'int' && profile === 'omit') continue;
    out += element(indent, f.name, value instanceof Date ? toLegacy(value) : (value ?? null));
  }
  return out;
}

function collectionElement(c: CollectionSpec, children: Row[], indent: string, profile: EmptyIntegers): string {
  if (children.length === 0) return `${indent}<${c.name}></${c.name}>\n`;
  const i = indent + '  ';
  const body = children.map((child) => `${i}<${c.child}>\n${fieldElements(c.fields, child, i + '  ', profile)}${i}</${c.child}>\n`).join('');
  return `${indent}<${c.name}>\n${body}${indent}</${c.name}>\n`;
}

/** One record's element, its first line indented by `indent`. */
export function recordElement(spec: ResourceSpec, record: Row, indent = '', profile: EmptyIntegers = 'empty'): string {
  const i = indent + '  ';
  let out = `${indent}<${spec.name}>\n${fieldElements(spec.fields, record, i, profile)}`;
  for (const c of spec.collections) out += collectionElement(c, record[c.name] as Row[], i, profile);
  return `${out}${indent}</${spec.name}>\n`;
}

export function recordDocument(spec: ResourceSpec, record: Row, profile: EmptyIntegers = 'empty'): string {
  return XML_DECLARATION + recordElement(spec, record, '', profile);
}

export const listOpen = (spec: ResourceSpec) => `${XML_DECLARATION}<${spec.plural} type="array">\n`;
export const listClose = (spec: ResourceSpec) => `</${spec.plural}>\n`;

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
export function listDocument(spec: ResourceSpec, records: Row[], pagination?: Pagination, profile: EmptyIntegers = 'empty'): string {
  const body = records.map((r) => recordElement(spec, r, '  ', profile)).join('');
  return listOpen(spec) + body + (pagination ? paginationElement(pagination) : '') + listClose(spec);
}

/**
 * The bytes of listDocument from the records' elements already encoded (UTF-8 of
 * recordElement(spec, r, '  '), as the API caches them): a list page is then one copy.
 */
export function listDocumentOf(spec: ResourceSpec, elements: Buffer[], pagination?: Pagination): Buffer {
  const tail = pagination ? [Buffer.from(paginationElement(pagination)), Buffer.from(listClose(spec))] : [Buffer.from(listClose(spec))];
  return Buffer.concat([Buffer.from(listOpen(spec)), ...elements, ...tail]);
}
