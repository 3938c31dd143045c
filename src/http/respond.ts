// The one place responses are serialized: XML or JSON by the negotiated format, XML shaped by
// the user's profile (contract section 1).
import type { ApiUser } from '../auth/users.js';
import type { Lookups } from '../contacts/types.js';
import { listJsonOf, lookupsJson } from '../json/record-json.js';
import { ifNoneMatchMatches } from '../resources/etag.js';
import type { ResourceSpec } from '../resources/spec.js';
import { errorsDocument, lookupsDocument } from '../xml/misc-writer.js';
import { listDocumentOf, type EmptyIntegers, type Pagination } from '../xml/record-writer.js';
import type { Rendered } from './rendered.js';
import type { AppContext, Format } from './state.js';

export const XML_TYPE = 'application/xml; charset=utf-8';
export const JSON_TYPE = 'application/json; charset=utf-8';

/** The XML profile of the user asking. */
export const profileOf = (ctx: AppContext): EmptyIntegers => (ctx.state.user as ApiUser | undefined)?.emptyIntegers ?? 'empty';

/** A record's answer body in the request's format (also stored for idempotent POSTs). */
export function recordBody(ctx: AppContext, spec: ResourceSpec, record: Rendered): { type: string; body: Buffer } {
  return ctx.state.format === 'json' ? { type: JSON_TYPE, body: record.jsonDocument() } : { type: XML_TYPE, body: record.xmlDocument(profileOf(ctx)) };
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

/** A record, with its ETag; a GET whose If-None-Match names it is answered 304. */
export function sendRecord(ctx: AppContext, spec: ResourceSpec, record: Rendered, status = 200): void {
  ctx.set('ETag', record.etag);
  const ifNoneMatch = ctx.get('If-None-Match');
  if ((ctx.method === 'GET' || ctx.method === 'HEAD') && ifNoneMatch && ifNoneMatchMatches(ifNoneMatch, record.etag)) {
    ctx.status = 304;
    return;
  }
  const { type, body } = recordBody(ctx, spec, record);
  ctx.status = status;
  ctx.type = type;
  ctx.body = body;
}

/** A list page's body in the request's format, concatenated from the records' renderings. */
export function listBody(ctx: AppContext, spec: ResourceSpec, records: Rendered[], pagination?: Pagination): { type: string; body: string | Buffer } {
  if (ctx.state.format === 'json') return { type: JSON_TYPE, body: listJsonOf(spec, records.map((r) => r.json), pagination) };
  const profile = profileOf(ctx);
  return { type: XML_TYPE, body: listDocumentOf(spec, records.map((r) => r.xmlListItem(profile)), pagination) };
}

/** A list page. */
export function sendList(ctx: AppContext, spec: ResourceSpec, records: Rendered[], pagination?: Pagination): void {
  const { type, body } = listBody(ctx, spec, records, pagination);
  ctx.status = 200;
  ctx.type = type;
  ctx.body = body;
}

export function sendLookups(ctx: AppContext, lookups: Lookups): void {
  send(ctx, 200, () => lookupsDocument(lookups), () => JSON.stringify(lookupsJson(lookups)));
}

export function errorBody(format: Format, messages: string[]): { type: string; body: string } {
  return format === 'json' ? { type: JSON_TYPE, body: JSON.stringify({ errors: messages }) } : { type: XML_TYPE, body: errorsDocument(messages) };
}
