// Bytes → a parsed XML tree with the expected root, or an XmlSyntaxError with line and column.
// Hostile-input rules: UTF-8 only, no DTD at all, well-formedness (as libxml2 sees it) checked before parsing.
import { XMLParser } from 'fast-xml-parser';
import { findNonCharacter } from './entities.js';
import { PARSER_OPTIONS } from './options.js';
import { findWellFormedProblem, startsWithDeclaration } from './well-formed.js';

/** A parsed element: text, or an object of children / attributes (`@_name`) / `#text`. */
export type XmlNode = string | XmlElement;
export interface XmlElement {
  [name: string]: XmlNode | XmlNode[];
}

export class XmlSyntaxError extends Error {
  constructor(
    message: string,
    readonly kind: 'malformed' | 'invalid-utf8' | 'unsupported-encoding' = 'malformed',
    /** Where the problem is, when known, and what it is without the location. */
    readonly location?: { line: number; col: number; reason: string },
  ) {
    super(message);
    this.name = 'XmlSyntaxError';
  }
}

export function malformedAt(line: number, col: number, reason: string): XmlSyntaxError {
  return new XmlSyntaxError(`Malformed XML at line ${line}, column ${col}: ${reason}`, 'malformed', { line, col, reason });
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

const DECLARED_ENCODING = /^\s*<\?xml[^>]*?\bencoding\s*=\s*["']([^"']+)["']/;

/** Quoted input in a message is cut to this many characters (a "tag" can be a megabyte of "<"). */
const QUOTED_MAX = 80;
/** And a whole message to this many (a list of a thousand unclosed tags). */
const MESSAGE_MAX = 400;

/** `text` cut to `max` UTF-16 units (never inside a surrogate pair), with "…" when cut. */
function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  const end = /[\uD800-\uDBFF]/.test(text[max - 1]) ? max - 1 : max;
  return `${text.slice(0, end)}…`;
}

const LONG_QUOTE = new RegExp(`'([^']{${QUOTED_MAX + 1},})'`, 'g');

/** A message that quotes input ('name', as XMLValidator and the parser do) at a bounded length. */
function bounded(message: string): string {
  return cut(
    message.replace(LONG_QUOTE, (_, quoted: string) => `'${cut(quoted, QUOTED_MAX)}'`),
    MESSAGE_MAX,
  );
}

/** The encoding an XML declaration at the start of `text` names, when it is not UTF-8. */
function declaredOtherEncoding(text: string): string | undefined {
  const declared = DECLARED_ENCODING.exec(text)?.[1];
  return declared && !/^utf-?8$/i.test(declared) ? cut(declared, QUOTED_MAX) : undefined;
}

/** How many bytes at the start of a document otherEncoding() looks at. */
export const ENCODING_HEAD_BYTES = 200;

/**
 * The encoding of a document that is not UTF-8, told by its first bytes: a UTF-16 byte-order
 * mark, "<?" in UTF-16 without one (the XML spec's autodetection patterns 3C 00 3F 00 and
 * 00 3C 00 3F), or a declaration naming another encoding. Undefined for UTF-8.
 */
function otherEncoding(bytes: Uint8Array): string | undefined {
  const [b0, b1, b2, b3] = bytes;
  if ((b0 === 0xff && b1 === 0xfe) || (b0 === 0xfe && b1 === 0xff)) return 'UTF-16';
  if ((b0 === 0x3c && b1 === 0x00 && b2 === 0x3f && b3 === 0x00) || (b0 === 0x00 && b1 === 0x3c && b2 === 0x00 && b3 === 0x3f)) return 'UTF-16';
  return declaredOtherEncoding(Buffer.from(bytes.subarray(0, ENCODING_HEAD_BYTES)).toString('latin1'));
}

/**
 * A document in another encoding than UTF-8 is a 415 (kind 'unsupported-encoding'), not a
 * 400: the API's rule, which the importer applies to the first bytes of a file too.
 */
export function refuseOtherEncoding(bytes: Uint8Array): void {
  const encoding = otherEncoding(bytes);
  if (encoding) throw new XmlSyntaxError(`Only UTF-8 is accepted, the document is ${encoding}.`, 'unsupported-encoding');
}

/** The same rule for an XML declaration read as text (one too long for the first bytes). */
export function refuseDeclaredEncoding(text: string): void {
  const encoding = declaredOtherEncoding(text);
  if (encoding) throw new XmlSyntaxError(`Only UTF-8 is accepted, the document declares ${encoding}.`, 'unsupported-encoding');
}

export function decodeUtf8(bytes: Uint8Array): string {
  refuseOtherEncoding(bytes);
  try {
    return utf8.decode(bytes); // also drops a byte-order mark
  } catch {
    throw new XmlSyntaxError('The body is not valid UTF-8.', 'invalid-utf8');
  }
}

/** In a well-formed document, every "<" starts markup: these constructs are found in order by one scan. */
const MARKUP = /<!\[CDATA\[([\s\S]*?)\]\]>|<!--[\s\S]*?-->|<\?[\s\S]*?\?>/g;
/** CDATA becomes escaped text, comments and processing instructions go (fast-xml-parser misreads quotes in a PI). */
const simplify = (_: string, cdata: string | undefined) => (cdata === undefined ? '' : cdata.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'));

function lineAndColumn(text: string, index: number): { line: number; col: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, col: index - lineStart + 1 };
}

function located(text: string, index: number, message: string): XmlSyntaxError {
  const { line, col } = lineAndColumn(text, index);
  return malformedAt(line, col, message);
}

/**
 * Checks a whole document and parses it. `root` is the element name the caller expects
 * (dashes and underscores are the same); the returned node is that root's content.
 */
export function parseDocument(source: string, root: string): XmlNode {
  // XML end-of-line handling: CRLF and lone CR are read as LF.
  const text = source.includes('\r') ? source.replace(/\r\n?/g, '\n') : source;
  refuseDeclaredEncoding(text);
  const doctype = text.search(/<!DOCTYPE/i);
  if (doctype !== -1) throw located(text, doctype, 'DOCTYPE declarations are not allowed.');
  if (text.trim() === '') throw new XmlSyntaxError('Malformed XML: the document is empty.');

  // One pass agreeing with libxml2 (./well-formed.ts); a raw NUL, U+FFFE or U+FFFF is reported first when it comes first.
  const problem = findWellFormedProblem(text);
  const nonCharacter = findNonCharacter(text);
  const first = nonCharacter && (!problem || nonCharacter.index <= problem.index) ? nonCharacter : problem;
  if (first) throw located(text, first.index, first.message);

  // CDATA content is literal text: escaped here, so that decoding entities later gives it back as is.
  const parseable = text.includes('<!') || text.includes('<?', startsWithDeclaration(text) ? 1 : 0) ? text.replace(MARKUP, simplify) : text;
  let parsed: XmlElement;
  try {
    parsed = new XMLParser(PARSER_OPTIONS).parse(parseable) as XmlElement;
  } catch (error) {
    // The parser refuses names such as __proto__ by throwing.
    throw new XmlSyntaxError(`Malformed XML: ${bounded((error as Error).message)}`);
  }
  const roots = Object.keys(parsed);
  if (roots.length !== 1 || Array.isArray(parsed[roots[0]])) {
    throw new XmlSyntaxError('Malformed XML: a document must have exactly one root element.');
  }
  if (roots[0].replace(/-/g, '_') !== root) {
    throw new XmlSyntaxError(`The root element must be <${root}>, not <${cut(roots[0], QUOTED_MAX)}>.`);
  }
  return parsed[roots[0]] as XmlNode;
}
