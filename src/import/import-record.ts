// One <contact> record of an import file → created, updated or unchanged, inside the
// caller's transaction. The file is authoritative for what it carries: the contact's id and
// its children's ids are kept, timestamps too; without <id>, <remote_id> is the key.
import { isPositiveId } from '../ids.js';
import { fieldsAsText, overlay } from '../contacts/draft.js';
import { humanize, MESSAGES } from '../contacts/messages.js';
import { ADDRESS_FIELDS, CONTACT_FIELDS, ITEM_FIELDS, type ChildInput, type Contact, type ContactInput, type ContactValues, type Lookups, type RawValue } from '../contacts/types.js';
import { checkContact, cleanDraft, cleanText, type ChildDraft, type ContactDraft } from '../contacts/validate.js';
import { InvalidError } from '../errors.js';
import { parseTimestamp } from '../time.js';

export type ImportOutcome = 'created' | 'updated' | 'unchanged';

export type ChildTable = 'contact_addresses' | 'contact_items';

/** What the import of one record needs to know of the database (prefetched per chunk). */
export interface ImportLookup {
  /** The business file of a contact id, when the id exists. */
  ownerOf(id: number): number | undefined;
  contactById(id: number): Contact | undefined;
  contactByRemoteId(remoteId: string): Contact | undefined;
  /** The id of this business file's contact with that remote_id. */
  remoteIdOwner(remoteId: string): number | undefined;
  /** The contact a child id belongs to, when the id exists. */
  childOwner(table: ChildTable, id: number): number | undefined;
}

export interface Times {
  createdAt: Date;
  updatedAt: Date;
}

/** Where the import of one record writes (buffered per chunk). */
export interface ImportWriter {
  create(values: ContactValues, id: number | undefined, times: Times): void;
  replace(current: Contact, values: ContactValues, times: Times): void;
}

export interface RecordKeys {
  id?: number;
  remoteId?: string;
  childIds: Record<ChildTable, number[]>;
}

const childIdsOf = (children: ChildInput<string>[] | undefined): number[] =>
  (children ?? []).map((c) => cleanText(c.id ?? null)).filter((id): id is string => id !== null && isPositiveId(id)).map(Number);

/** The keys a record touches: used to prefetch, and to keep two records of one chunk apart. */
export function recordKeys(input: ImportInput): RecordKeys {
  const rawId = cleanText(input.id ?? null);
  const remoteId = cleanText(input.fields.remote_id ?? null);
  return {
    ...(rawId !== null && isPositiveId(rawId) && { id: Number(rawId) }),
    ...(remoteId !== null && { remoteId }),
    childIds: { contact_addresses: childIdsOf(input.contact_addresses), contact_items: childIdsOf(input.contact_items) },
  };
}

export type ImportInput = ContactInput & { id?: RawValue; created_at?: RawValue; updated_at?: RawValue };

type Precision = 'minute' | 'second';
interface FileTimestamp {
  date: Date;
  precision: Precision;
}

function readTimestamp(raw: RawValue | undefined, field: string, errors: string[]): FileTimestamp | undefined {
  const text = cleanText(raw);
  if (text === null) return undefined;
  const date = parseTimestamp(text);
  if (!date) {
    errors.push(`${humanize(field)} is not a valid timestamp`);
    return undefined;
  }
  return { date, precision: /^\d{2}-\d{2}-\d{4}-\d{2}-\d{2}$/.test(text) || !/T?\d{2}:\d{2}:\d{2}/.test(text) ? 'minute' : 'second' };
}

function sameAtPrecision(stored: Date, file: FileTimestamp): boolean {
  const unit = file.precision === 'minute' ? 60_000 : 1000;
  return Math.floor(stored.getTime() / unit) === Math.floor(file.date.getTime() / unit);
}

/** The file's children: ids kept as given (checked later), fields laid over the stored child of that id. */
function fileChildren<F extends string>(listed: ChildInput<F>[], stored: { id: number }[], fields: readonly F[], label: string, errors: string[]): ChildDraft<F>[] {
  const byId = new Map(stored.map((s) => [s.id, s]));
  return listed.map((child) => {
    const rawId = cleanText(child.id ?? null);
    let id: number | undefined;
    if (rawId !== null) {
      if (isPositiveId(rawId)) id = Number(rawId);
      else errors.push(`${label} id ${MESSAGES.notANumber}`);
    }
    const base = fieldsAsText(fields, id === undefined ? undefined : byId.get(id));
    return { ...(id !== undefined && { id }), fields: overlay(base, child.fields) };
  });
}

function importDraft(current: Contact | undefined, input: ImportInput, errors: string[]): ContactDraft {
  const kept = <F extends string>(children: { id: number }[] | undefined, f: readonly F[]): ChildDraft<F>[] => (children ?? []).map((c) => ({ id: c.id, fields: fieldsAsText(f, c) }));
  return cleanDraft({
    fields: overlay(fieldsAsText(CONTACT_FIELDS, current), input.fields),
    contact_addresses: input.contact_addresses
      ? fileChildren(input.contact_addresses, current?.contact_addresses ?? [], ADDRESS_FIELDS, 'Contact addresses', errors)
      : kept(current?.contact_addresses, ADDRESS_FIELDS),
    contact_items: input.contact_items ? fileChildren(input.contact_items, current?.contact_items ?? [], ITEM_FIELDS, 'Contact items', errors) : kept(current?.contact_items, ITEM_FIELDS),
  });
}

/** Child ids of the file that belong to some other contact: an error, never a takeover. */
function foreignChildIds(lookup: ImportLookup, table: ChildTable, values: { id?: number }[], contactId: number | undefined): number[] {
  return values
    .map((v) => v.id)
    .filter((id): id is number => {
      if (id === undefined) return false;
      const owner = lookup.childOwner(table, id);
      return owner !== undefined && owner !== contactId;
    });
}

function childrenEqual<V extends { id?: number }>(stored: ({ id: number } & V)[], next: V[], fields: readonly string[]): boolean {
  if (stored.length !== next.length) return false;
  return next.every((child, i) => {
    const s = stored[i] as unknown as Record<string, unknown>;
    return (child.id === undefined || child.id === stored[i].id) && fields.every((f) => s[f] === (child as unknown as Record<string, unknown>)[f]);
  });
}

function unchanged(current: Contact, values: ContactValues, created?: FileTimestamp, updated?: FileTimestamp): boolean {
  return (
    CONTACT_FIELDS.every((f) => current[f] === values[f]) &&
    childrenEqual(current.contact_addresses, values.contact_addresses, ADDRESS_FIELDS) &&
    childrenEqual(current.contact_items, values.contact_items, ITEM_FIELDS) &&
    (!created || sameAtPrecision(current.created_at, created)) &&
    (!updated || sameAtPrecision(current.updated_at, updated))
  );
}

export function importRecord(lookup: ImportLookup, writer: ImportWriter, businessFileId: number, input: ImportInput, lookups: Lookups, now: () => Date): ImportOutcome {
  const errors = [...input.problems];
  const rawId = cleanText(input.id ?? null);
  let id: number | undefined;
  if (rawId !== null) {
    if (isPositiveId(rawId)) id = Number(rawId);
    else errors.push(`Id ${MESSAGES.notANumber}`);
  }
  const created = readTimestamp(input.created_at, 'created_at', errors);
  const updated = readTimestamp(input.updated_at, 'updated_at', errors);

  let current: Contact | undefined;
  if (id !== undefined) {
    const owner = lookup.ownerOf(id);
    if (owner !== undefined && owner !== businessFileId) throw new InvalidError([...errors, `Id ${id} belongs to another business file`]);
    current = lookup.contactById(id);
  } else {
    const remoteId = cleanText(input.fields.remote_id ?? null);
    if (remoteId !== null) current = lookup.contactByRemoteId(remoteId);
  }

  const draft = importDraft(current, input, errors);
  const checked = checkContact(draft, lookups, errors);
  const values = checked.values;
  const problems = [...(checked.errors ?? [])];
  const remoteOwner = draft.fields.remote_id === null ? undefined : lookup.remoteIdOwner(draft.fields.remote_id);
  if (remoteOwner !== undefined && remoteOwner !== (current?.id ?? id)) problems.push('Remote id has already been taken');
  if (values) {
    for (const [table, label, list] of [
      ['contact_addresses', 'Contact addresses', values.contact_addresses],
      ['contact_items', 'Contact items', values.contact_items],
    ] as const) {
      for (const foreign of foreignChildIds(lookup, table, list, current?.id ?? id)) problems.push(`${label} id ${foreign} belongs to another contact`);
    }
  }
  if (problems.length > 0 || !values) throw new InvalidError(problems);

  if (!current) {
    const createdAt = created?.date ?? now();
    writer.create(values, id, { createdAt, updatedAt: updated?.date ?? createdAt });
    return 'created';
  }
  if (unchanged(current, values, created, updated)) return 'unchanged';
  writer.replace(current, values, { createdAt: created?.date ?? current.created_at, updatedAt: updated?.date ?? now() });
  return 'updated';
}
