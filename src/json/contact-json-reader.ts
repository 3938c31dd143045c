// A JSON body `{"contact": {...}}` → ContactInput, with the same allow-listing as the XML
// reader: numbers become their decimal text, null is empty, unknown keys are ignored.
import { humanize } from '../contacts/messages.js';
import { ADDRESS_FIELDS, CONTACT_FIELDS, ITEM_FIELDS, type ChildInput, type ContactInput, type RawValue } from '../contacts/types.js';

export class JsonShapeError extends Error {}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function scalar(value: unknown, label: string, problems: string[]): RawValue | undefined {
  if (value === null) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  problems.push(`${label} must be a string, a number or null`);
  return undefined;
}

function children<F extends string>(value: unknown, fields: readonly F[], label: string, problems: string[]): ChildInput<F>[] | undefined {
  if (value === null) return [];
  if (!Array.isArray(value)) {
    problems.push(`${label} must be an array`);
    return undefined;
  }
  return value.map((child) => {
    const out: ChildInput<F> = { fields: {} };
    if (!isObject(child)) {
      problems.push(`${label} must contain objects`);
      return out;
    }
    for (const [key, v] of Object.entries(child)) {
      if (key !== 'id' && !(fields as readonly string[]).includes(key)) continue;
      const read = scalar(v, `${label} ${humanize(key).toLowerCase()}`, problems);
      if (read === undefined) continue;
      if (key === 'id') out.id = read;
      else out.fields[key as F] = read;
    }
    return out;
  });
}

export function readJsonContact(text: string): ContactInput {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new JsonShapeError(`Malformed JSON: ${(error as Error).message}`);
  }
  if (!isObject(parsed) || !isObject(parsed.contact)) throw new JsonShapeError('The body must be a JSON object {"contact": {...}}.');
  const input: ContactInput = { fields: {}, problems: [] };
  for (const [key, value] of Object.entries(parsed.contact)) {
    if (key === 'contact_addresses') input.contact_addresses = children(value, ADDRESS_FIELDS, 'Contact addresses', input.problems);
    else if (key === 'contact_items') input.contact_items = children(value, ITEM_FIELDS, 'Contact items', input.problems);
    else if ((CONTACT_FIELDS as readonly string[]).includes(key)) {
      const read = scalar(value, humanize(key), input.problems);
      if (read !== undefined) input.fields[key as keyof ContactInput['fields']] = read;
    }
  }
  return input;
}
