// Each record's encoded answers (XML document, XML list item, JSON object, ETag), kept by id for
// the stamp they were rendered from: the record's version and the version of what its document
// shows of other records (a contact's firm name). A record's version moves on with every change
// to it or its children, and a new record starts at a random version (rows.ts firstVersion), so
// a stamp names one content: a GET then costs one query for the stamp, a list page one query
// for its ids and stamps, plus concatenation. Least recently used ids go first. One cache per
// resource.
import { recordJsonOf, recordObject } from '../json/record-json.js';
import { etagOfJson } from '../resources/etag.js';
import type { RecordRef } from '../resources/read.js';
import type { ResourceSpec, Row } from '../resources/spec.js';
import { XML_DECLARATION } from '../xml/escape.js';
import { recordElement, type EmptyIntegers } from '../xml/record-writer.js';

export interface Rendered {
  stamp: string;
  etag: string;
  /**
   * The whole XML document of a GET, UTF-8. Kept encoded: a string body is measured (Koa's
   * Content-Length) and encoded again on every answer, about a tenth of a worker's time on a
   * GET of one contact (SQLite, 36,000 → 41,000 answers/s as a Buffer).
   */
  xmlDocument(profile: EmptyIntegers): Buffer;
  /** The record's element as a list page holds it (indented by two spaces), UTF-8 for concatenation. */
  xmlListItem(profile: EmptyIntegers): Buffer;
  /** The record's JSON object, without the {"contact": …} wrapper, UTF-8. */
  json: Buffer;
  /** The whole JSON document of a GET ({"contact": …}), UTF-8, made when first asked for. */
  jsonDocument(): Buffer;
}

export const DEFAULT_RENDERED_RECORDS = 10_000;

export interface CacheCounters {
  hit(): void;
  miss(): void;
}

/** The encodings of one record, the `omit` profile's made when first asked for. */
export function render(spec: ResourceSpec, record: Row, stamp = ''): Rendered {
  const json = Buffer.from(JSON.stringify(recordObject(spec, record)));
  const listItem = Buffer.from(recordElement(spec, record, '  '));
  const document = Buffer.from(XML_DECLARATION + recordElement(spec, record));
  let omitted: { document: Buffer; listItem: Buffer } | undefined;
  const omit = () => (omitted ??= { document: Buffer.from(XML_DECLARATION + recordElement(spec, record, '', 'omit')), listItem: Buffer.from(recordElement(spec, record, '  ', 'omit')) });
  let jsonDocument: Buffer | undefined;
  return {
    stamp,
    etag: etagOfJson(json),
    json,
    jsonDocument: () => (jsonDocument ??= recordJsonOf(spec, json)),
    xmlDocument: (profile) => (profile === 'omit' ? omit().document : document),
    xmlListItem: (profile) => (profile === 'omit' ? omit().listItem : listItem),
  };
}

export class RenderedRecords {
  private readonly entries = new Map<number, Rendered>();

  constructor(
    readonly spec: ResourceSpec,
    private readonly capacity = DEFAULT_RENDERED_RECORDS,
    private readonly counters?: CacheCounters,
  ) {}

  /** The rendering of exactly this state, if kept. */
  get(ref: RecordRef): Rendered | undefined {
    const entry = this.entries.get(ref.id);
    if (!entry || entry.stamp !== ref.stamp) {
      this.counters?.miss();
      return undefined;
    }
    this.counters?.hit();
    // Map order is insertion order: re-inserting marks the entry as recently used.
    this.entries.delete(ref.id);
    this.entries.set(ref.id, entry);
    return entry;
  }

  /**
   * Renders a record read from the database at the state `ref` names (or later), and keeps it.
   * A record just written (no ref) is rendered and not kept: the cache holds what clients read,
   * and a stream of creations does not fill it.
   */
  of(record: Row, ref?: RecordRef): Rendered {
    const rendered = render(this.spec, record, ref?.stamp);
    if (ref && this.capacity > 0) {
      this.entries.delete(record.id);
      if (this.entries.size >= this.capacity) this.entries.delete(this.entries.keys().next().value as number);
      this.entries.set(record.id, rendered);
    }
    return rendered;
  }

  get size(): number {
    return this.entries.size;
  }
}
