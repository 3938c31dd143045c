// Validation as data, for any resource: a cleaned draft (every field as text or null) → typed
// values, or every problem as a full sentence starting with the humanized field name. Pure:
// lookups are passed in. Checks that need the database (remote_id taken, a firm's parent) are
// the service's.
import { humanize, MESSAGES } from '../contacts/messages.js';
import type { Lookups, RawValue } from '../contacts/types.js';
import { storedFields, type DocField, type FieldRule, type ResourceSpec, type Value } from './spec.js';

export const MAX_CHILDREN = 100;
const MAX_INTEGER = Number.MAX_SAFE_INTEGER;

export interface ChildDraft {
  /** The id of the existing child this one updates (or, in an import, the file's id). */
  id?: number;
  fields: Record<string, RawValue>;
}

/** A record as text: its own fields, and each collection of the spec under its name. */
export interface Draft {
  fields: Record<string, RawValue>;
  [collection: string]: ChildDraft[] | Record<string, RawValue>;
}

export type ChildValues = Record<string, Value> & { id?: number };
/** Typed values ready to store: the record's stored fields, and each collection's children. */
export type Values = Record<string, Value | ChildValues[]>;

export const childrenOf = (draft: Draft, name: string) => (draft[name] as ChildDraft[] | undefined) ?? [];

const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;
const DECIMAL = /^[0-9]+$/;

/** Length as MySQL counts it: code points, so an emoji is one character. */
const length = (text: string) => (text.length < 100 ? [...text].length : Array.from(text).length);

/** Trimmed text with newlines normalized; empty becomes null. */
export function cleanText(value: RawValue | undefined): RawValue {
  if (value === null || value === undefined) return null;
  const text = (value.includes('\r') ? value.replace(/\r\n?/g, '\n') : value).trim();
  return text === '' ? null : text;
}

const cleanFields = (fields: Record<string, RawValue>) => Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, cleanText(v)]));

/** Normalizes every text of a draft (trim, newlines, empty → null). */
export function cleanDraft(spec: ResourceSpec, draft: Draft): Draft {
  const out: Draft = { fields: cleanFields(draft.fields) };
  for (const c of spec.collections) out[c.name] = childrenOf(draft, c.name).map((child) => ({ ...child, fields: cleanFields(child.fields) }));
  return out;
}

class Checker {
  readonly errors: string[] = [];

  add(label: string, message: string): void {
    const sentence = `${label} ${message}`;
    if (!this.errors.includes(sentence)) this.errors.push(sentence);
  }

  check(label: string, rule: FieldRule, value: RawValue, lookups: Lookups): Value {
    if (value === null) {
      if (rule.type !== 'reference' && rule.required) this.add(label, MESSAGES.blank);
      return null;
    }
    if (rule.type === 'text') {
      if (length(value) > rule.max && !rule.pattern) this.add(label, MESSAGES.tooLong(rule.max));
      if (CONTROL.test(value)) this.add(label, MESSAGES.controlCharacter);
      if (rule.pattern && !rule.pattern.re.test(value)) this.add(label, rule.pattern.message);
      return value;
    }
    if (rule.type === 'lookup') {
      const table = lookups[rule.table] as Map<unknown, unknown>;
      const numeric = typeof table.keys().next().value === 'number';
      const key = numeric ? (DECIMAL.test(value) && value.length < 10 ? Number(value) : undefined) : value;
      if (key === undefined || !table.has(key)) {
        this.add(label, MESSAGES.notIncluded);
        return null;
      }
      return key as Value;
    }
    if (!DECIMAL.test(value)) this.add(label, MESSAGES.notANumber);
    else if (Number(value) === 0) this.add(label, MESSAGES.mustBePositive);
    else if (Number(value) > MAX_INTEGER) this.add(label, MESSAGES.tooBig(MAX_INTEGER));
    else return Number(value);
    return null;
  }

  fields(fields: DocField[], source: Record<string, RawValue>, lookups: Lookups, label: (name: string) => string): Record<string, Value> {
    const values: Record<string, Value> = {};
    for (const f of storedFields(fields)) values[f.name] = this.check(label(f.name), f.rule, source[f.name] ?? null, lookups);
    return values;
  }
}

export type Checked = { values: Values; errors?: undefined } | { values?: undefined; errors: string[] };

/** Validates a cleaned draft; `extraErrors` (shape problems, foreign ids) are listed first. */
export function checkRecord(spec: ResourceSpec, draft: Draft, lookups: Lookups, extraErrors: string[] = []): Checked {
  const check = new Checker();
  extraErrors.forEach((e) => check.errors.push(e));
  const values: Values = check.fields(spec.fields, draft.fields, lookups, humanize);
  for (const c of spec.collections) {
    const children = childrenOf(draft, c.name);
    values[c.name] = children.map((child) => {
      const v: ChildValues = check.fields(c.fields, child.fields, lookups, (name) => `${c.label} ${humanize(name).toLowerCase()}`);
      for (const problem of c.check?.(v, lookups) ?? []) check.add(c.label, problem);
      if (child.id !== undefined) v.id = child.id;
      return v;
    });
    if (children.length > MAX_CHILDREN) check.add(c.label, MESSAGES.tooMany(MAX_CHILDREN, c.noun));
  }
  return check.errors.length > 0 ? { errors: check.errors } : { values };
}
