// One way to describe a resource of the API (contacts, firms): its document's fields in wire
// order, what each one is (stored and validated, computed, kept by the service), its child
// collections, its list parameters and what `q` searches. Every generic module (validation,
// drafts, rows, repository, XML and JSON codecs, routes, import, export, cache) reads a spec;
// nothing is written twice for two resources.
import type { Lookups } from '../contacts/types.js';

/** How a stored field is read from a client and checked (section 5). */
export type FieldRule =
  | { type: 'text'; max: number; required?: boolean; pattern?: { re: RegExp; message: string } }
  | { type: 'lookup'; table: keyof Lookups; required?: boolean }
  | { type: 'reference' };

/** How a value is written: integers as numbers (and left out by the `omit` profile when empty). */
export type OutputType = 'int' | 'text' | 'time';

export type Value = string | number | null;

/** A stored record: the wire names as keys (snake_case), children under their collection name. */
export type Row = Record<string, unknown> & { id: number };

export type DocField =
  /** Stored in a column of the same name; read from clients; validated. */
  | { name: string; out: OutputType; role: 'stored'; rule: FieldRule }
  /** The record's id; the parent's id for a child's `<contact_id>`. */
  | { name: string; out: 'int'; role: 'id' | 'parent_id' }
  /** Computed when read (from the record, or by the resource's `enrich`); ignored on input. */
  | { name: string; out: OutputType; role: 'computed'; compute?: (record: Row) => Value }
  /** Kept by the service: creator_id, modifier_id, created_at, updated_at; ignored on input except in import files. */
  | { name: string; out: OutputType; role: 'kept' };

export interface CollectionSpec {
  /** `contact_addresses`: the collection element and the child table. */
  name: string;
  /** `contact_address`: one child's element. */
  child: string;
  /** `Contact addresses`: the prefix of its messages. */
  label: string;
  /** `addresses`: as in "maximum is 100 addresses". */
  noun: string;
  /** The column naming the parent (`contact_id`). */
  parentColumn: string;
  fields: DocField[];
  /** Extra checks of one valid child (an email kind's value must be an email). */
  check?: (child: Record<string, Value>, lookups: Lookups) => string[];
  /** Columns of the child's own fields that `q` searches. */
  search: string[];
  /** Extra columns read with each child, by a join (an item's kind). */
  readJoin?: { table: string; on: [string, string]; columns: Record<string, string> };
}

export type FilterSpec =
  | { param: string; column: string; type: 'ids' }
  | { param: string; column: string; type: 'lookup'; table: keyof Lookups; noun: string };

export interface ResourceSpec {
  /** `contact`: the root element of a document and its JSON key. */
  name: string;
  /** `contacts`: the table, the list root, the path segment, the events' zname. */
  plural: string;
  /** `Contact`: as in "Contact not found.". */
  label: string;
  fields: DocField[];
  collections: CollectionSpec[];
  sortable: string[];
  filters: FilterSpec[];
  /** Columns of the record's own fields that `q` searches. */
  search: string[];
  /** A field naming another record of the same resource (a firm's parent): never the record itself. */
  selfReference?: { field: string; message: string };
  /** Fills computed values that need the database (a contact's firm_name, a firm's contacts_count). */
  enrich?: (db: import('knex').Knex | import('knex').Knex.Transaction, businessFileId: number, records: Row[]) => Promise<void>;
  /**
   * SQL of what else a rendering depends on, per record `r` (table alias), for the rendered cache:
   * a contact's document shows its firm's name, so the firm's version is part of its cache key.
   * `resource`: the resource whose writes move it (their tally, for the list pages kept on MySQL).
   */
  dependency?: { join: string; column: string; resource: string };
}

/** Field builders, so a spec reads as its document. */
export const field = {
  id: (name = 'id'): DocField => ({ name, out: 'int', role: 'id' }),
  text: (name: string, max: number, required = false): DocField => ({ name, out: 'text', role: 'stored', rule: { type: 'text', max, required } }),
  reference: (name: string): DocField => ({ name, out: 'int', role: 'stored', rule: { type: 'reference' } }),
  lookup: (name: string, table: keyof Lookups, out: OutputType, required = false): DocField => ({ name, out, role: 'stored', rule: { type: 'lookup', table, required } }),
  kept: (name: string, out: 'int' | 'time'): DocField => ({ name, out, role: 'kept' }),
  computed: (name: string, out: OutputType, compute?: (record: Row) => Value): DocField => ({ name, out, role: 'computed', compute }),
};

export const storedFields = (fields: DocField[]) => fields.filter((f): f is Extract<DocField, { role: 'stored' }> => f.role === 'stored');
export const storedNames = (fields: DocField[]) => storedFields(fields).map((f) => f.name);
/** Every element name a reader accepts as known (stored, id, computed, kept): used to tell what an import does not keep. */
export const knownNames = (fields: DocField[]) => new Set(fields.map((f) => f.name));
