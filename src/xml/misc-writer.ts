// The small documents: error lists and the lookup tables.
import type { Lookups } from '../contacts/types.js';
import { element, replaceNonXml, XML_DECLARATION } from './escape.js';

/** Messages may quote the request (a bad tag name): what XML 1.0 cannot carry becomes U+FFFD. */
export function errorsDocument(messages: string[]): string {
  return `${XML_DECLARATION}<errors>\n${messages.map((m) => element('  ', 'error', replaceNonXml(m))).join('')}</errors>\n`;
}

function table<K extends string | number, V>(name: string, row: string, entries: Iterable<[K, V]>, fields: (id: K, v: V) => [string, string | number][]): string {
  let out = `  <${name}>\n`;
  for (const [id, value] of entries) {
    out += `    <${row}>\n` + fields(id, value).map(([tag, text]) => element('      ', tag, text)).join('') + `    </${row}>\n`;
  }
  return out + `  </${name}>\n`;
}

export function lookupsDocument(l: Lookups): string {
  return (
    `${XML_DECLARATION}<lookups>\n` +
    table('civility_labels', 'civility_label', l.civilityLabels, (id, label) => [['id', id], ['label', label]]) +
    table('address_types', 'address_type', l.addressTypes, (id, label) => [['id', id], ['label', label]]) +
    table('contact_item_types', 'contact_item_type', l.itemTypes, (id, t) => [['id', id], ['label', t.label], ['kind', t.kind]]) +
    table('contact_types', 'contact_type', l.contactTypes, (id, label) => [['id', id], ['label', label]]) +
    `</lookups>\n`
  );
}
