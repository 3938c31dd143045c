// Records of any resource ↔ JSON, mirroring the XML field for field: integers as numbers,
// empty values as null, collections as arrays, timestamps in ISO 8601.
import { humanize } from '../contacts/messages.js';
import type { Lookups, RawValue } from '../contacts/types.js';
import type { ChildInput, Input } from '../resources/draft.js';
import { storedNames, type DocField, type ResourceSpec, type Row } from '../resources/spec.js';
import { toIso } from '../time.js';
import type { Pagination } from '../xml/record-writer.js';

function fieldsObject(fields: DocField[], record: Row): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    const value = record[f.name];
    out[f.name] = value instanceof Date ? toIso(value) : (value ?? null);
  }
  return out;
}

export function recordObject(spec: ResourceSpec, record: Row): Record<string, unknown> {
  const out = fieldsObject(spec.fields, record);
  for (const c of spec.collections) out[c.name] = (record[c.name] as Row[]).map((child) => fieldsObject(c.fields, child));
  return out;
}

const COMMA = Buffer.from(',');
const CLOSE = Buffer.from('}');

/** `{"contact": …}` from the record's object already encoded (as cached). */
export function recordJsonOf(spec: ResourceSpec, json: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`{"${spec.name}":`), json, CLOSE]);
}

/** `{"contacts": […], "pagination": {…}}` from the records' objects already encoded. */
export function listJsonOf(spec: ResourceSpec, jsons: Buffer[], pagination?: Pagination): Buffer {
  const parts: Buffer[] = [Buffer.from(`{"${spec.plural}":[`)];
  jsons.forEach((json, i) => parts.push(...(i === 0 ? [json] : [COMMA, json])));
  parts.push(Buffer.from(pagination ? `],"pagination":${JSON.stringify(pagination)}}` : ']}'));
  return Buffer.concat(parts);
}

export class JsonShapeError extends Error {}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function scalar(value: unknown, label: string, problems: string[]): RawValue | undefined {
  if (value === null) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  problems.push(`${label} must be a string, a number or null`);
  return undefined;
}

function children(value: unknown, fields: string[], label: string, problems: string[]): ChildInput[] | undefined {
  if (value === null) return [];
  if (!Array.isArray(value)) {
    problems.push(`${label} must be an array`);
    return undefined;
  }
  return value.map((child) => {
    const out: ChildInput = { fields: {} };
    if (!isObject(child)) {
      problems.push(`${label} must contain objects`);
      return out;
    }
    for (const [key, v] of Object.entries(child)) {
      if (key !== 'id' && !fields.includes(key)) continue;
      const read = scalar(v, `${label} ${humanize(key).toLowerCase()}`, problems);
      if (read === undefined) continue;
      if (key === 'id') out.id = read;
      else out.fields[key] = read;
    }
    return out;
  });
}

/** A JSON body `{"contact": {...}}` → Input: numbers become their decimal text, null is empty, unknown keys are ignored. */
export function readJsonRecord(spec: ResourceSpec, text: string): Input {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new JsonShapeError(`Malformed JSON: ${(error as Error).message}`);
  }
  if (!isObject(parsed) || !isObject(parsed[spec.name])) throw new JsonShapeError(`The body must be a JSON object {"${spec.name}": {...}}.`);
  const input: Input = { fields: {}, problems: [] };
  const stored = storedNames(spec.fields);
  for (const [key, value] of Object.entries(parsed[spec.name] as Record<string, unknown>)) {
    const collection = spec.collections.find((c) => c.name === key);
    if (collection) input[key] = children(value, storedNames(collection.fields), collection.label, input.problems);
    else if (stored.includes(key)) {
      const read = scalar(value, humanize(key), input.problems);
      if (read !== undefined) input.fields[key] = read;
    }
  }
  return input;
}

export function lookupsJson(l: Lookups) {
  return {
    lookups: {
      civility_labels: [...l.civilityLabels].map(([id, label]) => ({ id, label })),
      address_types: [...l.addressTypes].map(([id, label]) => ({ id, label })),
      contact_item_types: [...l.itemTypes].map(([id, t]) => ({ id, label: t.label, kind: t.kind })),
      contact_types: [...l.contactTypes].map(([id, label]) => ({ id, label })),
    },
  };
}
