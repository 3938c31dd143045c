// The old system's documents in fixtures/old-system/, made importable more than once into one
// database: import keeps ids, and ids are global keys, so each use shifts every id (and every
// reference to one: contact_id, firm_id, parent_firm_id, object_zid) past the ids in use.
// creator_id, modifier_id, project_id and bank_account_id are the old system's own references
// and are kept as they are.
import type { Knex } from 'knex';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ID_ELEMENTS = /<(id|contact_id|firm_id|parent_firm_id|object_zid)>(\d+)<\/\1>/g;

export function oldSystemFile(name: string): string {
  return readFileSync(join('fixtures/old-system', name), 'utf8');
}


/** A number past every id of the tables an import writes. */
export async function freshIdBase(db: Knex): Promise<number> {
  let max = 0;
  for (const table of ['contacts', 'contact_addresses', 'contact_items', 'firms']) {
    if (!(await db.schema.hasTable(table))) continue;
    max = Math.max(max, Number((await db(table).max({ m: 'id' }).first())?.m ?? 0));
  }
  return max + 1000;
}

/** The smallest id in the old-system files: every file is shifted by the same amount, so references across files hold. */
export const OLD_SYSTEM_MIN_ID = Math.min(
  ...['contact.xml', 'firm.xml', 'contacts-export.xml', 'firms-export.xml'].flatMap((name) => [...oldSystemFile(name).matchAll(ID_ELEMENTS)].map((m) => Number(m[2]))),
);

/** `doc` with every id and id reference moved by `base - min` (min: the old-system files' smallest id). */
export function shiftIds(doc: string, base: number, min = OLD_SYSTEM_MIN_ID): string {
  return doc.replace(ID_ELEMENTS, (_, name: string, id: string) => `<${name}>${Number(id) - min + base}</${name}>`);
}

/** The new id of an id of an old-system file after shiftIds(doc, base). */
export function shiftedId(id: number, base: number, min = OLD_SYSTEM_MIN_ID): number {
  return id - min + base;
}
