// Streams a <contacts> document and yields its <contact> records one at a time, with their
// position in the file and the line they start on, so that memory stays bounded whatever the
// file's size. Each record is then parsed alone by the same codec as the API. Root
// attributes and any other child (a list page's <pagination>) are skipped, once checked: the
// XML outside the records follows the codec's well-formedness rules too. A file in another
// encoding than UTF-8 is refused as the API refuses such a body (415 over HTTP).
import { ENCODING_HEAD_BYTES, malformedAt, refuseDeclaredEncoding, refuseOtherEncoding, XmlSyntaxError } from '../xml/document.js';
import { findNonCharacter } from '../xml/entities.js';
import { PARSER_OPTIONS } from '../xml/options.js';
import { cdataEnd, checkCharData, commentEnd, declarationEnd, elementEnd, endTag, isBlank, nameAt, piEnd, startsWithDeclaration, startTag, WellFormedProblem } from '../xml/well-formed.js';

/** The roots an import file may have, each with the name of its records. */
export const IMPORT_ROOTS: Readonly<Record<string, string>> = { contacts: 'contact', firms: 'firm' };

export interface RawRecord {
  /** The file's root element (`contacts`, `firms`): what its records are. */
  root: string;
  /** 1-based position of the record in the file. */
  position: number;
  /** 1-based line where its <contact> tag starts. */
  line: number;
  text: string;
}

/** Elements under the root nested deeper than this are refused, as in a document the API reads. */
const MAX_DEPTH_UNDER_ROOT = PARSER_OPTIONS.maxNestedTags ?? 100;

/** A single record larger than this is refused (the API's limit for one contact). */
export const MAX_RECORD_BYTES = 1024 * 1024;

const isNameEnd = (c: string | undefined) => c === undefined || c === '>' || c === '/' || c === ' ' || c === '\t' || c === '\n' || c === '\r';

function countLines(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = text.indexOf('\n', from); i !== -1 && i < to; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

const past = (index: number, length: number) => (index === -1 ? -1 : index + length);

/** Where the scan of a record that is not complete yet stopped: resumed when more data comes. */
interface RecordScan {
  /** Index from the record's start where scanning resumes (the start of a construct). */
  at: number;
  /** Open record-named elements. */
  depth: number;
}

/**
 * Index just past the ">" of the tag at `lt`, quoted attribute values (which may hold ">")
 * skipped; -1 when the buffer ends first.
 */
function tagEnd(text: string, lt: number): number {
  for (let i = lt + 1; i < text.length; i++) {
    const c = text[i];
    if (c === '>') return i + 1;
    if (c === '"' || c === "'") {
      const close = text.indexOf(c, i + 1);
      if (close === -1) return -1;
      i = close;
    }
  }
  return -1;
}

/**
 * The text outside the records (prolog, what lies between records, epilog) is checked here with
 * the codec's own rules (../xml/well-formed.ts), as libxml2 checks it; each record is cut out by
 * a light lexical scan (comments, CDATA, PIs, quoted attribute values and nested elements of the
 * same name are skipped correctly) and checked whole when it is parsed.
 */
class Splitter {
  private buffer = '';
  private offset = 0; // everything before it is consumed
  private line = 1; // line of buffer[offset]
  private column0 = 0; // characters of the current line before buffer[0], dropped by push()
  private state: 'prolog' | 'body' | 'epilog' | 'done' = 'prolog';
  private atStart = true; // nothing consumed yet: where an XML declaration may be
  private position = 0;
  private root = '';
  private record = '';
  private scan: RecordScan | undefined;
  private retryAt = 0; // with an unfinished construct at the offset: how much unread text to wait for

  constructor(
    private readonly ended: () => boolean,
    private readonly roots: Readonly<Record<string, string>>,
  ) {}

  private get rootNames(): string {
    return Object.keys(this.roots).map((r) => `<${r}>`).join(' or ');
  }

  push(text: string): void {
    // Nothing consumed since the last push: the buffer is left as it is (searching it would flatten a long string at every small chunk).
    if (this.offset > 0) {
      const lastNewline = this.buffer.lastIndexOf('\n', this.offset - 1);
      this.column0 = lastNewline === -1 ? this.column0 + this.offset : this.offset - lastNewline - 1;
    }
    this.buffer = this.buffer.slice(this.offset) + (this.atStart && this.buffer === '' && text.startsWith('\uFEFF') ? text.slice(1) : text);
    this.offset = 0;
  }

  private fail(index: number, reason: string): never {
    const newline = this.buffer.lastIndexOf('\n', index - 1);
    const col = newline === -1 ? this.column0 + index + 1 : index - newline;
    throw malformedAt(this.line + countLines(this.buffer, this.offset, index), col, reason);
  }

  /** consume() for what lies outside the records (each record is checked whole by the codec): no NUL, U+FFFE or U+FFFF. */
  private consumeChecked(index: number): void {
    const problem = index > this.offset ? findNonCharacter(this.buffer.slice(this.offset, index)) : undefined;
    if (problem) this.fail(this.offset + problem.index, problem.message);
    this.consume(index);
  }

  /** Consumes the buffer up to `index`, keeping the line count right. */
  private consume(index: number): void {
    if (index > this.offset) this.atStart = false;
    this.line += countLines(this.buffer, this.offset, index);
    this.offset = index;
  }

  /** Refuses what is still unread once it is larger than a record may be. */
  private checkSize(): void {
    if (this.buffer.length - this.offset > MAX_RECORD_BYTES) this.fail(this.offset, `an element is larger than ${MAX_RECORD_BYTES} bytes or never closed.`);
  }

  /**
   * Runs a check of ../xml/well-formed.ts at the buffer: its result, or undefined when the
   * construct is cut by the end of the buffer and more data may complete it.
   */
  private check<T>(run: (text: string) => T): T | undefined {
    try {
      return run(this.buffer);
    } catch (error) {
      if (!(error instanceof WellFormedProblem)) throw error;
      if (error.incomplete && !this.ended()) {
        this.checkSize();
        // Tried again once twice as much is unread: a construct cut across many small chunks costs linear time, not quadratic.
        this.retryAt = 2 * (this.buffer.length - this.offset);
        return undefined;
      }
      this.fail(error.index, error.message);
    }
  }

  /** Index just past the record element at the offset, or -1 when more data is needed. */
  private recordEnd(): number {
    const b = this.buffer;
    const start = this.offset;
    const name = this.record;
    let { at, depth } = this.scan ?? { at: 0, depth: 0 };
    for (;;) {
      const lt = b.indexOf('<', start + at);
      if (lt === -1) {
        at = b.length - start;
        break;
      }
      if (b.length - lt < name.length + 10 && !this.ended()) {
        at = lt - start;
        break;
      }
      let next: number; // -1: the construct at lt is not complete yet
      const c = b.charCodeAt(lt + 1);
      if (c === 0x21 && b.startsWith('<!--', lt)) next = past(b.indexOf('-->', lt + 4), 3);
      else if (c === 0x21 && b.startsWith('<![CDATA[', lt)) next = past(b.indexOf(']]>', lt + 9), 3);
      else if (c === 0x3f) next = past(b.indexOf('?>', lt + 2), 2);
      else if (c === 0x2f) {
        if (!b.startsWith(name, lt + 2) || !isNameEnd(b[lt + 2 + name.length])) next = lt + 1;
        else {
          next = past(b.indexOf('>', lt + 2), 1);
          if (next !== -1 && --depth === 0) {
            this.scan = undefined;
            return next;
          }
        }
      } else if (b.startsWith(name, lt + 1) && isNameEnd(b[lt + 1 + name.length])) {
        next = tagEnd(b, lt);
        if (next !== -1 && b[next - 2] !== '/') depth++;
        else if (next !== -1 && depth === 0) {
          this.scan = undefined;
          return next;
        }
      } else {
        next = lt + 1;
      }
      if (next === -1) {
        at = lt - start;
        break;
      }
      at = next - start;
    }
    if (this.ended()) this.fail(start, `the element <${name}> is never closed.`);
    this.checkSize();
    this.scan = { at, depth };
    this.retryAt = 2 * (b.length - start);
    return -1;
  }

  /** The next record, undefined when more data is needed, or null at the end of the document. */
  next(): RawRecord | undefined | null {
    for (;;) {
      if (this.state === 'done') return null;
      if (this.buffer.length - this.offset < this.retryAt && !this.ended()) return undefined;
      this.retryAt = 0;
      if (this.scan) return this.nextRecord();
      const b = this.buffer;
      const lt = b.indexOf('<', this.offset);
      const textEnd = lt === -1 ? b.length : lt;
      if (this.state === 'body') {
        // Character data in the root is ignored, as white space is, once its references and
        // "]]>" are checked. Before a "<" arrives, an unfinished reference or "]]" waits.
        let checked = textEnd;
        if (lt === -1 && !this.ended()) {
          const amp = b.lastIndexOf('&');
          checked = Math.max(this.offset, amp >= this.offset && !b.includes(';', amp) ? amp : b.length - 2);
        }
        if (!this.check((text) => (checkCharData(text, this.offset, checked), true))) return undefined;
        this.consumeChecked(checked);
      } else if (!isBlank(b, this.offset, textEnd)) {
        let at = this.offset;
        while (isBlank(b, at, at + 1)) at++;
        this.fail(at, this.state === 'prolog' ? 'text is not allowed before the root element.' : 'text is not allowed after the root element.');
      } else {
        this.consumeChecked(textEnd);
      }
      if (lt === -1) {
        if (!this.ended()) {
          this.checkSize();
          return undefined;
        }
        if (this.state === 'epilog') {
          this.state = 'done';
          return null;
        }
        this.fail(this.offset, this.state === 'prolog' ? 'the document is empty.' : `unexpected end of file, </${this.root}> expected.`);
      }
      if (b.length - lt < 12 && !this.ended()) return undefined;

      if (/^<!DOCTYPE/i.test(b.slice(lt, lt + 9))) this.fail(lt, 'DOCTYPE declarations are not allowed.');
      if (this.atStart && startsWithDeclaration(b, lt)) {
        const end = this.check((text) => declarationEnd(text, lt));
        if (end === undefined) return undefined;
        refuseDeclaredEncoding(b.slice(lt, end));
        this.consumeChecked(end);
        continue;
      }
      let end: number | undefined;
      if (b.startsWith('<!--', lt)) end = this.check((text) => commentEnd(text, lt));
      else if (b.startsWith('<?', lt)) end = this.check((text) => piEnd(text, lt));
      else if (this.state === 'epilog') this.fail(lt, b[lt + 1] === '!' ? 'markup is not allowed after the root element.' : 'a document has only one root element.');
      else if (this.state === 'prolog') {
        const name = nameAt(b, lt + 1) ?? '';
        if (lt + 1 + name.length >= b.length && !this.ended()) return undefined;
        const record = Object.hasOwn(this.roots, name) ? this.roots[name] : undefined;
        if (!record) this.fail(lt, `the root element must be ${this.rootNames}.`);
        const tag = this.check((text) => startTag(text, lt));
        if (!tag) return undefined;
        this.root = name;
        this.record = record;
        this.state = tag.empty ? 'epilog' : 'body';
        end = tag.end;
      } else if (b.startsWith('</', lt)) {
        const tag = this.check((text) => endTag(text, lt));
        if (!tag) return undefined;
        if (tag.name !== this.root) this.fail(lt, `the closing tag '${tag.name.slice(0, 80)}' does not match the open tag '${this.root}'.`);
        this.state = 'epilog';
        end = tag.end;
      } else if (b.startsWith('<![CDATA[', lt)) {
        end = this.check((text) => cdataEnd(text, lt));
      } else if (b[lt + 1] === '!') {
        this.fail(lt, `"<!" must start a comment or a CDATA section.`);
      } else if (nameAt(b, lt + 1) === this.record) {
        this.consume(lt);
        this.scan = { at: 0, depth: 0 };
        return this.nextRecord();
      } else {
        // Any other element (<pagination>): checked whole, then skipped. Nested at most as deep as the API allows.
        end = this.check((text) => elementEnd(text, lt, MAX_DEPTH_UNDER_ROOT));
      }
      if (end === undefined) return undefined;
      this.consumeChecked(end);
    }
  }

  private nextRecord(): RawRecord | undefined {
    const end = this.recordEnd();
    if (end === -1) return undefined;
    const record = { root: this.root, position: ++this.position, line: this.line, text: this.buffer.slice(this.offset, end) };
    this.consume(end);
    return record;
  }
}

/**
 * `source` with its first bytes held back until there are ENCODING_HEAD_BYTES of them (or the
 * end), so that the API's encoding check sees as much of the file as it sees of a body.
 */
async function* encodingChecked(source: AsyncIterable<Uint8Array | string>): AsyncGenerator<Uint8Array | string> {
  let head: Uint8Array[] | undefined = [];
  let length = 0;
  const release = (held: Uint8Array[]) => {
    const bytes = Buffer.concat(held);
    head = undefined;
    refuseOtherEncoding(bytes);
    return bytes;
  };
  for await (const chunk of source) {
    if (head && typeof chunk !== 'string') {
      head.push(chunk);
      length += chunk.length;
      if (length >= ENCODING_HEAD_BYTES) yield release(head);
    } else {
      if (head) yield release(head); // text already decoded: only its declaration is checked
      yield chunk;
    }
  }
  if (head) yield release(head);
}

/** Yields the records (<contact>, <firm>) of an import document (<contacts>, <firms>) read from a byte stream. */
export async function* splitRecords(source: AsyncIterable<Uint8Array | string>, roots: Readonly<Record<string, string>> = IMPORT_ROOTS): AsyncGenerator<RawRecord> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let ended = false;
  const splitter = new Splitter(() => ended, roots);
  const decode = (chunk?: Uint8Array) => {
    try {
      return chunk ? decoder.decode(chunk, { stream: true }) : decoder.decode();
    } catch {
      throw new XmlSyntaxError('The file is not valid UTF-8.', 'invalid-utf8');
    }
  };
  const drain = function* () {
    for (let record = splitter.next(); record; record = splitter.next()) yield record;
  };
  for await (const chunk of encodingChecked(source)) {
    splitter.push(typeof chunk === 'string' ? chunk : decode(chunk));
    yield* drain();
  }
  splitter.push(decode());
  ended = true;
  yield* drain();
  if (splitter.next() !== null) throw new XmlSyntaxError('Malformed XML: unexpected end of file, the root element is not closed.');
}
