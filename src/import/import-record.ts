// One record of an import file (<contact>, <firm>) → created, updated or unchanged, inside the
// caller's transaction. The file is authoritative for what it carries: the record's id and its
// children's ids are kept, timestamps and authors too; without <id>, <remote_id> is the key.
import { humanize, MESSAGES } from '../contacts/messages.js';
import type { Lookups, RawValue } from '../contacts/types.js';
import { InvalidError } from '../errors.js';
import { isPositiveId } from '../ids.js';
import { fieldsAsText, listedChildren, overlay, type ChildInput, type Input } from '../resources/draft.js';
import { storedNames, type CollectionSpec, type DocField, type ResourceSpec, type Row } from '../resources/spec.js';
import { checkRecord, cleanDraft, cleanText, type ChildDraft, type ChildValues, type Draft, type Values } from '../resources/validate.js';
import { parseTimestamp } from '../time.js';

export type ImportOutcome = 'created' | 'updated' | 'unchanged';

/** What the import of one record needs to know of the database (prefetched per chunk). */
export interface ImportLookup {
  /** The business file of a record id, when the id exists. */
  ownerOf(id: number): number | undefined;
  recordById(id: number): Row | undefined;
  recordByRemoteId(remoteId: string): Row | undefined;
  /** The id of this business file's record with that remote_id. */
  remoteIdOwner(remoteId: string): number | undefined;
  /** The record a child id belongs to, when the id exists. */
  childOwner(collection: string, id: number): number | undefined;
}

export interface Times {
  createdAt: Date;
  updatedAt: Date;
}

/** Where the import of one record writes (buffered per chunk). */
export interface ImportWriter {
  create(values: Values, id: number | undefined, times: Times): void;
  replace(current: Row, values: Values, times: Times): void;
}

export interface RecordKeys {
  id?: number;
  remoteId?: string;
  childIds: Record<string, number[]>;
}

const childIdsOf = (children: ChildInput[] | undefined): number[] =>
  (children ?? []).map((c) => cleanText(c.id ?? null)).filter((id): id is string => id !== null && isPositiveId(id)).map(Number);

/** The keys a record touches: used to prefetch, and to keep two records of one chunk apart. */
export function recordKeys(spec: ResourceSpec, input: Input): RecordKeys {
  const rawId = cleanText(input.kept?.id ?? null);
  const remoteId = cleanText(input.fields.remote_id ?? null);
  return {
    ...(rawId !== null && isPositiveId(rawId) && { id: Number(rawId) }),
    ...(remoteId !== null && { remoteId }),
    childIds: Object.fromEntries(spec.collections.map((c) => [c.name, childIdsOf(listedChildren(input, c.name))])),
  };
}

type Precision = 'minute' | 'second';
interface FileTimestamp {
  date: Date;
  precision: Precision;
}

function readTimestamp(raw: RawValue | undefined, label: string, errors: string[]): FileTimestamp | undefined {
  const text = cleanText(raw);
  if (text === null) return undefined;
  const date = parseTimestamp(text);
  if (!date) {
    errors.push(`${label} is not a valid timestamp`);
    return undefined;
  }
  return { date, precision: /^\d{2}-\d{2}-\d{4}-\d{2}-\d{2}$/.test(text) || !/T?\d{2}:\d{2}:\d{2}/.test(text) ? 'minute' : 'second' };
}

function sameAtPrecision(stored: unknown, file: FileTimestamp | undefined): boolean {
  if (!file) return true;
  if (!(stored instanceof Date)) return false;
  const unit = file.precision === 'minute' ? 60_000 : 1000;
  return Math.floor(stored.getTime() / unit) === Math.floor(file.date.getTime() / unit);
}

/** The kept values an element of the file gives (authors, timestamps), typed; problems reported in `errors`. */
interface Kept {
  authors: Record<string, number>;
  times: Record<string, FileTimestamp>;
}

function readKept(fields: DocField[], raw: Record<string, RawValue> | undefined, label: (name: string) => string, errors: string[]): Kept {
  const kept: Kept = { authors: {}, times: {} };
  for (const f of fields) {
    if (f.role !== 'kept') continue;
    const text = cleanText(raw?.[f.name]);
    if (text === null) continue;
    if (f.out === 'time') {
      const t = readTimestamp(text, label(f.name), errors);
      if (t) kept.times[f.name] = t;
    } else if (isPositiveId(text)) kept.authors[f.name] = Number(text);
    else errors.push(`${label(f.name)} ${MESSAGES.notANumber}`);
  }
  return kept;
}

const keptSame = (stored: Row, kept: Kept) =>
  Object.entries(kept.authors).every(([k, v]) => stored[k] === v) && Object.entries(kept.times).every(([k, t]) => sameAtPrecision(stored[k], t));

const withKept = (values: Record<string, unknown>, kept: Kept) => {
  Object.assign(values, kept.authors);
  for (const [k, t] of Object.entries(kept.times)) values[k] = t.date;
};

/** The file's children: ids kept as given (checked later), fields laid over the stored child of that id. */
function fileChildren(c: CollectionSpec, listed: ChildInput[], stored: Row[], errors: string[]): { drafts: ChildDraft[]; kept: Kept[] } {
  const byId = new Map(stored.map((s) => [s.id, s]));
  const kept: Kept[] = [];
  const drafts = listed.map((child) => {
    const rawId = cleanText(child.id ?? null);
    let id: number | undefined;
    if (rawId !== null) {
      if (isPositiveId(rawId)) id = Number(rawId);
      else errors.push(`${c.label} id ${MESSAGES.notANumber}`);
    }
    kept.push(readKept(c.fields, child.kept, (name) => `${c.label} ${humanize(name).toLowerCase()}`, errors));
    const base = fieldsAsText(storedNames(c.fields), id === undefined ? undefined : byId.get(id));
    return { ...(id !== undefined && { id }), fields: overlay(base, child.fields) };
  });
  return { drafts, kept };
}

function childrenEqual(c: CollectionSpec, stored: Row[], next: ChildValues[], kept: Kept[] | undefined): boolean {
  if (stored.length !== next.length) return false;
  const fields = storedNames(c.fields);
  return next.every((child, i) => (child.id === undefined || child.id === stored[i].id) && fields.every((f) => stored[i][f] === child[f]) && (!kept || keptSame(stored[i], kept[i])));
}

/** Child ids of the file that belong to some other record: an error, never a takeover. */
function foreignChildIds(lookup: ImportLookup, collection: string, values: ChildValues[], ownerId: number | undefined): number[] {
  return values
    .map((v) => v.id)
    .filter((id): id is number => {
      if (id === undefined) return false;
      const owner = lookup.childOwner(collection, id);
      return owner !== undefined && owner !== ownerId;
    });
}

export function importRecord(spec: ResourceSpec, lookup: ImportLookup, writer: ImportWriter, businessFileId: number, input: Input, lookups: Lookups, now: () => Date): ImportOutcome {
  const errors = [...input.problems];
  const rawId = cleanText(input.kept?.id ?? null);
  let id: number | undefined;
  if (rawId !== null) {
    if (isPositiveId(rawId)) id = Number(rawId);
    else errors.push(`Id ${MESSAGES.notANumber}`);
  }
  const kept = readKept(spec.fields, input.kept, humanize, errors);

  let current: Row | undefined;
  if (id !== undefined) {
    const owner = lookup.ownerOf(id);
    if (owner !== undefined && owner !== businessFileId) throw new InvalidError([...errors, `Id ${id} belongs to another business file`]);
    current = lookup.recordById(id);
  } else {
    const remoteId = cleanText(input.fields.remote_id ?? null);
    if (remoteId !== null) current = lookup.recordByRemoteId(remoteId);
  }

  const draft: Draft = { fields: overlay(fieldsAsText(storedNames(spec.fields), current), input.fields) };
  const childKept: Record<string, Kept[]> = {};
  for (const c of spec.collections) {
    const listed = listedChildren(input, c.name);
    if (listed) {
      const read = fileChildren(c, listed, (current?.[c.name] as Row[]) ?? [], errors);
      draft[c.name] = read.drafts;
      childKept[c.name] = read.kept;
    } else {
      draft[c.name] = ((current?.[c.name] as Row[]) ?? []).map((child) => ({ id: child.id, fields: fieldsAsText(storedNames(c.fields), child) }));
    }
  }
  const checked = checkRecord(spec, cleanDraft(spec, draft), lookups, errors);
  const values = checked.values;
  const problems = [...(checked.errors ?? [])];
  const remoteId = draft.fields.remote_id === null ? null : cleanText(draft.fields.remote_id);
  const remoteOwner = remoteId === null ? undefined : lookup.remoteIdOwner(remoteId);
  if (remoteOwner !== undefined && remoteOwner !== (current?.id ?? id)) problems.push('Remote id has already been taken');
  const self = spec.selfReference;
  if (values && self && values[self.field] !== null && values[self.field] === (current?.id ?? id)) problems.push(self.message);
  if (values) {
    for (const c of spec.collections) {
      for (const foreign of foreignChildIds(lookup, c.name, values[c.name] as ChildValues[], current?.id ?? id)) problems.push(`${c.label} id ${foreign} belongs to another ${spec.name}`);
    }
  }
  if (problems.length > 0 || !values) throw new InvalidError(problems);

  const unchanged =
    current !== undefined &&
    storedNames(spec.fields).every((f) => current[f] === values[f]) &&
    spec.collections.every((c) => childrenEqual(c, current[c.name] as Row[], values[c.name] as ChildValues[], childKept[c.name])) &&
    keptSame(current, kept);
  if (unchanged) return 'unchanged';

  withKept(values, { authors: kept.authors, times: {} });
  for (const c of spec.collections) (values[c.name] as ChildValues[]).forEach((child, i) => childKept[c.name] && withKept(child, childKept[c.name][i]));
  const createdAt = kept.times.created_at?.date;
  const updatedAt = kept.times.updated_at?.date;
  if (!current) {
    const at = createdAt ?? now();
    writer.create(values, id, { createdAt: at, updatedAt: updatedAt ?? at });
    return 'created';
  }
  writer.replace(current, values, { createdAt: createdAt ?? (current.created_at as Date), updatedAt: updatedAt ?? now() });
  return 'updated';
}
