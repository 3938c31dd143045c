// Reads a request body: Content-Type checked (415), size bounded (413, before reading when
// Content-Length already says too much), then decoded into a ContactInput.
import getRawBody from 'raw-body';
import { PayloadTooLargeError, UnsupportedMediaTypeError } from '../errors.js';
import { readJsonRecord } from '../json/record-json.js';
import type { Input } from '../resources/draft.js';
import type { ResourceSpec } from '../resources/spec.js';
import { readRecord } from '../xml/record-reader.js';
import { decodeUtf8, parseDocument } from '../xml/document.js';
import type { AppContext } from './state.js';

export const RECORD_BODY_LIMIT = 1024 * 1024;

const isXmlType = (type: string) => type === 'application/xml' || type === 'text/xml' || /^[a-z0-9.+-]+\/[a-z0-9.-]+\+xml$/.test(type);

type BodyKind = 'xml' | 'json';

function bodyKind(ctx: AppContext): BodyKind {
  const type = ctx.request.type.toLowerCase();
  const charset = ctx.request.charset?.toLowerCase();
  const kind: BodyKind | undefined = isXmlType(type) ? 'xml' : type === 'application/json' && ctx.state.format === 'json' ? 'json' : undefined;
  if (!kind) {
    const expected = ctx.state.format === 'json' ? 'application/json or application/xml' : 'application/xml or text/xml';
    throw new UnsupportedMediaTypeError(`Content-Type must be ${expected}${type ? `, not ${type}` : ''}.`);
  }
  if (charset && charset !== 'utf-8' && charset !== 'utf8') throw new UnsupportedMediaTypeError(`Only UTF-8 is accepted, not charset ${charset}.`);
  return kind;
}

/** Import bodies: XML only, UTF-8 only. */
export function requireXmlBody(ctx: AppContext): void {
  if (bodyKind(ctx) !== 'xml') throw new UnsupportedMediaTypeError('Content-Type must be application/xml or text/xml.');
}

/**
 * Reads what is left of a body stream that its reader gave up on (an import refused at its
 * first bad record) and drops it, up to the stream's own limit: Node otherwise closes the
 * connection after the answer while it still says keep-alive, and a client that sends its next
 * request on it at once is reset. Past the limit the stream throws its 413, which closes the
 * connection as every 413 does.
 */
export async function discardRest(body: AsyncGenerator<Buffer>): Promise<void> {
  // (the reader read through `unclosable(body)`, so its early exit left `body` open)
  try {
    while (!(await body.next()).done);
  } catch {
    // past the limit, or the client went away: the connection closes
  }
}

/** `body` for a reader whose early exit (a for-await left by a throw) must not close it. */
export function unclosable(body: AsyncGenerator<Buffer>): AsyncIterable<Buffer> {
  return { [Symbol.asyncIterator]: () => ({ next: () => body.next() }) };
}

/** The request body as a stream of chunks, refused with 413 past `limit` bytes. */
export async function* limitedBody(ctx: AppContext, limit: number): AsyncGenerator<Buffer> {
  const declared = Number(ctx.get('Content-Length') || 0);
  if (declared > limit) throw new PayloadTooLargeError(limit);
  let total = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > limit) throw new PayloadTooLargeError(limit);
    yield chunk;
  }
}

export async function readRawBody(ctx: AppContext, limit: number): Promise<Buffer> {
  try {
    return await getRawBody(ctx.req, { limit, length: ctx.get('Content-Length') || undefined });
  } catch (error) {
    if ((error as { type?: string }).type === 'entity.too.large') throw new PayloadTooLargeError(limit);
    throw error;
  }
}

/** The record (<contact>, {"contact": …}) of a POST or PUT body, and the bytes it came in. */
export async function readRecordBody(ctx: AppContext, spec: ResourceSpec): Promise<{ input: Input; bytes: Buffer }> {
  const kind = bodyKind(ctx);
  const bytes = await readRawBody(ctx, RECORD_BODY_LIMIT);
  const text = decodeUtf8(bytes);
  return { input: kind === 'json' ? readJsonRecord(spec, text) : readRecord(spec, parseDocument(text, spec.name)), bytes };
}
