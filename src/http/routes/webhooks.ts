// /{bf}/webhooks: register (201 with the secret, shown only then), list, remove, and each
// endpoint's latest delivery attempts. XML or JSON.
import type Router from '@koa/router';
import type { Knex } from 'knex';
import { isPositiveId } from '../../ids.js';
import { BadRequestError, InvalidError, NotFoundError, UnsupportedMediaTypeError } from '../../errors.js';
import { toIso, toLegacy } from '../../time.js';
import { addWebhook, findWebhook, listDeliveries, listWebhooks, removeWebhook, URL_MAX, type DeliveryAttempt, type Webhook } from '../../webhooks/registry.js';
import { UnsafeUrlError } from '../../webhooks/url-safety.js';
import { decodeEntities } from '../../xml/entities.js';
import { decodeUtf8, parseDocument } from '../../xml/document.js';
import { element, XML_DECLARATION } from '../../xml/escape.js';
import { businessFileOf } from '../auth.js';
import { readRawBody } from '../body.js';
import { JSON_TYPE, XML_TYPE } from '../respond.js';
import type { AppContext, AppState } from '../state.js';

const BODY_LIMIT = 16 * 1024;
/** Attempts shown by deliveries.xml. */
export const DELIVERIES_SHOWN = 100;

function textOf(node: unknown): string | null {
  if (typeof node === 'string') return node === '' ? null : decodeEntities(node);
  if (node && typeof node === 'object' && !Array.isArray(node)) {
    const text = (node as Record<string, unknown>)['#text'];
    return typeof text === 'string' && text !== '' ? decodeEntities(text) : null;
  }
  return null;
}

/** The url of `<webhook><url>…</url></webhook>` or `{"webhook": {"url": …}}`. */
async function readWebhookUrl(ctx: AppContext): Promise<string | null> {
  const type = ctx.request.type.toLowerCase();
  const json = type === 'application/json';
  if (!json && type !== 'application/xml' && type !== 'text/xml') throw new UnsupportedMediaTypeError('Content-Type must be application/xml, text/xml or application/json.');
  const text = decodeUtf8(await readRawBody(ctx, BODY_LIMIT));
  if (!json) {
    const node = parseDocument(text, 'webhook');
    return typeof node === 'object' && !Array.isArray(node) ? textOf(node.url) : null;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new BadRequestError('Malformed JSON.');
  }
  const webhook = (parsed as { webhook?: { url?: unknown } } | null)?.webhook;
  if (!webhook || typeof webhook !== 'object') throw new BadRequestError('The body must be {"webhook": {"url": …}}.');
  if (webhook.url !== undefined && webhook.url !== null && typeof webhook.url !== 'string') throw new InvalidError(['Url must be a string']);
  return typeof webhook.url === 'string' && webhook.url !== '' ? webhook.url : null;
}

const webhookFields = (w: Webhook, secret?: string) => ({
  id: w.id,
  url: w.url,
  ...(secret !== undefined && { secret }),
  created_at: w.createdAt,
  delivered_through: w.deliveredThrough,
  failing: w.failing,
});

function webhookXml(w: Webhook, indent: string, secret?: string): string {
  const i = indent + '  ';
  return (
    `${indent}<webhook>\n` +
    element(i, 'id', w.id) +
    element(i, 'url', w.url) +
    (secret !== undefined ? element(i, 'secret', secret) : '') +
    element(i, 'created_at', toLegacy(w.createdAt)) +
    element(i, 'delivered_through', w.deliveredThrough) +
    element(i, 'failing', String(w.failing)) +
    `${indent}</webhook>\n`
  );
}

function webhookJson(w: Webhook, secret?: string) {
  const fields = webhookFields(w, secret);
  return { ...fields, created_at: toIso(fields.created_at) };
}

function deliveryXml(d: DeliveryAttempt): string {
  const i = '    ';
  return (
    '  <delivery>\n' +
    element(i, 'event_id', d.eventId) +
    element(i, 'attempt', d.attempt) +
    element(i, 'attempted_at', toIso(d.attemptedAt)) +
    element(i, 'status', d.status) +
    element(i, 'error', d.error) +
    element(i, 'milliseconds', d.milliseconds) +
    '  </delivery>\n'
  );
}

function send(ctx: AppContext, status: number, xml: () => string, json: () => unknown): void {
  ctx.status = status;
  if (ctx.state.format === 'json') {
    ctx.type = JSON_TYPE;
    ctx.body = JSON.stringify(json());
  } else {
    ctx.type = XML_TYPE;
    ctx.body = xml();
  }
}

export function webhookRoutes(router: Router<AppState>, db: Knex, allowPrivate: boolean): void {
  const webhookOf = async (ctx: AppContext & { params: Record<string, string> }): Promise<Webhook> => {
    const businessFileId = businessFileOf(ctx);
    const found = isPositiveId(ctx.params.id) ? await findWebhook(db, businessFileId, Number(ctx.params.id)) : undefined;
    if (!found) throw new NotFoundError('Webhook not found.');
    return found;
  };

  const create = async (ctx: AppContext) => {
    const businessFileId = businessFileOf(ctx);
    const url = await readWebhookUrl(ctx);
    if (url === null) throw new InvalidError(["Url can't be blank"]);
    if (url.length > URL_MAX) throw new InvalidError([`Url is too long (maximum is ${URL_MAX} characters)`]);
    let added;
    try {
      added = await addWebhook(db, businessFileId, url, allowPrivate);
    } catch (error) {
      if (error instanceof UnsafeUrlError) throw new InvalidError([error.message]);
      throw error;
    }
    ctx.set('Location', `/${businessFileId}/webhooks/${added.id}.${ctx.state.format}`);
    send(
      ctx,
      201,
      () => XML_DECLARATION + webhookXml(added, '', added.secret),
      () => ({ webhook: webhookJson(added, added.secret) }),
    );
  };

  const list = async (ctx: AppContext) => {
    const hooks = await listWebhooks(db, businessFileOf(ctx));
    send(
      ctx,
      200,
      () => `${XML_DECLARATION}<webhooks type="array">\n${hooks.map((w) => webhookXml(w, '  ')).join('')}</webhooks>\n`,
      () => ({ webhooks: hooks.map((w) => webhookJson(w)) }),
    );
  };

  const show = async (ctx: AppContext & { params: Record<string, string> }) => {
    const hook = await webhookOf(ctx);
    send(
      ctx,
      200,
      () => XML_DECLARATION + webhookXml(hook, ''),
      () => ({ webhook: webhookJson(hook) }),
    );
  };

  const remove = async (ctx: AppContext & { params: Record<string, string> }) => {
    const hook = await webhookOf(ctx);
    if (!(await removeWebhook(db, hook.businessFileId, hook.id))) throw new NotFoundError('Webhook not found.');
    ctx.status = 200;
    ctx.body = '';
  };

  const deliveries = async (ctx: AppContext & { params: Record<string, string> }) => {
    const hook = await webhookOf(ctx);
    const attempts = await listDeliveries(db, hook.id, DELIVERIES_SHOWN);
    send(
      ctx,
      200,
      () => `${XML_DECLARATION}<deliveries type="array">\n${attempts.map(deliveryXml).join('')}</deliveries>\n`,
      () => ({
        deliveries: attempts.map((d) => ({
          event_id: d.eventId,
          attempt: d.attempt,
          attempted_at: toIso(d.attemptedAt),
          status: d.status,
          error: d.error,
          milliseconds: d.milliseconds,
        })),
      }),
    );
  };

  for (const prefix of ['/:bf/webhooks', '/webhooks']) {
    router.get(prefix, list);
    router.post(prefix, create);
    router.get(`${prefix}/:id`, show);
    router.delete(`${prefix}/:id`, remove);
    router.get(`${prefix}/:id/deliveries`, deliveries);
  }
}
