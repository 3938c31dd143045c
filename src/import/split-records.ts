// Streams a <contacts> document and yields its <contact> records one at a time, with their
// position in the file and the line they start on, so that memory stays bounded whatever the
// file's size. Each record is then parsed alone by the same codec as the API. Root
// attributes and any other child (a list page's <pagination>) are skipped. A file in another
// encoding than UTF-8 is refused as the API refuses such a body (415 over HTTP).
import { ENCODING_HEAD_BYTES, malformedAt, refuseDeclaredEncoding, refuseOtherEncoding, XmlSyntaxError } from '../xml/document.js';

export interface RawRecord {
  /** 1-based position of the contact in the file. */
  position: number;
  /** 1-based line where its <contact> tag starts. */
  line: number;
  text: string;
}

/** A single record larger than this is refused (the API's limit for one contact). */
export const MAX_RECORD_BYTES = 1024 * 1024;

const isNameEnd = (c: string | undefined) => c === undefined || c === '>' || c === '/' || c === ' ' || c === '\t' || c === '\n' || c === '\r';

function countLines(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = text.indexOf('\n', from); i !== -1 && i < to; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

class Splitter {
  private buffer = '';
  private offset = 0; // everything before it is consumed
  private line = 1; // line of buffer[offset]
  private column0 = 0; // characters of the current line before buffer[0], dropped by push()
  private state: 'prolog' | 'body' | 'done' = 'prolog';
  private position = 0;

  constructor(private readonly ended: () => boolean) {}

  push(text: string): void {
    const lastNewline = this.buffer.lastIndexOf('\n', this.offset - 1);
    this.column0 = lastNewline === -1 ? this.column0 + this.offset : this.offset - lastNewline - 1;
    this.buffer = this.buffer.slice(this.offset) + text;
    this.offset = 0;
  }

  private fail(index: number, reason: string): never {
    const newline = this.buffer.lastIndexOf('\n', index - 1);
    const col = newline === -1 ? this.column0 + index + 1 : index - newline;
    throw malformedAt(this.line + countLines(this.buffer, this.offset, index), col, reason);
  }

  /** Consumes the buffer up to `index`, keeping the line count right. */
  private consume(index: number): void {
    this.line += countLines(this.buffer, this.offset, index);
    this.offset = index;
  }

  private startsWith(text: string, at: number): boolean {
    return this.buffer.startsWith(text, at);
  }

  /** Index just past `terminator` searched from `from`, or -1 when more data is needed. */
  private endOf(terminator: string, from: number): number {
    const i = this.buffer.indexOf(terminator, from);
    if (i === -1) {
      if (this.buffer.length - this.offset > MAX_RECORD_BYTES) this.fail(this.offset, `an element is larger than ${MAX_RECORD_BYTES} bytes or never closed.`);
      if (this.ended()) this.fail(this.offset, `unexpected end of file, "${terminator}" expected.`);
      return -1;
    }
    return i + terminator.length;
  }

  private isBlank(from: number, to: number): boolean {
    return /^\s*$/.test(this.buffer.slice(from, to));
  }

  /** The next record, undefined when more data is needed, or null at the end of the document. */
  next(): RawRecord | undefined | null {
    for (;;) {
      if (this.state === 'done') return null;
      const b = this.buffer;
      const lt = b.indexOf('<', this.offset);
      if (lt === -1) {
        if (!this.isBlank(this.offset, b.length)) this.fail(this.offset, 'text is not allowed here.');
        this.consume(b.length);
        if (this.ended()) this.fail(this.offset, this.state === 'prolog' ? 'the document is empty.' : 'unexpected end of file, </contacts> expected.');
        return undefined;
      }
      if (!this.isBlank(this.offset, lt)) this.fail(this.offset, 'text is not allowed here.');
      this.consume(lt);
      if (b.length - lt < 12 && !this.ended()) return undefined;

      if (this.startsWith('<!--', lt)) {
        const end = this.endOf('-->', lt + 4);
        if (end === -1) return undefined;
        this.consume(end);
      } else if (/^<!DOCTYPE/i.test(b.slice(lt, lt + 9))) {
        this.fail(lt, 'DOCTYPE declarations are not allowed.');
      } else if (this.startsWith('<?', lt)) {
        if (this.state !== 'prolog') this.fail(lt, 'a processing instruction is not allowed here.');
        const end = this.endOf('?>', lt + 2);
        if (end === -1) return undefined;
        if (/^<\?xml\s/.test(b.slice(lt, lt + 6))) refuseDeclaredEncoding(b.slice(lt, end));
        this.consume(end);
      } else if (this.state === 'prolog') {
        if (!this.startsWith('<contacts', lt) || !isNameEnd(b[lt + 9])) this.fail(lt, 'the root element must be <contacts>.');
        const end = this.endOf('>', lt + 1);
        if (end === -1) return undefined;
        this.state = b[end - 2] === '/' ? 'done' : 'body';
        this.consume(end);
      } else if (this.startsWith('</contacts', lt)) {
        this.state = 'done';
        return null;
      } else if (this.startsWith('<contact', lt) && isNameEnd(b[lt + 8])) {
        const tagEnd = this.endOf('>', lt + 1);
        if (tagEnd === -1) return undefined;
        const end = b[tagEnd - 2] === '/' ? tagEnd : this.endOf('</contact>', tagEnd);
        if (end === -1) return undefined;
        const record = { position: ++this.position, line: this.line, text: b.slice(lt, end) };
        this.consume(end);
        return record;
      } else {
        // Any other element (<pagination>): skipped whole. None of them nests itself.
        const name = /^<([A-Za-z_][\w.-]*)/.exec(b.slice(lt, lt + 200))?.[1];
        if (!name) this.fail(lt, 'a start tag is expected.');
        const tagEnd = this.endOf('>', lt + 1);
        if (tagEnd === -1) return undefined;
        const end = b[tagEnd - 2] === '/' ? tagEnd : this.endOf(`</${name}>`, tagEnd);
        if (end === -1) return undefined;
        this.consume(end);
      }
    }
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

/** Yields the <contact> records of a <contacts> document read from a byte stream. */
export async function* splitRecords(source: AsyncIterable<Uint8Array | string>): AsyncGenerator<RawRecord> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let ended = false;
  const splitter = new Splitter(() => ended);
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
  if (splitter.next() !== null) throw new XmlSyntaxError('Malformed XML: unexpected end of file, </contacts> expected.');
}
