// The export document of a business file (its contacts or its firms), streamed in id order, a
// chunk of records at a time (keyset pagination, so memory stays bounded and no record is read
// twice).
import type { Knex } from 'knex';
import { withChildren } from '../resources/read.js';
import { columnsOf, type DbRow } from '../resources/rows.js';
import type { ResourceSpec } from '../resources/spec.js';
import { listClose, listOpen, recordElement, type EmptyIntegers } from '../xml/record-writer.js';

export const EXPORT_CHUNK = 500;

export async function* exportDocument(db: Knex, spec: ResourceSpec, businessFileId: number, profile: EmptyIntegers = 'empty'): AsyncGenerator<string> {
  yield listOpen(spec);
  let after = 0;
  for (;;) {
    const rows = (await db(spec.plural).select(columnsOf(spec)).where('business_file_id', businessFileId).andWhere('id', '>', after).orderBy('id').limit(EXPORT_CHUNK)) as DbRow[];
    if (rows.length === 0) break;
    const records = await withChildren(db, spec, businessFileId, rows);
    yield records.map((r) => recordElement(spec, r, '  ', profile)).join('');
    after = Number(rows[rows.length - 1].id);
  }
  yield listClose(spec);
}
