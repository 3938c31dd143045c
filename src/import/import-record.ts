// One <contact> record of an import file → created, updated or unchanged, inside the
// caller's transaction. The file is authoritative for what it carries: the contact's id and
// its children's ids are kept, timestamps too; without <id>, <remote_id> is the key.
import type { Knex } from 'knex';
import { humanize, MESSAGES } from '../contacts/messages.js';
import { findContact, remoteIdTaken } from '../contacts/read.js';
import { ADDRESS_FIELDS, CONTACT_FIELDS, ITEM_FIELDS, type ChildInput, type Contact, type ContactInput, type ContactValues, type Lookups, type RawValue } from '../contacts/types.js';
import { checkContact, cleanDraft, cleanText, type ChildDraft, type ContactDraft } from '../contacts/validate.js';
import { insertContact, replaceContact } from '../contacts/write.js';
import { InvalidError } from '../errors.js';
import { parseTimestamp } from '../time.js';

export type ImportOutcome = 'created' | 'updated' | 'unchanged';

export type ImportInput = ContactInput & { id?: RawValue; created_at?: RawValue; updated_at?: RawValue };

type Precision = 'minute' | 'second';
interface FileTimestamp {
  date: Date;
  precision: Precision;
}

const ID = /^[1-9][0-9]{0,9}$/;

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

const text = (v: string | number | null): RawValue => (v === null ? null : String(v));

function fieldsOf<F extends string>(fields: readonly F[], source?: Record<string, unknown>): Record<F, RawValue> {
  return Object.fromEntries(fields.map((f) => [f, source ? text(source[f] as string | number | null) : null])) as Record<F, RawValue>;
}

/** The file's children: ids kept as given (checked later), fields laid over the stored child of that id. */
function fileChildren<F extends string>(listed: ChildInput<F>[], stored: { id: number }[], fields: readonly F[], label: string, errors: string[]): ChildDraft<F>[] {
  const byId = new Map(stored.map((s) => [s.id, s]));
  return listed.map((child) => {
    const rawId = cleanText(child.id ?? null);
    let id: number | undefined;
    if (rawId !== null) {
      if (ID.test(rawId)) id = Number(rawId);
      else errors.push(`${label} id ${MESSAGES.notANumber}`);
    }
    const base = id !== undefined && byId.has(id) ? fieldsOf(fields, byId.get(id) as unknown as Record<string, unknown>) : fieldsOf(fields);
    const merged = { ...base };
    for (const key of Object.keys(child.fields) as F[]) merged[key] = child.fields[key] ?? null;
    return { ...(id !== undefined && { id }), fields: merged };
  });
}

function importDraft(current: Contact | undefined, input: ImportInput, errors: string[]): ContactDraft {
  const fields = fieldsOf(CONTACT_FIELDS, current as unknown as Record<string, unknown> | undefined);
  for (const key of Object.keys(input.fields) as (keyof typeof fields)[]) fields[key] = input.fields[key] ?? null;
  const kept = <F extends string>(children: { id: number }[] | undefined, f: readonly F[]): ChildDraft<F>[] =>
    (children ?? []).map((c) => ({ id: c.id, fields: fieldsOf(f, c as unknown as Record<string, unknown>) }));
  return cleanDraft({
    fields,
    contact_addresses: input.contact_addresses
      ? fileChildren(input.contact_addresses, current?.contact_addresses ?? [], ADDRESS_FIELDS, 'Contact addresses', errors)
      : kept(current?.contact_addresses, ADDRESS_FIELDS),
    contact_items: input.contact_items ? fileChildren(input.contact_items, current?.contact_items ?? [], ITEM_FIELDS, 'Contact items', errors) : kept(current?.contact_items, ITEM_FIELDS),
  });
}

/** Child ids of the file that belong to some other contact: an error, never a takeover. */
async function foreignChildIds(trx: Knex.Transaction, table: string, values: { id?: number }[], contactId: number | undefined): Promise<number[]> {
  const ids = values.map((v) => v.id).filter((id): id is number => id !== undefined);
  if (ids.length === 0) return [];
  const rows = await trx(table).select('id', 'contact_id').whereIn('id', ids);
  return rows.filter((r) => Number(r.contact_id) !== contactId).map((r) => Number(r.id));
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

export async function importRecord(trx: Knex.Transaction, businessFileId: number, input: ImportInput, lookups: Lookups, now: () => Date): Promise<ImportOutcome> {
  const errors = [...input.problems];
  const rawId = cleanText(input.id ?? null);
  let id: number | undefined;
  if (rawId !== null) {
    if (ID.test(rawId)) id = Number(rawId);
    else errors.push(`Id ${MESSAGES.notANumber}`);
  }
  const created = readTimestamp(input.created_at, 'created_at', errors);
  const updated = readTimestamp(input.updated_at, 'updated_at', errors);

  let current: Contact | undefined;
  if (id !== undefined) {
    const owner = await trx('contacts').select('business_file_id').where('id', id).first();
    if (owner && Number(owner.business_file_id) !== businessFileId) throw new InvalidError([...errors, `Id ${id} belongs to another business file`]);
    if (owner) current = await findContact(trx, businessFileId, { id });
  } else {
    const remoteId = cleanText(input.fields.remote_id ?? null);
    if (remoteId !== null) current = await findContact(trx, businessFileId, { remoteId });
  }

  const draft = importDraft(current, input, errors);
  const checked = checkContact(draft, lookups, errors);
  const values = checked.values;
  const problems = [...(checked.errors ?? [])];
  if (draft.fields.remote_id !== null && (await remoteIdTaken(trx, businessFileId, draft.fields.remote_id, current?.id ?? id))) problems.push('Remote id has already been taken');
  if (values) {
    for (const [table, label, list] of [
      ['contact_addresses', 'Contact addresses', values.contact_addresses],
      ['contact_items', 'Contact items', values.contact_items],
    ] as const) {
      for (const foreign of await foreignChildIds(trx, table, list, current?.id ?? id)) problems.push(`${label} id ${foreign} belongs to another contact`);
    }
  }
  if (problems.length > 0 || !values) throw new InvalidError(problems);

  if (!current) {
    const createdAt = created?.date ?? now();
    await insertContact(trx, businessFileId, values, { id, createdAt, updatedAt: updated?.date ?? createdAt });
    return 'created';
  }
  if (unchanged(current, values, created, updated)) return 'unchanged';
  await replaceContact(trx, current, values, { createdAt: created?.date ?? current.created_at, updatedAt: updated?.date ?? now() });
  return 'updated';
}
