// A client's input for any resource, and the draft to validate built from it: on create, the
// input alone; on update, the stored record with the input laid over it (partial update,
// collection replacement keeping the ids of listed children).
import { MESSAGES } from '../contacts/messages.js';
import type { RawValue } from '../contacts/types.js';
import { storedNames, type CollectionSpec, type ResourceSpec, type Row } from './spec.js';
import { cleanDraft, type ChildDraft, type Draft } from './validate.js';

/** One child of a collection as sent by a client. `id` is present when the client named one. */
export interface ChildInput {
  id?: RawValue;
  fields: Partial<Record<string, RawValue>>;
  /** Kept values as given (timestamps, authors): used by imports only. */
  kept?: Record<string, RawValue>;
}

/**
 * A record as sent by a client: only the fields present. A collection is under its name: absent
 * is `undefined` (untouched on update), present lists the whole new set. `problems` are shape
 * errors found while reading; `kept` the id, timestamps and authors as given (imports keep
 * them); `notKept` the names of elements the service does not keep (the import reports them).
 */
export interface Input {
  fields: Partial<Record<string, RawValue>>;
  problems: string[];
  kept?: Record<string, RawValue>;
  notKept?: string[];
  [collection: string]: unknown;
}

export const listedChildren = (input: Input, name: string) => input[name] as ChildInput[] | undefined;

/** The given fields of a stored record as text (all null without a record). */
export function fieldsAsText(fields: readonly string[], source?: object): Record<string, RawValue> {
  const record = source as Record<string, unknown> | undefined;
  return Object.fromEntries(fields.map((f) => [f, record?.[f] == null ? null : String(record[f])]));
}

/** The fields an input carries, laid over a base: present and empty means cleared. */
export function overlay(base: Record<string, RawValue>, input: Partial<Record<string, RawValue>>): Record<string, RawValue> {
  const out = { ...base };
  for (const key of Object.keys(input)) out[key] = input[key] ?? null;
  return out;
}

const newChild = (c: CollectionSpec) => (child: ChildInput): ChildDraft => ({ fields: overlay(fieldsAsText(storedNames(c.fields)), child.fields) });

export function draftForCreate(spec: ResourceSpec, input: Input): Draft {
  const draft: Draft = { fields: overlay(fieldsAsText(storedNames(spec.fields)), input.fields) };
  for (const c of spec.collections) draft[c.name] = (listedChildren(input, c.name) ?? []).map(newChild(c));
  return cleanDraft(spec, draft);
}

/** The stored record as a draft, every value as text. */
export function draftOf(spec: ResourceSpec, record: Row): Draft {
  const draft: Draft = { fields: fieldsAsText(storedNames(spec.fields), record) };
  for (const c of spec.collections) {
    draft[c.name] = (record[c.name] as Row[]).map((child) => ({ id: child.id, fields: fieldsAsText(storedNames(c.fields), child) }));
  }
  return draft;
}

/**
 * Replaces a collection by what the client listed: a child naming one of the existing ids
 * updates it (partially), a child without id is new; an id that is not one of the existing
 * children is reported in `errors`.
 */
function replaceChildren(spec: ResourceSpec, c: CollectionSpec, existing: ChildDraft[], listed: ChildInput[], errors: string[]): ChildDraft[] {
  const byId = new Map(existing.map((child) => [child.id as number, child]));
  const used = new Set<number>();
  const result: ChildDraft[] = [];
  for (const child of listed) {
    const rawId = child.id?.trim();
    if (!rawId) {
      result.push(newChild(c)(child));
      continue;
    }
    const id = /^[0-9]{1,15}$/.test(rawId) ? Number(rawId) : NaN;
    const current = byId.get(id);
    if (!current || used.has(id)) {
      errors.push(`${c.label} ${MESSAGES.notAChild(rawId, c.noun, spec.name)}`);
      continue;
    }
    used.add(id);
    result.push({ id, fields: overlay(current.fields, child.fields) });
  }
  return result;
}

export function draftForUpdate(spec: ResourceSpec, current: Row, input: Input): { draft: Draft; errors: string[] } {
  const errors: string[] = [];
  const base = draftOf(spec, current);
  const draft: Draft = { fields: overlay(base.fields, input.fields) };
  for (const c of spec.collections) {
    const listed = listedChildren(input, c.name);
    draft[c.name] = listed ? replaceChildren(spec, c, base[c.name] as ChildDraft[], listed, errors) : base[c.name];
  }
  return { draft: cleanDraft(spec, draft), errors };
}
