// Bulk transfer over HTTP: GET …/contacts/export.xml streams the whole business file;
// POST …/contacts/import.xml takes a <contacts> document (up to 64 MiB), all or nothing.
import { Readable } from 'node:stream';
import type Router from '@koa/router';
import type { Knex } from 'knex';
import type { ContactsService } from '../../contacts/service.js';
import { BadRequestError, InvalidError, NotFoundError } from '../../errors.js';
import { exportDocument } from '../../import/exporter.js';
import { describeInvalid, importContacts } from '../../import/importer.js';
import { importSummaryDocument } from '../../xml/import-writer.js';
import { businessFileOf } from '../auth.js';
import { limitedBody, requireXmlBody } from '../body.js';
import { XML_TYPE } from '../respond.js';
import type { AppContext, AppState } from '../state.js';

export const IMPORT_BODY_LIMIT = 64 * 1024 * 1024;

/** Bulk transfer speaks the legacy XML only. */
function xmlOnly(ctx: AppContext): void {
  if (ctx.state.format !== 'xml') throw new NotFoundError('Import and export are XML only.');
}

export function transferRoutes(router: Router<AppState>, db: Knex, service: ContactsService): void {
  const exporter = async (ctx: AppContext) => {
    xmlOnly(ctx);
    const businessFileId = businessFileOf(ctx);
    ctx.type = XML_TYPE;
    ctx.body = Readable.from(exportDocument(db, businessFileId));
  };

  const importer = async (ctx: AppContext) => {
    xmlOnly(ctx);
    const businessFileId = businessFileOf(ctx);
    requireXmlBody(ctx);
    const dryRun = ctx.query.dry_run;
    if (dryRun !== undefined && dryRun !== 'true' && dryRun !== 'false') throw new BadRequestError('Parameter dry_run must be true or false.');
    const report = await importContacts(limitedBody(ctx, IMPORT_BODY_LIMIT), db, { businessFileId, lookups: service.lookups, dryRun: dryRun === 'true', userId: ctx.state.user?.id ?? null });
    if (report.invalid.length > 0) throw new InvalidError(report.invalid.flatMap(describeInvalid));
    ctx.type = XML_TYPE;
    ctx.body = importSummaryDocument(report);
  };

  for (const prefix of ['/:bf/contacts', '/contacts']) {
    router.get(`${prefix}/export`, exporter);
    router.post(`${prefix}/import`, importer);
  }
}
