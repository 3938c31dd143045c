// The importer as a library function: a byte stream of a <contacts> document → a report.
// The whole file is one transaction: if any contact is invalid nothing is written, and the
// report lists every invalid contact with its position, source line and messages.
import type { Knex } from 'knex';
import type { Lookups } from '../contacts/types.js';
import { InvalidError } from '../errors.js';
import { nowToSecond } from '../time.js';
import { readContact } from '../xml/contact-reader.js';
import { parseDocument, XmlSyntaxError } from '../xml/document.js';
import { importRecord, type ImportOutcome } from './import-record.js';
import { splitRecords } from './split-records.js';

export interface InvalidRecord {
  position: number;
  line: number;
  messages: string[];
}

export interface ImportReport {
  created: number;
  updated: number;
  unchanged: number;
  invalid: InvalidRecord[];
  seconds: number;
  dryRun: boolean;
}

export interface ImportOptions {
  businessFileId: number;
  lookups: Lookups;
  /** Validate and report, write nothing. */
  dryRun?: boolean;
  /** Called after each contact with the number done so far. */
  onProgress?: (done: number) => void;
}

/** A record's own line numbers → the file's. */
function locate(error: XmlSyntaxError, recordLine: number): string {
  if (!error.location) return error.message;
  const { line, col, reason } = error.location;
  return `Malformed XML at line ${recordLine + line - 1}, column ${col}: ${reason}`;
}

export function describeInvalid(r: InvalidRecord): string[] {
  return r.messages.map((m) => `Contact ${r.position} (line ${r.line}): ${m}`);
}

export async function importContacts(source: AsyncIterable<Uint8Array | string>, db: Knex, options: ImportOptions): Promise<ImportReport> {
  const started = process.hrtime.bigint();
  const counts: Record<ImportOutcome, number> = { created: 0, updated: 0, unchanged: 0 };
  const invalid: InvalidRecord[] = [];
  const trx = await db.transaction();
  try {
    for await (const record of splitRecords(source)) {
      try {
        const input = readContact(parseDocument(record.text, 'contact'));
        counts[await importRecord(trx, options.businessFileId, input, options.lookups, nowToSecond)]++;
      } catch (error) {
        if (error instanceof InvalidError) invalid.push({ position: record.position, line: record.line, messages: error.messages });
        else if (error instanceof XmlSyntaxError) invalid.push({ position: record.position, line: record.line, messages: [locate(error, record.line)] });
        else throw error;
      }
      options.onProgress?.(record.position);
    }
    if (invalid.length > 0 || options.dryRun) await trx.rollback();
    else await trx.commit();
  } catch (error) {
    if (!trx.isCompleted()) await trx.rollback();
    throw error;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { ...counts, invalid, seconds, dryRun: options.dryRun ?? false };
}
