// The export document of a business file, streamed in id order, a chunk of contacts at a time
// (keyset pagination, so memory stays bounded and no contact is read twice).
import type { Knex } from 'knex';
import { withChildren } from '../contacts/read.js';
import { CONTACT_COLUMNS, type DbContactRow } from '../contacts/rows.js';
import { contactElement, LIST_CLOSE, LIST_OPEN } from '../xml/contact-writer.js';

export const EXPORT_CHUNK = 500;

export async function* exportDocument(db: Knex, businessFileId: number): AsyncGenerator<string> {
  yield LIST_OPEN;
  let after = 0;
  for (;;) {
    const rows = (await db('contacts').select(CONTACT_COLUMNS).where('business_file_id', businessFileId).andWhere('id', '>', after).orderBy('id').limit(EXPORT_CHUNK)) as DbContactRow[];
    if (rows.length === 0) break;
    const contacts = await withChildren(db, rows);
    yield contacts.map((c) => contactElement(c, '  ')).join('');
    after = rows[rows.length - 1].id;
  }
  yield LIST_CLOSE;
}
