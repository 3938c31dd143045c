// A parsed <contact> element → ContactInput, with the tolerance old clients need: dasherized
// names, type/nil attributes, unknown elements ignored, one child or many, and the three
// collection shapes Rails ActiveResource sends. Only allow-listed names are copied.
import {
  ADDRESS_FIELDS,
  CONTACT_FIELDS,
  ITEM_FIELDS,
  type ChildInput,
  type ContactInput,
  type RawValue,
} from '../contacts/types.js';
import { humanize } from '../contacts/messages.js';
import { decodeEntities } from './entities.js';
import type { XmlElement, XmlNode } from './document.js';

type Read<T> = { value: T; problem?: undefined } | { value?: undefined; problem: string };

const normalName = (name: string) => name.replace(/-/g, '_');
const isAttributeOrText = (key: string) => key.startsWith('@_') || key === '#text';

function elementKeys(node: XmlElement): string[] {
  return Object.keys(node).filter((key) => !isAttributeOrText(key));
}

/**
 * Child elements by underscored name. The parser keeps `last_name` and `last-name` apart;
 * here they are one name, and both spellings together count as the element given twice.
 */
function elementsByName(node: XmlElement): Map<string, XmlNode | XmlNode[]> {
  const byName = new Map<string, XmlNode | XmlNode[]>();
  for (const key of elementKeys(node)) {
    const name = normalName(key);
    const previous = byName.get(name);
    const value = node[key];
    if (previous === undefined) byName.set(name, value);
    else byName.set(name, [...(Array.isArray(previous) ? previous : [previous]), ...(Array.isArray(value) ? value : [value])]);
  }
  return byName;
}

function isNil(node: XmlElement): boolean {
  return node['@_nil'] === 'true';
}

function readText(node: XmlNode | XmlNode[], label: string): Read<RawValue> {
  if (Array.isArray(node)) return { problem: `${label} is given more than once` };
  if (typeof node === 'string') return { value: node === '' ? null : decodeEntities(node) };
  if (isNil(node)) return { value: null };
  if (elementKeys(node).length > 0) return { problem: `${label} must be text, not elements` };
  const text = node['#text'];
  return { value: typeof text === 'string' && text !== '' ? decodeEntities(text) : null };
}

/** Every element named `childName` inside a collection, unwrapping `type="array"` layers. */
function collectChildren(node: XmlNode, childName: string, out: XmlNode[]): void {
  if (typeof node === 'string' || isNil(node)) return;
  const values = elementsByName(node).get(childName);
  if (values !== undefined) {
    for (const child of Array.isArray(values) ? values : [values]) {
      const wrapper = typeof child === 'object' && elementKeys(child).some((k) => normalName(k) === childName);
      if (wrapper) collectChildren(child, childName, out);
      else out.push(child);
    }
  }
}

function readChild<F extends string>(node: XmlNode, fields: readonly F[], label: string, problems: string[]): ChildInput<F> {
  const child: ChildInput<F> = { fields: {} };
  if (typeof node === 'string') {
    if (node !== '') problems.push(`${label} must contain elements, not text`);
    return child;
  }
  for (const [name, value] of elementsByName(node)) {
    if (name !== 'id' && !(fields as readonly string[]).includes(name)) continue;
    const read = readText(value, `${label} ${humanize(name).toLowerCase()}`);
    if (read.problem) problems.push(read.problem);
    else if (name === 'id') child.id = read.value;
    else child.fields[name as F] = read.value;
  }
  return child;
}

function readCollection<F extends string>(
  node: XmlNode | XmlNode[],
  childName: string,
  fields: readonly F[],
  label: string,
  problems: string[],
): ChildInput<F>[] | undefined {
  if (Array.isArray(node)) {
    problems.push(`${label} is given more than once`);
    return undefined;
  }
  if (typeof node === 'string' && node !== '') {
    problems.push(`${label} must contain <${childName}> elements, not text`);
    return undefined;
  }
  const children: XmlNode[] = [];
  collectChildren(node, childName, children);
  return children.map((child) => readChild(child, fields, label, problems));
}

/** Reads the content of a <contact> element. `<id>` and timestamps are returned apart. */
export function readContact(node: XmlNode): ContactInput & { id?: RawValue; created_at?: RawValue; updated_at?: RawValue } {
  const input: ContactInput & { id?: RawValue; created_at?: RawValue; updated_at?: RawValue } = { fields: {}, problems: [] };
  if (typeof node === 'string') {
    if (node !== '') input.problems.push('Contact must contain elements, not text');
    return input;
  }
  for (const [name, value] of elementsByName(node)) {
    if (name === 'contact_addresses') {
      input.contact_addresses = readCollection(value, 'contact_address', ADDRESS_FIELDS, 'Contact addresses', input.problems);
    } else if (name === 'contact_items') {
      input.contact_items = readCollection(value, 'contact_item', ITEM_FIELDS, 'Contact items', input.problems);
    } else if ((CONTACT_FIELDS as readonly string[]).includes(name) || name === 'id' || name === 'created_at' || name === 'updated_at') {
      const read = readText(value, humanize(name));
      if (read.problem) input.problems.push(read.problem);
      else if (name === 'id' || name === 'created_at' || name === 'updated_at') input[name] = read.value;
      else input.fields[name as keyof ContactInput['fields']] = read.value;
    }
  }
  return input;
}
