// The /contacts endpoints: canonical paths, short paths on the default business file, and the
// old-style aliases. Handlers are thin: read input, call the service, hand over to respond.
import { isPositiveId } from '../../ids.js';
import type Router from '@koa/router';
import type { Knex } from 'knex';
import type { ApiUser } from '../../auth/users.js';
import type { Contact } from '../../contacts/types.js';
import { parseListQuery } from '../../contacts/list-query.js';
import type { ContactKey } from '../../contacts/read.js';
import type { ContactsService } from '../../contacts/service.js';
import { BadRequestError, NotFoundError } from '../../errors.js';
import { businessFileOf } from '../auth.js';
import { readContactBody } from '../body.js';
import { checkKey, once, requestDigest } from '../idempotency.js';
import type { RenderedContacts } from '../rendered-contacts.js';
import { contactBody, sendContact, sendContactList } from '../respond.js';
import type { AppContext, AppState } from '../state.js';

function contactKey(ctx: AppContext & { params: Record<string, string> }): ContactKey {
  const raw = ctx.params.id;
  const lookupField = ctx.query.lookup_field;
  if (lookupField === 'remote_id') return { remoteId: raw };
  if (lookupField !== undefined && lookupField !== 'id') throw new BadRequestError('Parameter lookup_field must be id or remote_id.');
  if (!isPositiveId(raw)) throw new NotFoundError('Contact not found.');
  return { id: Number(raw) };
}

/** The acting API user, recorded with the events of its writes. */
const userIdOf = (ctx: AppContext) => ctx.state.user?.id ?? null;

export function contactRoutes(router: Router<AppState>, db: Knex, service: ContactsService, rendered: RenderedContacts): void {
  const contactTypes = new Set(service.lookups.contactTypes.keys());

  const list = async (ctx: AppContext) => {
    const businessFileId = businessFileOf(ctx);
    const { query, problems } = parseListQuery(ctx.query, contactTypes);
    if (!query) throw new BadRequestError(problems);
    const { refs, totalEntries } = await service.list(businessFileId, query);
    const kept = refs.map((ref) => rendered.get(ref));
    const missing = refs.filter((_, i) => !kept[i]).map((ref) => ref.id);
    const loaded = new Map((await service.getMany(businessFileId, missing)).map((c) => [c.id, rendered.of(c)]));
    // A contact deleted since the page query is left out.
    const contacts = refs.map((ref, i) => kept[i] ?? loaded.get(ref.id)).filter((c) => c !== undefined);
    const pagination = query.pagination
      ? {
          current_page: query.page,
          total_pages: Math.ceil(totalEntries / query.perPage),
          current_page_items_count: contacts.length,
          per_page: query.perPage,
          total_entries: totalEntries,
        }
      : undefined;
    sendContactList(ctx, contacts, pagination);
  };

  const create = async (ctx: AppContext) => {
    const businessFileId = businessFileOf(ctx);
    const { input, bytes } = await readContactBody(ctx);
    const locationOf = (c: Contact) => `/${businessFileId}/contacts/${c.id}.${ctx.state.format}`;
    const key = ctx.get('Idempotency-Key');
    if (!key) {
      const contact = await service.create(businessFileId, input, undefined, userIdOf(ctx));
      ctx.set('Location', locationOf(contact));
      sendContact(ctx, rendered.of(contact, true), 201);
      return;
    }
    checkKey(key);
    const digest = requestDigest('POST', `/${businessFileId}/contacts.${ctx.state.format}`, bytes);
    const answer = await once(db, (ctx.state.user as ApiUser).id, key, digest, async (trx) => {
      const contact = await service.create(businessFileId, input, trx, userIdOf(ctx));
      const answer = rendered.of(contact, true);
      const { type, body } = contactBody(ctx.state.format, answer);
      return { status: 201, location: locationOf(contact), etag: answer.etag, contentType: type, body: body.toString('utf8') };
    });
    ctx.status = answer.status;
    if (answer.location) ctx.set('Location', answer.location);
    if (answer.etag) ctx.set('ETag', answer.etag);
    ctx.type = answer.contentType;
    ctx.body = answer.body;
  };

  const show = async (ctx: AppContext & { params: Record<string, string> }) => {
    const businessFileId = businessFileOf(ctx);
    const ref = await service.ref(businessFileId, contactKey(ctx));
    sendContact(ctx, rendered.get(ref) ?? rendered.of(await service.get(businessFileId, { id: ref.id })));
  };

  const update = async (ctx: AppContext & { params: Record<string, string> }) => {
    const businessFileId = businessFileOf(ctx);
    const key = contactKey(ctx);
    const { input } = await readContactBody(ctx);
    sendContact(ctx, rendered.of(await service.update(businessFileId, key, input, ctx.get('If-Match') || undefined, userIdOf(ctx)), true));
  };

  const remove = async (ctx: AppContext & { params: Record<string, string> }) => {
    await service.remove(businessFileOf(ctx), contactKey(ctx), ctx.get('If-Match') || undefined, userIdOf(ctx));
    ctx.status = 200;
    ctx.body = '';
  };

  for (const path of ['/:bf/contacts', '/contacts']) {
    router.get(path, list);
    router.post(path, create);
  }
  router.get('/contacts/list/:bf', list);

  for (const path of ['/:bf/contacts/:id', '/contacts/:id']) {
    router.get(path, show);
    router.put(path, update);
    router.patch(path, update);
    router.delete(path, remove);
  }
  router.get('/contacts/show/:bf/:id', show);
  router.put('/contacts/show/:bf/:id', update);
  router.delete('/contacts/show/:bf/:id', remove);
}
