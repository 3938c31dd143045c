// The one place responses are serialized: XML or JSON by the negotiated format.
import { etagOf, ifNoneMatchMatches } from '../contacts/etag.js';
import type { Contact, Lookups } from '../contacts/types.js';
import { contactJson, listJson, lookupsJson } from '../json/contact-json.js';
import { contactDocument, contactListDocument, type Pagination } from '../xml/contact-writer.js';
import { errorsDocument, lookupsDocument } from '../xml/misc-writer.js';
import type { AppContext, Format } from './state.js';

export const XML_TYPE = 'application/xml; charset=utf-8';
export const JSON_TYPE = 'application/json; charset=utf-8';

/** A contact rendered in a format, for answers that are stored (idempotent POSTs). */
export function renderContact(format: Format, contact: Contact): { type: string; body: string } {
  return format === 'json' ? { type: JSON_TYPE, body: JSON.stringify(contactJson(contact)) } : { type: XML_TYPE, body: contactDocument(contact) };
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

/** A contact, with its ETag; a GET whose If-None-Match names it is answered 304. */
export function sendContact(ctx: AppContext, contact: Contact, status = 200): void {
  const etag = etagOf(contact);
  ctx.set('ETag', etag);
  const ifNoneMatch = ctx.get('If-None-Match');
  if ((ctx.method === 'GET' || ctx.method === 'HEAD') && ifNoneMatch && ifNoneMatchMatches(ifNoneMatch, etag)) {
    ctx.status = 304;
    return;
  }
  send(ctx, status, () => contactDocument(contact), () => contactJson(contact));
}

export function sendContactList(ctx: AppContext, contacts: Contact[], pagination?: Pagination): void {
  send(ctx, 200, () => contactListDocument(contacts, pagination), () => listJson(contacts, pagination));
}

export function sendLookups(ctx: AppContext, lookups: Lookups): void {
  send(ctx, 200, () => lookupsDocument(lookups), () => lookupsJson(lookups));
}

export function errorBody(format: Format, messages: string[]): { type: string; body: string } {
  return format === 'json' ? { type: JSON_TYPE, body: JSON.stringify({ errors: messages }) } : { type: XML_TYPE, body: errorsDocument(messages) };
}
