// One chunk of import records against the database: everything the records need to know is
// read in a fixed number of queries before they are decided (ChunkLookup), and what they
// create is written with multi-row inserts after (ChunkWriter). The importer guarantees that
// no two records of a chunk touch the same key, so the prefetched state stays exact.
import type { Knex } from 'knex';
import { withChildren } from '../contacts/read.js';
import { addressRow, CONTACT_COLUMNS, contactRowValues, firstVersion, itemRow, type DbContactRow } from '../contacts/rows.js';
import type { Contact, ContactValues } from '../contacts/types.js';
import { insertContact, replaceContact } from '../contacts/write.js';
import { toDbText } from '../time.js';
import type { ChildTable, ImportLookup, ImportWriter, RecordKeys, Times } from './import-record.js';

/** Rows per INSERT statement: knex writes SQLite multi-row inserts as UNION ALL selects, at most 500 terms. */
const INSERT_ROWS = 500;

async function insertRows(trx: Knex.Transaction, table: string, rows: object[]): Promise<void> {
  for (let i = 0; i < rows.length; i += INSERT_ROWS) await trx(table).insert(rows.slice(i, i + INSERT_ROWS));
}

export class ChunkLookup implements ImportLookup {
  private constructor(
    private readonly owners: Map<number, number>,
    private readonly contacts: Map<number, Contact>,
    private readonly remoteIds: Map<string, number>,
    private readonly childOwners: Record<ChildTable, Map<number, number>>,
  ) {}

  static async load(trx: Knex.Transaction, businessFileId: number, keys: RecordKeys[]): Promise<ChunkLookup> {
    const ids = keys.flatMap((k) => (k.id === undefined ? [] : [k.id]));
    const remoteIds = keys.flatMap((k) => (k.remoteId === undefined ? [] : [k.remoteId]));
    const [ownerRows, remoteRows, addressRows, itemRows] = await Promise.all([
      ids.length ? trx('contacts').select('id', 'business_file_id').whereIn('id', ids) : [],
      remoteIds.length ? trx('contacts').select('id', 'remote_id').where('business_file_id', businessFileId).whereIn('remote_id', remoteIds) : [],
      ...(['contact_addresses', 'contact_items'] as const).map((table) => {
        const childIds = keys.flatMap((k) => k.childIds[table]);
        return childIds.length ? trx(table).select('id', 'contact_id').whereIn('id', childIds) : [];
      }),
    ]);
    const owners = new Map(ownerRows.map((r) => [Number(r.id), Number(r.business_file_id)]));
    const remotes = new Map<string, number>(remoteRows.map((r) => [r.remote_id as string, Number(r.id)]));
    const existing = new Set<number>([...ownerRows.filter((r) => Number(r.business_file_id) === businessFileId).map((r) => Number(r.id)), ...remotes.values()]);
    const rows = existing.size ? ((await trx('contacts').select(CONTACT_COLUMNS).whereIn('id', [...existing])) as DbContactRow[]) : [];
    const contacts = new Map((await withChildren(trx, rows)).map((c) => [c.id, c]));
    const children = (list: { id: number; contact_id: number }[]) => new Map(list.map((r) => [Number(r.id), Number(r.contact_id)]));
    return new ChunkLookup(owners, contacts, remotes, { contact_addresses: children(addressRows), contact_items: children(itemRows) });
  }

  ownerOf(id: number): number | undefined {
    return this.owners.get(id);
  }

  contactById(id: number): Contact | undefined {
    return this.contacts.get(id);
  }

  contactByRemoteId(remoteId: string): Contact | undefined {
    const id = this.remoteIds.get(remoteId);
    return id === undefined ? undefined : this.contacts.get(id);
  }

  remoteIdOwner(remoteId: string): number | undefined {
    return this.remoteIds.get(remoteId);
  }

  childOwner(table: ChildTable, id: number): number | undefined {
    return this.childOwners[table].get(id);
  }
}

interface Creation {
  values: ContactValues;
  id?: number;
  times: Times;
}

export class ChunkWriter implements ImportWriter {
  private readonly creations: Creation[] = [];
  private readonly replacements: { current: Contact; values: ContactValues; times: Times }[] = [];

  constructor(private readonly businessFileId: number) {}

  create(values: ContactValues, id: number | undefined, times: Times): void {
    this.creations.push({ values, id, times });
  }

  replace(current: Contact, values: ContactValues, times: Times): void {
    this.replacements.push({ current, values, times });
  }

  /** After flush: the ids of the contacts created, and the replaced contacts as they were (for their events). */
  written(): { createdIds: number[]; replaced: Contact[] } {
    return { createdIds: this.creations.map((c) => c.id as number), replaced: this.replacements.map((r) => r.current) };
  }

  async flush(trx: Knex.Transaction): Promise<void> {
    for (const r of this.replacements) await replaceContact(trx, r.current, r.values, r.times);
    // Contacts that carry their id go in with multi-row inserts; the others one by one, to learn their new id.
    const keyed = this.creations.filter((c) => c.id !== undefined);
    await insertRows(
      trx,
      'contacts',
      keyed.map((c) => ({ id: c.id, business_file_id: this.businessFileId, ...contactRowValues(c.values), created_at: toDbText(c.times.createdAt), updated_at: toDbText(c.times.updatedAt), version: firstVersion() })),
    );
    for (const c of this.creations.filter((c) => c.id === undefined)) {
      await insertContact(trx, this.businessFileId, { ...c.values, contact_addresses: [], contact_items: [] }, { createdAt: c.times.createdAt, updatedAt: c.times.updatedAt }).then((id) => (c.id = id));
    }
    // Children with a file id first, then the others, so that generated ids never meet given ones in one statement.
    for (const [table, toRow, childrenOf] of [
      ['contact_addresses', addressRow, (v: ContactValues) => v.contact_addresses],
      ['contact_items', itemRow, (v: ContactValues) => v.contact_items],
    ] as const) {
      const rows = this.creations.flatMap((c) => (childrenOf(c.values) as { id?: number }[]).map((child) => (toRow as (id: number, v: unknown) => { id?: number })(c.id as number, child)));
      await insertRows(trx, table, rows.filter((r) => r.id !== undefined));
      await insertRows(trx, table, rows.filter((r) => r.id === undefined));
    }
  }
}
