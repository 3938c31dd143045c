// The importer as a library function: a byte stream of a <contacts> document → a report.
// The whole file is one transaction: if any contact is invalid nothing is written, and the
// report lists every invalid contact with its position, source line and messages.
import type { Knex } from 'knex';
import type { Lookups } from '../contacts/types.js';
import { InvalidError } from '../errors.js';
import { nowToSecond } from '../time.js';
import { ChunkLookup, ChunkWriter } from './chunk.js';
import { importRecord, recordKeys, type ImportInput, type ImportOutcome, type RecordKeys } from './import-record.js';
import { parseRecords, type SyntaxProblem } from './parse-records.js';
import { splitRecords } from './split-records.js';
import { lockForWrite } from '../db/transaction.js';
import { recordImportEvents } from '../events/import-events.js';

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
  /** The acting API user, for the change events (null or absent: the CLI). */
  userId?: number | null;
  /** Called after each contact with the number done so far. */
  onProgress?: (done: number) => void;
}

/** A record's own line numbers → the file's. */
function locate(error: SyntaxProblem, recordLine: number): string {
  if (!error.location) return error.message;
  const { line, col, reason } = error.location;
  return `Malformed XML at line ${recordLine + line - 1}, column ${col}: ${reason}`;
}

/** Records decided together: prefetched in one go, written in one go. */
export const CHUNK_RECORDS = 500;

function keyStrings(k: RecordKeys): string[] {
  return [
    ...(k.id === undefined ? [] : [`id:${k.id}`]),
    ...(k.remoteId === undefined ? [] : [`remote:${k.remoteId}`]),
    ...k.childIds.contact_addresses.map((id) => `address:${id}`),
    ...k.childIds.contact_items.map((id) => `item:${id}`),
  ];
}

export function describeInvalid(r: InvalidRecord): string[] {
  return r.messages.map((m) => `Contact ${r.position} (line ${r.line}): ${m}`);
}

export async function importContacts(source: AsyncIterable<Uint8Array | string>, db: Knex, options: ImportOptions): Promise<ImportReport> {
  const started = process.hrtime.bigint();
  const counts: Record<ImportOutcome, number> = { created: 0, updated: 0, unchanged: 0 };
  const invalid: InvalidRecord[] = [];
  const trx = await db.transaction();
  let chunk: { record: { position: number; line: number }; input: ImportInput; keys: RecordKeys }[] = [];
  let chunkKeys = new Set<string>();

  const flush = async () => {
    const lookup = await ChunkLookup.load(trx, options.businessFileId, chunk.map((c) => c.keys));
    const writer = new ChunkWriter(options.businessFileId);
    const now = nowToSecond();
    for (const { record, input } of chunk) {
      try {
        counts[importRecord(lookup, writer, options.businessFileId, input, options.lookups, () => now)]++;
      } catch (error) {
        if (!(error instanceof InvalidError)) throw error;
        invalid.push({ position: record.position, line: record.line, messages: error.messages });
      }
    }
    await writer.flush(trx);
    await recordImportEvents(trx, options.businessFileId, writer.written(), options.userId ?? null);
    if (chunk.length > 0) options.onProgress?.(chunk[chunk.length - 1].record.position);
    chunk = [];
    chunkKeys = new Set();
  };

  try {
    await lockForWrite(trx);
    for await (const record of parseRecords(splitRecords(source))) {
      const { input, syntaxError } = record;
      if (syntaxError) {
        invalid.push({ position: record.position, line: record.line, messages: [locate(syntaxError, record.line)] });
        continue;
      }
      const keys = recordKeys(input);
      const strings = keyStrings(keys);
      // A record touching a key of the chunk sees the effect of the earlier record: flush first.
      if (chunk.length >= CHUNK_RECORDS || strings.some((k) => chunkKeys.has(k))) await flush();
      chunk.push({ record, input, keys });
      for (const k of strings) chunkKeys.add(k);
    }
    await flush();
    if (invalid.length > 0 || options.dryRun) await trx.rollback();
    else await trx.commit();
  } catch (error) {
    if (!trx.isCompleted()) await trx.rollback();
    throw error;
  }
  invalid.sort((a, b) => a.position - b.position); // syntax errors are found before validation ones
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { ...counts, invalid, seconds, dryRun: options.dryRun ?? false };
}
