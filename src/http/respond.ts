// The one place responses are serialized: XML or JSON by the negotiated format.
import { ifNoneMatchMatches } from '../contacts/etag.js';
import type { Lookups } from '../contacts/types.js';
import { contactJsonOf, listJsonOf, lookupsJson } from '../json/contact-json.js';
import { listDocumentOf, type Pagination } from '../xml/contact-writer.js';
import { errorsDocument, lookupsDocument } from '../xml/misc-writer.js';
import type { Rendered } from './rendered-contacts.js';
import type { AppContext, Format } from './state.js';

export const XML_TYPE = 'application/xml; charset=utf-8';
export const JSON_TYPE = 'application/json; charset=utf-8';

/** A contact's answer body in a format (also stored for idempotent POSTs). */
export function contactBody(format: Format, contact: Rendered): { type: string; body: string | Buffer } {
  return format === 'json' ? { type: JSON_TYPE, body: contactJsonOf(contact.json) } : { type: XML_TYPE, body: contact.xmlDocument };
}

/** `xml` and `json` give the encoded body; only the negotiated one is called. */
function send(ctx: AppContext, status: number, xml: () => string | Buffer, json: () => string | Buffer): void {
  ctx.status = status;
  if (ctx.state.format === 'json') {
    ctx.type = JSON_TYPE;
    ctx.body = json();
  } else {
    ctx.type = XML_TYPE;
    ctx.body = xml();
  }
}

/** A contact, with its ETag; a GET whose If-None-Match names it is answered 304. */
export function sendContact(ctx: AppContext, contact: Rendered, status = 200): void {
  ctx.set('ETag', contact.etag);
  const ifNoneMatch = ctx.get('If-None-Match');
  if ((ctx.method === 'GET' || ctx.method === 'HEAD') && ifNoneMatch && ifNoneMatchMatches(ifNoneMatch, contact.etag)) {
    ctx.status = 304;
    return;
  }
  const { type, body } = contactBody(ctx.state.format, contact);
  ctx.status = status;
  ctx.type = type;
  ctx.body = body;
}

/** A list page, concatenated from the contacts' renderings. */
export function sendContactList(ctx: AppContext, contacts: Rendered[], pagination?: Pagination): void {
  send(
    ctx,
    200,
    () => listDocumentOf(contacts.map((c) => c.xmlListItem), pagination),
    () => listJsonOf(contacts.map((c) => c.json), pagination),
  );
}

export function sendLookups(ctx: AppContext, lookups: Lookups): void {
  send(ctx, 200, () => lookupsDocument(lookups), () => JSON.stringify(lookupsJson(lookups)));
}

export function errorBody(format: Format, messages: string[]): { type: string; body: string } {
  return format === 'json' ? { type: JSON_TYPE, body: JSON.stringify({ errors: messages }) } : { type: XML_TYPE, body: errorsDocument(messages) };
}
