// The importer as a library function: a byte stream of a <contacts> or <firms> document → a
// report. The whole file is one transaction: if any record is invalid nothing is written, and
// the report lists every invalid record with its position, source line and messages, and every
// element it does not keep (nothing is dropped silently). On MySQL a file the database refuses
// as a lock conflict (a deadlock victim; on Galera a certification conflict) is imported again
// whole, from a copy of its bytes (replayable.ts): InnoDB and Galera roll back the whole
// transaction, so a chunk alone cannot be run again.
import type { Knex } from 'knex';
import { engineOf } from '../db/connection.js';
import { isLockConflict } from '../db/errors.js';
import type { Lookups } from '../contacts/types.js';
import { onStreamingConnection } from '../db/cluster.js';
import { commitTransaction, lockForWrite, retryingTransaction } from '../db/transaction.js';
import { InvalidError } from '../errors.js';
import { addToTally } from '../resources/tallies.js';
import { changesBetween, creationChanges, recordEvents, type EventInput, type EventZname } from '../events/record.js';
import { recordObject } from '../json/record-json.js';
import { importMetrics } from '../metrics/import.js';
import { RESOURCES } from '../resources/index.js';
import { findRecords } from '../resources/read.js';
import type { ResourceSpec, Row } from '../resources/spec.js';
import { nowToSecond } from '../time.js';
import { ChunkLookup, ChunkWriter } from './chunk.js';
import { importRecord, recordKeys, type ImportOutcome, type RecordKeys } from './import-record.js';
import type { Input } from '../resources/draft.js';
import { parseRecords, type SyntaxProblem } from './parse-records.js';
import { ReplayableSource } from './replayable.js';
import { IMPORT_ROOTS, splitRecords } from './split-records.js';

export interface InvalidRecord {
  position: number;
  line: number;
  messages: string[];
}

export interface NotKept {
  /** The element's name (`model_firm_id`, or `contact_item.object_zname` inside a child). */
  name: string;
  /** How many records had a value for it. */
  records: number;
}

export interface ImportReport {
  /** `contacts` or `firms`: what the file held. */
  resource: string;
  created: number;
  updated: number;
  unchanged: number;
  invalid: InvalidRecord[];
  notKept: NotKept[];
  seconds: number;
  dryRun: boolean;
}

export interface ImportOptions {
  businessFileId: number;
  lookups: Lookups;
  /** Validate and report, write nothing. */
  dryRun?: boolean;
  /** Refuse the file (as invalid) when it has elements the service does not keep. */
  strict?: boolean;
  /** The kind of file expected (`contacts`, `firms`); any when absent. Another root is a 400. */
  expect?: string;
  /** The acting API user, author of the records and their events (null or absent: the CLI). */
  userId?: number | null;
  /** Called after each record with the number done so far. */
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
    ...Object.entries(k.childIds).flatMap(([collection, ids]) => ids.map((id) => `${collection}:${id}`)),
  ];
}

export function describeInvalid(r: InvalidRecord, resource = 'contacts'): string[] {
  return r.messages.map((m) => `${RESOURCES[resource]?.label ?? 'Record'} ${r.position} (line ${r.line}): ${m}`);
}

/** `not kept: model_firm_id (12 firms), language_code (3 contacts)`, or '' when everything was kept. */
export function describeNotKept(report: Pick<ImportReport, 'notKept' | 'resource'>): string {
  if (report.notKept.length === 0) return '';
  const spec = RESOURCES[report.resource];
  return `not kept: ${report.notKept.map((n) => `${n.name} (${n.records} ${n.records === 1 ? spec.name : spec.plural})`).join(', ')}`;
}

/** The change events of a chunk: the records read back as written, one event per created or changed one. */
async function chunkEvents(trx: Knex.Transaction, spec: ResourceSpec, businessFileId: number, written: { createdIds: number[]; replaced: Row[] }, userId: number | null): Promise<void> {
  const ids = [...written.replaced.map((r) => r.id), ...written.createdIds];
  if (ids.length === 0) return;
  const now = new Map((await findRecords(trx, spec, businessFileId, ids)).map((r) => [r.id, recordObject(spec, r)]));
  const event = (id: number, action: 'create' | 'update', changes: EventInput['changes']): EventInput => ({
    businessFileId,
    zname: spec.plural as EventZname,
    zid: id,
    action,
    changes,
    userId,
    objectData: now.get(id) as object,
  });
  const updates = written.replaced.map((before) => event(before.id, 'update', changesBetween(recordObject(spec, before), now.get(before.id) as object)));
  await recordEvents(trx, [
    ...updates.filter((e) => Object.keys(e.changes).length > 0), // a record rewritten with only its timestamps moved
    ...written.createdIds.map((id) => event(id, 'create', creationChanges(now.get(id) as object))),
  ]);
}

export async function importFile(source: AsyncIterable<Uint8Array | string>, db: Knex, options: ImportOptions): Promise<ImportReport> {
  const started = process.hrtime.bigint();
  if (engineOf(db) !== 'mysql') return importOnce(source, db, options, started);
  const replayable = new ReplayableSource(source);
  try {
    // Events are rows of the same transaction, and nothing leaves the process before COMMIT:
    // a refused attempt leaves no trace, and the next one re-reads everything it depends on.
    // Each attempt on a connection of its own, which streams the transaction on Galera (cluster.ts).
    return await retryingTransaction(() => onStreamingConnection(db, (connection) => importOnce(replayable.read(), db, options, started, connection)));
  } catch (error) {
    if (isLockConflict(error)) importMetrics.fileDone('failed', 0); // refused on every attempt
    throw error;
  } finally {
    await replayable.close();
  }
}

async function importOnce(source: AsyncIterable<Uint8Array | string>, db: Knex, options: ImportOptions, started: bigint, connection?: unknown): Promise<ImportReport> {
  const counts: Record<ImportOutcome, number> = { created: 0, updated: 0, unchanged: 0 };
  const invalid: InvalidRecord[] = [];
  const notKept = new Map<string, number>();
  const userId = options.userId ?? null;
  let spec: ResourceSpec | undefined;
  const trx = await db.transaction(connection === undefined ? undefined : { connection });
  let chunk: { record: { position: number; line: number }; input: Input; keys: RecordKeys }[] = [];
  let chunkKeys = new Set<string>();
  // Added to the tallies once, just before COMMIT: a tally row written by every chunk would stay
  // locked until the import commits, and every other write of the business file that picked
  // one of those rows would wait the whole import out (503 at the query deadline).
  const tally = { records: 0, writes: 0 };

  const flush = async () => {
    if (!spec || chunk.length === 0) return;
    const lookup = await ChunkLookup.load(trx, spec, options.businessFileId, chunk.map((c) => c.keys));
    const writer = new ChunkWriter(spec, options.businessFileId);
    const now = nowToSecond();
    for (const { record, input } of chunk) {
      try {
        counts[importRecord(spec, lookup, writer, options.businessFileId, input, options.lookups, () => now)]++;
      } catch (error) {
        if (!(error instanceof InvalidError)) throw error;
        invalid.push({ position: record.position, line: record.line, messages: error.messages });
      }
    }
    await writer.flush(trx);
    const written = writer.written();
    await chunkEvents(trx, spec, options.businessFileId, written, userId);
    tally.records += written.createdIds.length;
    tally.writes += written.createdIds.length + written.replaced.length;
    importMetrics.contactsDone(chunk.length);
    options.onProgress?.(chunk[chunk.length - 1].record.position);
    chunk = [];
    chunkKeys = new Set();
  };

  const roots = options.expect ? { [options.expect]: IMPORT_ROOTS[options.expect] } : IMPORT_ROOTS;
  try {
    await lockForWrite(trx);
    for await (const record of parseRecords(splitRecords(source, roots))) {
      spec ??= RESOURCES[record.root];
      const { input, syntaxError } = record;
      if (syntaxError) {
        invalid.push({ position: record.position, line: record.line, messages: [locate(syntaxError, record.line)] });
        importMetrics.contactsDone(1);
        continue;
      }
      const names = new Set(input.notKept ?? []);
      for (const name of names) notKept.set(name, (notKept.get(name) ?? 0) + 1);
      if (options.strict && names.size > 0) {
        invalid.push({ position: record.position, line: record.line, messages: [...names].map((n) => `Element ${n} is not kept (strict import)`) });
        continue;
      }
      const keys = recordKeys(spec, input);
      const strings = keyStrings(keys);
      // A record touching a key of the chunk sees the effect of the earlier record: flush first.
      if (chunk.length >= CHUNK_RECORDS || strings.some((k) => chunkKeys.has(k))) await flush();
      chunk.push({ record, input, keys });
      for (const k of strings) chunkKeys.add(k);
    }
    await flush();
    if (invalid.length > 0 || options.dryRun) await trx.rollback();
    else {
      if (spec) await addToTally(trx, options.businessFileId, spec.plural, tally);
      await commitTransaction(trx);
    }
    importMetrics.fileDone(invalid.length > 0 ? 'invalid' : options.dryRun ? 'dry_run' : 'written', invalid.length);
  } catch (error) {
    if (!trx.isCompleted()) await trx.rollback().catch(() => {}); // a refused COMMIT has rolled back already
    if (!isLockConflict(error)) importMetrics.fileDone('failed', 0); // a conflict is run again (or counted by the caller)
    throw error;
  }
  invalid.sort((a, b) => a.position - b.position); // syntax errors are found before validation ones
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return {
    resource: spec?.plural ?? options.expect ?? 'contacts',
    ...counts,
    invalid,
    notKept: [...notKept].map(([name, records]) => ({ name, records })),
    seconds,
    dryRun: options.dryRun ?? false,
  };
}

/** The import of a `<contacts>` file (kept for the callers that import only contacts). */
export const importContacts = (source: AsyncIterable<Uint8Array | string>, db: Knex, options: ImportOptions) => importFile(source, db, { expect: 'contacts', ...options });
