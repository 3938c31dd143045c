// Bulk transfer over HTTP, per resource: GET …/{contacts|firms}/export.xml streams the whole
// business file; POST …/{contacts|firms}/import.xml takes such a document (up to 64 MiB), all
// or nothing, and reports what it did not keep.
import { Readable } from 'node:stream';
import type Router from '@koa/router';
import type { Knex } from 'knex';
import type { Lookups } from '../../contacts/types.js';
import { BadRequestError, InvalidError, NotFoundError } from '../../errors.js';
import { exportDocument } from '../../import/exporter.js';
import { describeInvalid, importFile } from '../../import/importer.js';
import type { ResourceSpec } from '../../resources/spec.js';
import { importSummaryDocument } from '../../xml/import-writer.js';
import { businessFileOf } from '../auth.js';
import { discardRest, limitedBody, requireXmlBody, unclosable } from '../body.js';
import { profileOf, XML_TYPE } from '../respond.js';
import type { AppContext, AppState } from '../state.js';

export const IMPORT_BODY_LIMIT = 64 * 1024 * 1024;

/** Bulk transfer speaks the legacy XML only. */
function xmlOnly(ctx: AppContext): void {
  if (ctx.state.format !== 'xml') throw new NotFoundError('Import and export are XML only.');
}

function flag(ctx: AppContext, name: string): boolean {
  const value = ctx.query[name];
  if (value !== undefined && value !== 'true' && value !== 'false') throw new BadRequestError(`Parameter ${name} must be true or false.`);
  return value === 'true';
}

export function transferRoutes(router: Router<AppState>, db: Knex, spec: ResourceSpec, lookups: Lookups): void {
  const exporter = async (ctx: AppContext) => {
    xmlOnly(ctx);
    ctx.type = XML_TYPE;
    ctx.body = Readable.from(exportDocument(db, spec, businessFileOf(ctx), profileOf(ctx)));
  };

  const importer = async (ctx: AppContext) => {
    xmlOnly(ctx);
    const businessFileId = businessFileOf(ctx);
    requireXmlBody(ctx);
    const options = { businessFileId, lookups, dryRun: flag(ctx, 'dry_run'), strict: flag(ctx, 'strict'), expect: spec.plural, userId: ctx.state.user?.id ?? null };
    const body = limitedBody(ctx, IMPORT_BODY_LIMIT);
    let report;
    try {
      report = await importFile(unclosable(body), db, options);
    } catch (error) {
      await discardRest(body);
      throw error;
    }
    if (report.invalid.length > 0) throw new InvalidError(report.invalid.flatMap((r) => describeInvalid(r, spec.plural)));
    ctx.type = XML_TYPE;
    ctx.body = importSummaryDocument(report);
  };

  for (const prefix of [`/:bf/${spec.plural}`, `/${spec.plural}`]) {
    router.get(`${prefix}/export`, exporter);
    router.post(`${prefix}/import`, importer);
  }
}
