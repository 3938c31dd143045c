// One phase of the import benchmark, in a process of its own so that its peak RSS is its own.
// Prints one JSON line: { phase, contacts, seconds, peakRssMb }.
//   parse FILE                 split + parse + read every record, nothing else (baseline 1)
//   plain FILE DATABASE_URL     the same rows with plain multi-row inserts; only insert time counts (baseline 2)
//   import FILE DATABASE_URL    the real importer
import { createReadStream } from 'node:fs';
import type { Knex } from 'knex';
import { addUser } from '../src/auth/users.js';
import { loadLookups } from '../src/contacts/lookups.js';
import { CONTACT } from '../src/resources/contact-spec.js';
import { draftForCreate, type ChildInput } from '../src/resources/draft.js';
import { childRow, recordColumns } from '../src/resources/rows.js';
import type { ChildValues } from '../src/resources/validate.js';
import { checkRecord } from '../src/resources/validate.js';
import { connect } from '../src/db/connection.js';
import { migrateLatest } from '../src/db/migrate.js';
import { importContacts } from '../src/import/importer.js';
import { splitRecords } from '../src/import/split-records.js';
import { parseTimestamp, toDbText } from '../src/time.js';
import { readRecord } from '../src/xml/record-reader.js';
import { parseDocument } from '../src/xml/document.js';

const [phase, file, url] = process.argv.slice(2);
const BF = 1;
// knex writes SQLite multi-row inserts as UNION ALL selects, limited to 500 terms.
const ROWS = 500;
const read = () => createReadStream(file, { highWaterMark: 256 * 1024 });

async function prepared(): Promise<Knex> {
  const db = connect(url, () => {});
  await migrateLatest(db);
  await addUser(db, 'bench', 'bench-password', BF);
  return db;
}

async function parseOnly(): Promise<number> {
  let n = 0;
  for await (const record of splitRecords(read())) {
    readRecord(CONTACT, parseDocument(record.text, 'contact'));
    n++;
  }
  return n;
}

/** Plain multi-row inserts of the same rows: the time spent inside the INSERTs is returned. */
async function plainInserts(db: Knex): Promise<{ n: number; seconds: number }> {
  const lookups = await loadLookups(db);
  let inserting = 0n;
  let n = 0;
  let contacts: object[] = [];
  let addresses: object[] = [];
  let items: object[] = [];
  const flush = async () => {
    const t = process.hrtime.bigint();
    await db.transaction(async (trx) => {
      for (const [table, rows] of [['contacts', contacts], ['contact_addresses', addresses], ['contact_items', items]] as const) {
        for (let i = 0; i < rows.length; i += ROWS) await trx(table).insert(rows.slice(i, i + ROWS));
      }
    });
    inserting += process.hrtime.bigint() - t;
    contacts = [];
    addresses = [];
    items = [];
  };
  for await (const record of splitRecords(read())) {
    const input = readRecord(CONTACT, parseDocument(record.text, 'contact'));
    const values = checkRecord(CONTACT, draftForCreate(CONTACT, input), lookups).values!;
    const id = Number(input.kept?.id);
    const at = parseTimestamp(input.kept?.created_at as string)!;
    const stamp = toDbText(at);
    contacts.push({ id, business_file_id: BF, ...recordColumns(CONTACT, values), created_at: stamp, updated_at: stamp, version: 1 });
    for (const [c, out] of [
      [CONTACT.collections[0], addresses],
      [CONTACT.collections[1], items],
    ] as const) {
      const children = values[c.name] as ChildValues[];
      (input[c.name] as ChildInput[] | undefined)?.forEach((child, i) => {
        const kept = (name: string) => ({ at: parseTimestamp((child.kept?.[name] as string | null | undefined) ?? '') ?? at, actor: null });
        out.push(childRow(c, id, { ...children[i], id: Number(child.id) }, kept('created_at'), kept('updated_at')));
      });
    }
    n++;
    if (contacts.length >= 5 * ROWS) await flush();
  }
  await flush();
  return { n, seconds: Number(inserting) / 1e9 };
}

async function main(): Promise<void> {
  const started = process.hrtime.bigint();
  let contacts: number;
  let seconds: number | undefined;
  let db: Knex | undefined;
  if (phase === 'parse') contacts = await parseOnly();
  else if (phase === 'plain') ({ n: contacts, seconds } = await plainInserts((db = await prepared())));
  else if (phase === 'import') {
    db = await prepared();
    const t = process.hrtime.bigint();
    const report = await importContacts(read(), db, { businessFileId: BF, lookups: await loadLookups(db) });
    if (report.invalid.length) throw new Error(`${report.invalid.length} invalid contacts`);
    contacts = report.created;
    seconds = Number(process.hrtime.bigint() - t) / 1e9;
  } else throw new Error(`unknown phase ${phase}`);
  seconds ??= Number(process.hrtime.bigint() - started) / 1e9;
  await db?.destroy();
  console.log(JSON.stringify({ phase, contacts, seconds, peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024) }));
}

main().catch((error) => {
  console.error(`${phase}: ${error.name}${error.code ? ` (${error.code})` : ''}`); // driver messages hold whole statements
  process.exit(1);
});
