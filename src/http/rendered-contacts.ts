// Each contact's encoded answers (XML document, XML list item, JSON object, ETag), kept by id
// for the version they were rendered from. A contact's version moves on with every change to it
// or its children, and a new contact starts at a random version (rows.ts firstVersion), so an
// (id, version) pair names one content: a GET then costs one query for the version, a list page
// one query for its ids and versions, plus concatenation. Least recently used ids go first.
import { etagOf } from '../contacts/etag.js';
import type { ContactRef } from '../contacts/read.js';
import type { Contact } from '../contacts/types.js';
import { contactObject } from '../json/contact-json.js';
import { contactElement } from '../xml/contact-writer.js';
import { XML_DECLARATION } from '../xml/escape.js';

export interface Rendered {
  version: number;
  etag: string;
  /**
   * The whole XML document of a GET. Kept as a string: Node sends a string body in one write
   * with the headers, a Buffer in two (writev), which costs more than encoding 2 KB.
   */
  xmlDocument: string;
  /** The <contact> element as a list page holds it (indented by two spaces), UTF-8 for concatenation. */
  xmlListItem: Buffer;
  /** The contact's JSON object, without the {"contact": …} wrapper, UTF-8. */
  json: Buffer;
}

export const DEFAULT_RENDERED_CONTACTS = 10_000;

export class RenderedContacts {
  private readonly entries = new Map<number, Rendered>();

  constructor(private readonly capacity = DEFAULT_RENDERED_CONTACTS) {}

  /** The rendering of exactly this version, if kept. */
  get(ref: ContactRef): Rendered | undefined {
    const entry = this.entries.get(ref.id);
    if (!entry || entry.version !== ref.version) return undefined;
    // Map order is insertion order: re-inserting marks the entry as recently used.
    this.entries.delete(ref.id);
    this.entries.set(ref.id, entry);
    return entry;
  }

  /**
   * Renders a contact read from the database (or takes the kept rendering of its version), and
   * keeps it. Written contacts (`written`) are kept only in place of an older version already
   * kept: the cache holds what clients read, and a stream of creations does not fill it.
   */
  of(contact: Contact, written = false): Rendered {
    const kept = this.get(contact);
    if (kept) return kept;
    const rendered: Rendered = {
      version: contact.version,
      etag: etagOf(contact),
      xmlDocument: XML_DECLARATION + contactElement(contact),
      xmlListItem: Buffer.from(contactElement(contact, '  ')),
      json: Buffer.from(JSON.stringify(contactObject(contact))),
    };
    if (this.capacity > 0 && (!written || this.entries.has(contact.id))) {
      this.entries.delete(contact.id);
      if (this.entries.size >= this.capacity) this.entries.delete(this.entries.keys().next().value as number);
      this.entries.set(contact.id, rendered);
    }
    return rendered;
  }

  get size(): number {
    return this.entries.size;
  }
}
