// A parsed record element (<contact>, <firm>) → Input, with the tolerance old clients need:
// dasherized names, type/nil attributes, unknown elements ignored (and named, for the import's
// report), one child or many, and the three collection shapes Rails ActiveResource sends.
// Only allow-listed names are copied.
import { humanize } from '../contacts/messages.js';
import type { RawValue } from '../contacts/types.js';
import type { ChildInput, Input } from '../resources/draft.js';
import { knownNames, storedNames, type CollectionSpec, type DocField, type ResourceSpec } from '../resources/spec.js';
import type { XmlElement, XmlNode } from './document.js';
import { decodeEntities } from './entities.js';

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

/** Whether an unknown element carries a value (the import reports only those). */
function hasValue(node: XmlNode | XmlNode[]): boolean {
  if (Array.isArray(node)) return node.some(hasValue);
  if (typeof node === 'string') return node.trim() !== '';
  if (isNil(node)) return false;
  const text = node['#text'];
  return (typeof text === 'string' && text.trim() !== '') || elementKeys(node).length > 0;
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

const KEPT = (fields: DocField[]) => new Set(['id', ...fields.filter((f) => f.role === 'kept').map((f) => f.name)]);

/** The fields of one element: stored ones into `fields`, id and kept ones into `kept`, unknown names into `notKept`. */
function readFields(node: XmlElement, fields: DocField[], label: (name: string) => string, problems: string[], notKept: string[], prefix: string): { fields: Record<string, RawValue>; kept: Record<string, RawValue>; rest: Map<string, XmlNode | XmlNode[]> } {
  const stored = new Set(storedNames(fields));
  const kept = KEPT(fields);
  const known = knownNames(fields);
  const out = { fields: {} as Record<string, RawValue>, kept: {} as Record<string, RawValue>, rest: new Map<string, XmlNode | XmlNode[]>() };
  for (const [name, value] of elementsByName(node)) {
    if (stored.has(name) || kept.has(name)) {
      const read = readText(value, label(name));
      if (read.problem) problems.push(read.problem);
      else if (stored.has(name)) out.fields[name] = read.value as RawValue;
      else out.kept[name] = read.value as RawValue;
    } else if (!known.has(name)) {
      out.rest.set(name, value);
      if (hasValue(value)) notKept.push(prefix + name);
    }
  }
  return out;
}

function readChild(c: CollectionSpec, node: XmlNode, problems: string[], notKept: string[]): ChildInput {
  if (typeof node === 'string') {
    if (node !== '') problems.push(`${c.label} must contain elements, not text`);
    return { fields: {} };
  }
  const read = readFields(node, c.fields, (name) => `${c.label} ${humanize(name).toLowerCase()}`, problems, notKept, `${c.child}.`);
  const child: ChildInput = { fields: read.fields, kept: read.kept };
  if ('id' in read.kept) child.id = read.kept.id;
  return child;
}

function readCollection(c: CollectionSpec, node: XmlNode | XmlNode[], problems: string[], notKept: string[]): ChildInput[] | undefined {
  if (Array.isArray(node)) {
    problems.push(`${c.label} is given more than once`);
    return undefined;
  }
  if (typeof node === 'string' && node !== '') {
    problems.push(`${c.label} must contain <${c.child}> elements, not text`);
    return undefined;
  }
  const children: XmlNode[] = [];
  collectChildren(node, c.child, children);
  return children.map((child) => readChild(c, child, problems, notKept));
}

/** Reads the content of a record element. Its id, timestamps and authors are returned apart, in `kept`. */
export function readRecord(spec: ResourceSpec, node: XmlNode): Input {
  const input: Input = { fields: {}, problems: [], kept: {}, notKept: [] };
  if (typeof node === 'string') {
    if (node !== '') input.problems.push(`${spec.label} must contain elements, not text`);
    return input;
  }
  const notKept = input.notKept as string[];
  const read = readFields(node, spec.fields, humanize, input.problems, notKept, '');
  input.fields = read.fields;
  input.kept = read.kept;
  for (const c of spec.collections) {
    const value = read.rest.get(c.name);
    if (value === undefined) continue;
    if (notKept.includes(c.name)) notKept.splice(notKept.indexOf(c.name), 1);
    input[c.name] = readCollection(c, value, input.problems, notKept);
  }
  return input;
}
