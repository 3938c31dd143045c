// The endpoints of one resource (contacts, firms), written once: canonical paths, short paths on
// the default business file, the old system's action-style forms, and a firm's contacts.
// Handlers are thin: read input, call the service, hand over to respond.
import type Router from '@koa/router';
import type { Knex } from 'knex';
import type { ApiUser } from '../../auth/users.js';
import { BadRequestError } from '../../errors.js';
import { isPositiveId } from '../../ids.js';
import type { Scope } from '../../resources/list.js';
import { parseListQuery } from '../../resources/list-query.js';
import type { RecordKey, RecordRef } from '../../resources/read.js';
import type { ChangeWatch } from '../../db/change-watch.js';
import type { ResourceService } from '../../resources/service.js';
import type { Row } from '../../resources/spec.js';
import { businessFileOf } from '../auth.js';
import { readRecordBody } from '../body.js';
import { checkKey, once, requestDigest } from '../idempotency.js';
import type { RenderedRecords } from '../rendered.js';
import { listBody, profileOf, recordBody, sendRecord } from '../respond.js';
import type { AppContext, AppState } from '../state.js';
import { KeptWhileUnchanged, recordsTokenOf } from '../unchanged.js';

type Ctx = AppContext & { params: Record<string, string> };

const actorOf = (ctx: AppContext) => (ctx.state.user as ApiUser).id;

/** List pages' bodies kept per process while nothing they show was written: how many, up to what size. */
const PAGES_KEPT = 100;
const PAGE_BYTES_KEPT = 256 * 1024;
type PageBody = { type: string; body: string | Buffer };
const keptPages = new WeakMap<RenderedRecords, KeptWhileUnchanged<PageBody>>();
const pagesOf = (rendered: RenderedRecords) =>
  keptPages.get(rendered) ?? keptPages.set(rendered, new KeptWhileUnchanged<PageBody>(PAGES_KEPT, (p) => p.body.length <= PAGE_BYTES_KEPT)).get(rendered)!;

/**
 * A list answer from its page of refs: kept renderings, the missing ones read in one go. The
 * whole body is kept while nothing it shows was written (SQLite: the database's change token;
 * MySQL: the business file's write tallies, ResourceService.writesTokenOf): the same query,
 * format and profile then give the same bytes without a page query.
 */
export async function listAnswer(ctx: AppContext, service: ResourceService, rendered: RenderedRecords, scope: Scope | undefined, changes: ChangeWatch): Promise<void> {
  const businessFileId = businessFileOf(ctx);
  const { query, problems } = parseListQuery(service.spec, ctx.query, service.lookups);
  if (!query) throw new BadRequestError(problems);
  const token = await recordsTokenOf(ctx, changes, service, businessFileId);
  const key = `${businessFileId} ${ctx.state.format} ${profileOf(ctx)} ${JSON.stringify(scope ?? null)} ${JSON.stringify(query)}`;
  const { type, body } = (await pagesOf(rendered).get(key, token, async () => {
    const { refs, totalEntries } = await service.list(businessFileId, query, scope);
    const kept = refs.map((ref) => rendered.get(ref));
    const missing = refs.filter((_, i) => !kept[i]);
    const loaded = new Map((await service.getMany(businessFileId, missing.map((r) => r.id))).map((r) => [r.id, r]));
    // A record deleted since the page query is left out.
    const records = refs
      .map((ref, i) => {
        if (kept[i]) return kept[i];
        const record = loaded.get(ref.id);
        return record && rendered.of(record, ref);
      })
      .filter((r) => r !== undefined);
    const pagination = query.pagination
      ? {
          current_page: query.page,
          total_pages: Math.ceil(totalEntries / query.perPage),
          current_page_items_count: records.length,
          per_page: query.perPage,
          total_entries: totalEntries,
        }
      : undefined;
    return listBody(ctx, service.spec, records, pagination);
  })) as PageBody;
  ctx.status = 200;
  ctx.type = type;
  ctx.body = body;
}

/** Records' stamps kept per process while nothing they show was written (unchanged.ts), by business file and key. */
const REFS_KEPT = 10_000;

export function resourceRoutes(router: Router<AppState>, db: Knex, service: ResourceService, rendered: RenderedRecords, changes: ChangeWatch): void {
  const { spec } = service;
  const refs = new KeptWhileUnchanged<RecordRef>(REFS_KEPT);
  /** The record's current stamp (404 when there is none): one query, none while nothing was written. */
  const refOf = async (ctx: AppContext, businessFileId: number, key: RecordKey): Promise<RecordRef> => {
    const token = await recordsTokenOf(ctx, changes, service, businessFileId);
    const name = 'id' in key ? `${businessFileId} ${key.id}` : `${businessFileId} r${key.remoteId}`;
    return (await refs.get(name, token, () => service.ref(businessFileId, key))) as RecordRef;
  };

  const keyOf = (ctx: Ctx): RecordKey => {
    const raw = ctx.params.id;
    const lookupField = ctx.query.lookup_field;
    if (lookupField === 'remote_id') return { remoteId: raw };
    if (lookupField !== undefined && lookupField !== 'id') throw new BadRequestError('Parameter lookup_field must be id or remote_id.');
    if (!isPositiveId(raw)) throw service.notFound();
    return { id: Number(raw) };
  };

  const list = (ctx: AppContext) => listAnswer(ctx, service, rendered, undefined, changes);

  const create = async (ctx: AppContext) => {
    const businessFileId = businessFileOf(ctx);
    const { input, bytes } = await readRecordBody(ctx, spec);
    const locationOf = (r: Row) => `/${businessFileId}/${spec.plural}/${r.id}.${ctx.state.format}`;
    const key = ctx.get('Idempotency-Key');
    if (!key) {
      const record = await service.create(businessFileId, input, actorOf(ctx));
      ctx.set('Location', locationOf(record));
      sendRecord(ctx, spec, rendered.of(record), 201);
      return;
    }
    checkKey(key);
    const digest = requestDigest('POST', `/${businessFileId}/${spec.plural}.${ctx.state.format}`, bytes);
    const answer = await once(db, actorOf(ctx), key, digest, async (trx) => {
      const record = await service.create(businessFileId, input, actorOf(ctx), trx);
      const answer = rendered.of(record);
      const { type, body } = recordBody(ctx, spec, answer);
      return { status: 201, location: locationOf(record), etag: answer.etag, contentType: type, body: body.toString('utf8') };
    });
    ctx.status = answer.status;
    if (answer.location) ctx.set('Location', answer.location);
    if (answer.etag) ctx.set('ETag', answer.etag);
    ctx.type = answer.contentType;
    ctx.body = answer.body;
  };

  const show = async (ctx: Ctx) => {
    const businessFileId = businessFileOf(ctx);
    const ref = await refOf(ctx, businessFileId, keyOf(ctx));
    sendRecord(ctx, spec, rendered.get(ref) ?? rendered.of(await service.get(businessFileId, { id: ref.id }), ref));
  };

  const update = async (ctx: Ctx) => {
    const businessFileId = businessFileOf(ctx);
    const key = keyOf(ctx);
    const { input } = await readRecordBody(ctx, spec);
    sendRecord(ctx, spec, rendered.of(await service.update(businessFileId, key, input, actorOf(ctx), ctx.get('If-Match') || undefined)));
  };

  const remove = async (ctx: Ctx) => {
    await service.remove(businessFileOf(ctx), keyOf(ctx), actorOf(ctx), ctx.get('If-Match') || undefined);
    ctx.status = 200;
    ctx.body = '';
  };

  const p = spec.plural;
  for (const path of [`/:bf/${p}`, `/${p}`]) {
    router.get(path, list);
    router.post(path, create);
  }
  for (const path of [`/:bf/${p}/:id`, `/${p}/:id`]) {
    router.get(path, show);
    router.put(path, update);
    router.patch(path, update);
    router.delete(path, remove);
  }
  // The old system's /{resource}/{action}/{bf}[/{id}] forms (contract section 0).
  router.get(`/${p}/list/:bf`, list);
  router.get(`/${p}/show/:bf/:id`, show);
  router.put(`/${p}/show/:bf/:id`, update);
  router.delete(`/${p}/show/:bf/:id`, remove);
  router.post(`/${p}/create/:bf`, create);
  router.post(`/${p}/update/:bf/:id`, update);
  router.put(`/${p}/update/:bf/:id`, update);
  router.post(`/${p}/destroy/:bf/:id`, remove);
  router.delete(`/${p}/destroy/:bf/:id`, remove);
}

/** `GET /{bf}/firms/{id}/contacts.xml`: a firm's contacts, with every list parameter. */
export function firmContactsRoutes(router: Router<AppState>, firms: ResourceService, contacts: ResourceService, rendered: RenderedRecords, changes: ChangeWatch): void {
  const handler = async (ctx: Ctx) => {
    if (!isPositiveId(ctx.params.id)) throw firms.notFound();
    await firms.ref(businessFileOf(ctx), { id: Number(ctx.params.id) });
    await listAnswer(ctx, contacts, rendered, { column: 'firm_id', value: Number(ctx.params.id) }, changes);
  };
  router.get('/:bf/firms/:id/contacts', handler);
  router.get('/firms/:id/contacts', handler);
}
