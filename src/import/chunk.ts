// One chunk of import records against the database: everything the records need to know is
// read in a fixed number of queries before they are decided (ChunkLookup), and what they
// create is written with multi-row inserts after (ChunkWriter). The importer guarantees that
// no two records of a chunk touch the same key, so the prefetched state stays exact.
import type { Knex } from 'knex';
import { withChildren } from '../resources/read.js';
import { columnsOf, type DbRow } from '../resources/rows.js';
import type { ResourceSpec, Row } from '../resources/spec.js';
import type { Values } from '../resources/validate.js';
import { insertChildren, insertRows, newRecordRow, replaceRecord } from '../resources/write.js';
import type { ImportLookup, ImportWriter, RecordKeys, Times } from './import-record.js';

export class ChunkLookup implements ImportLookup {
  private constructor(
    private readonly owners: Map<number, number>,
    private readonly records: Map<number, Row>,
    private readonly remoteIds: Map<string, number>,
    private readonly childOwners: Record<string, Map<number, number>>,
  ) {}

  static async load(trx: Knex.Transaction, spec: ResourceSpec, businessFileId: number, keys: RecordKeys[]): Promise<ChunkLookup> {
    const ids = keys.flatMap((k) => (k.id === undefined ? [] : [k.id]));
    const remoteIds = keys.flatMap((k) => (k.remoteId === undefined ? [] : [k.remoteId]));
    const [ownerRows, remoteRows, ...childRows] = await Promise.all([
      ids.length ? trx(spec.plural).select('id', 'business_file_id').whereIn('id', ids) : [],
      remoteIds.length ? trx(spec.plural).select('id', 'remote_id').where('business_file_id', businessFileId).whereIn('remote_id', remoteIds) : [],
      ...spec.collections.map((c) => {
        const childIds = keys.flatMap((k) => k.childIds[c.name]);
        return childIds.length ? trx(c.name).select('id', `${c.parentColumn} as parent`).whereIn('id', childIds) : [];
      }),
    ]);
    const owners = new Map(ownerRows.map((r) => [Number(r.id), Number(r.business_file_id)]));
    const remotes = new Map<string, number>(remoteRows.map((r) => [r.remote_id as string, Number(r.id)]));
    const existing = new Set<number>([...ownerRows.filter((r) => Number(r.business_file_id) === businessFileId).map((r) => Number(r.id)), ...remotes.values()]);
    const rows = existing.size ? ((await trx(spec.plural).select(columnsOf(spec)).whereIn('id', [...existing])) as DbRow[]) : [];
    const records = new Map((await withChildren(trx, spec, businessFileId, rows)).map((r) => [r.id, r]));
    const childOwners = Object.fromEntries(spec.collections.map((c, i) => [c.name, new Map((childRows[i] as { id: number; parent: number }[]).map((r) => [Number(r.id), Number(r.parent)]))]));
    return new ChunkLookup(owners, records, remotes, childOwners);
  }

  ownerOf(id: number): number | undefined {
    return this.owners.get(id);
  }

  recordById(id: number): Row | undefined {
    return this.records.get(id);
  }

  recordByRemoteId(remoteId: string): Row | undefined {
    const id = this.remoteIds.get(remoteId);
    return id === undefined ? undefined : this.records.get(id);
  }

  remoteIdOwner(remoteId: string): number | undefined {
    return this.remoteIds.get(remoteId);
  }

  childOwner(collection: string, id: number): number | undefined {
    return this.childOwners[collection]?.get(id);
  }
}

interface Creation {
  values: Values;
  id?: number;
  times: Times;
}

export class ChunkWriter implements ImportWriter {
  private readonly creations: Creation[] = [];
  private readonly replacements: { current: Row; values: Values; times: Times }[] = [];

  constructor(
    private readonly spec: ResourceSpec,
    private readonly businessFileId: number,
  ) {}

  create(values: Values, id: number | undefined, times: Times): void {
    this.creations.push({ values, id, times });
  }

  replace(current: Row, values: Values, times: Times): void {
    this.replacements.push({ current, values, times });
  }

  /** After flush: the ids of the records created, and the replaced records as they were (for their events). */
  written(): { createdIds: number[]; replaced: Row[] } {
    return { createdIds: this.creations.map((c) => c.id as number), replaced: this.replacements.map((r) => r.current) };
  }

  async flush(trx: Knex.Transaction): Promise<void> {
    const { spec, businessFileId } = this;
    // Authors are kept as the file gives them, empty included (contract 2.1): the service adds none.
    const actor = null;
    for (const r of this.replacements) await replaceRecord(trx, spec, r.current.id, r.values, r.times, actor);
    // Records that carry their id go in with multi-row inserts; the others one by one, to learn
    // their new id. Children of both go in together after.
    const keyed = this.creations.filter((c) => c.id !== undefined);
    await insertRows(trx, spec.plural, keyed.map((c) => newRecordRow(spec, businessFileId, c.values, c.times, actor, c.id)));
    for (const c of this.creations.filter((c) => c.id === undefined)) {
      // The row's search text is the whole record's, children included (they are written below).
      const [id] = await trx(spec.plural).insert(newRecordRow(spec, businessFileId, c.values, c.times, actor));
      c.id = Number(id);
    }
    await insertChildren(trx, spec, this.creations.map((c) => ({ id: c.id as number, values: c.values, stamp: { at: c.times.createdAt, actor } })));
  }
}
