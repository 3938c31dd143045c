// `contacts import` and `contacts export`: thin shells around the library functions.
import { createReadStream, statSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Knex } from 'knex';
import { ensureBusinessFile } from '../auth/users.js';
import { loadLookups } from '../contacts/lookups.js';
import { exportDocument } from '../import/exporter.js';
import { describeInvalid, describeNotKept, importFile } from '../import/importer.js';
import type { ResourceSpec } from '../resources/spec.js';
import { XmlSyntaxError } from '../xml/document.js';
import { ProgressBar } from './progress.js';

export interface ImportFlags {
  dryRun: boolean;
  /** Refuse a file with elements the service does not keep. */
  strict: boolean;
}

/** Imports each file (<contacts> or <firms>) as its own all-or-nothing unit; resolves to true when all were valid. */
export async function importFiles(db: Knex, files: string[], businessFileId: number, { dryRun, strict }: ImportFlags): Promise<boolean> {
  const lookups = await loadLookups(db);
  await ensureBusinessFile(db, businessFileId);
  let allValid = true;
  for (const file of files) {
    const size = statSync(file).size;
    const stream = createReadStream(file, { highWaterMark: 256 * 1024 });
    const bar = process.stderr.isTTY ? new ProgressBar(process.stderr, file, size) : undefined;
    let report;
    try {
      report = await importFile(stream, db, { businessFileId, lookups, dryRun, strict, onProgress: (done) => bar?.update(done, stream.bytesRead) });
    } catch (error) {
      if (!(error instanceof XmlSyntaxError)) throw error;
      bar?.finish();
      process.stdout.write(`${file}: ${error.message} (nothing written)\n`);
      allValid = false;
      continue;
    }
    bar?.finish();
    for (const invalid of report.invalid) for (const line of describeInvalid(invalid, report.resource)) process.stderr.write(`${file}: ${line}\n`);
    const total = report.created + report.updated + report.unchanged + report.invalid.length;
    const verdict = report.invalid.length > 0 ? 'nothing written' : dryRun ? 'dry run, nothing written' : 'written';
    const notKept = describeNotKept(report);
    process.stdout.write(
      `${file}: created ${report.created}, updated ${report.updated}, unchanged ${report.unchanged}, invalid ${report.invalid.length} ` +
        `(${total} ${report.resource} in ${report.seconds.toFixed(1)} s, ${verdict})${notKept ? `; ${notKept}` : ''}\n`,
    );
    if (report.invalid.length > 0) allValid = false;
  }
  return allValid;
}

export async function exportTo(db: Knex, spec: ResourceSpec, businessFileId: number, out: NodeJS.WritableStream): Promise<void> {
  await pipeline(Readable.from(exportDocument(db, spec, businessFileId)), out, { end: false });
}
