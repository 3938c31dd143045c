// Builds the draft to validate from a client's input: on create, the input alone; on update,
// the stored contact with the input laid over it (partial update, collection replacement).
import { MESSAGES } from './messages.js';
import {
  ADDRESS_FIELDS,
  CONTACT_FIELDS,
  ITEM_FIELDS,
  type ChildInput,
  type Contact,
  type ContactInput,
  type RawValue,
} from './types.js';
import { cleanDraft, type ChildDraft, type ContactDraft } from './validate.js';

/** The given fields of a stored record as text (all null without a record). */
export function fieldsAsText<F extends string>(fields: readonly F[], source?: object): Record<F, RawValue> {
  const record = source as Record<string, string | number | null> | undefined;
  return Object.fromEntries(fields.map((f) => [f, record?.[f] == null ? null : String(record[f])])) as Record<F, RawValue>;
}

const emptyFields = <F extends string>(fields: readonly F[]) => fieldsAsText(fields);

/** The fields an input carries, laid over a base: present and empty means cleared. */
export function overlay<F extends string>(base: Record<F, RawValue>, input: Partial<Record<F, RawValue>>): Record<F, RawValue> {
  const out = { ...base };
  for (const key of Object.keys(input) as F[]) out[key] = input[key] ?? null;
  return out;
}

export function draftForCreate(input: ContactInput): ContactDraft {
  const newChild = <F extends string>(fields: readonly F[]) => (c: ChildInput<F>): ChildDraft<F> => ({ fields: overlay(emptyFields(fields), c.fields) });
  return cleanDraft({
    fields: overlay(emptyFields(CONTACT_FIELDS), input.fields),
    contact_addresses: (input.contact_addresses ?? []).map(newChild(ADDRESS_FIELDS)),
    contact_items: (input.contact_items ?? []).map(newChild(ITEM_FIELDS)),
  });
}

/** The stored contact as a draft, every value as text. */
function draftOf(contact: Contact): ContactDraft {
  return {
    fields: fieldsAsText(CONTACT_FIELDS, contact),
    contact_addresses: contact.contact_addresses.map((a) => ({ id: a.id, fields: fieldsAsText(ADDRESS_FIELDS, a) })),
    contact_items: contact.contact_items.map((i) => ({ id: i.id, fields: fieldsAsText(ITEM_FIELDS, i) })),
  };
}

/**
 * Replaces a collection by what the client listed: a child naming one of the existing ids
 * updates it (partially), a child without id is new; an id that is not one of the existing
 * children is reported in `errors`.
 */
function replaceChildren<F extends string>(
  existing: ChildDraft<F>[],
  listed: ChildInput<F>[],
  fields: readonly F[],
  label: string,
  noun: string,
  errors: string[],
): ChildDraft<F>[] {
  const byId = new Map(existing.map((c) => [c.id as number, c]));
  const used = new Set<number>();
  const result: ChildDraft<F>[] = [];
  for (const child of listed) {
    const rawId = child.id?.trim();
    if (!rawId) {
      result.push({ fields: overlay(emptyFields(fields), child.fields) });
      continue;
    }
    const id = /^[0-9]{1,15}$/.test(rawId) ? Number(rawId) : NaN;
    const current = byId.get(id);
    if (!current || used.has(id)) {
      errors.push(`${label} ${MESSAGES.notAChild(rawId, noun)}`);
      continue;
    }
    used.add(id);
    result.push({ id, fields: overlay(current.fields, child.fields) });
  }
  return result;
}

export function draftForUpdate(current: Contact, input: ContactInput): { draft: ContactDraft; errors: string[] } {
  const errors: string[] = [];
  const base = draftOf(current);
  const draft: ContactDraft = {
    fields: overlay(base.fields, input.fields),
    contact_addresses: input.contact_addresses
      ? replaceChildren(base.contact_addresses, input.contact_addresses, ADDRESS_FIELDS, 'Contact addresses', 'addresses', errors)
      : base.contact_addresses,
    contact_items: input.contact_items
      ? replaceChildren(base.contact_items, input.contact_items, ITEM_FIELDS, 'Contact items', 'items', errors)
      : base.contact_items,
  };
  return { draft: cleanDraft(draft), errors };
}
