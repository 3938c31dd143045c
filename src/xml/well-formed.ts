// Well-formedness as XML 1.0 (fifth edition) and libxml2 define it, in one linear pass, so that
// the service and any proxy or filter reading XML with libxml2 agree on which documents are
// XML at all (two parsers that disagree are how requests get smuggled past a filter).
// fast-xml-parser's validator let through broken XML declarations, "--" in comments, content
// after the root and more (issue #14); this pass replaces it. The contract's own refusals
// (DOCTYPE, encodings, prototype names, depth, raw NUL) are checked by document.ts, and the
// contract's XML 1.1 rule for control characters (422 rather than 400) is kept.
// Pieces (declaration, comment, PI, tags, a whole element) are exported for the import's
// streaming splitter, which applies the same rules between records.
import { referenceEnd } from './entities.js';

/** A well-formedness problem at `index`; `incomplete` when the text ended inside a construct. */
export class WellFormedProblem extends Error {
  constructor(
    readonly index: number,
    message: string,
    readonly incomplete = false,
  ) {
    super(message);
    this.name = 'WellFormedProblem';
  }
}

const QUOTED_MAX = 80;

/** `text` cut to QUOTED_MAX UTF-16 units (never inside a surrogate pair), with "…" when cut. */
function cut(text: string): string {
  if (text.length <= QUOTED_MAX) return text;
  const end = /[\uD800-\uDBFF]/.test(text[QUOTED_MAX - 1]) ? QUOTED_MAX - 1 : QUOTED_MAX;
  return `${text.slice(0, end)}…`;
}

const quoted = (text: string) => `'${cut(text)}'`;

function fail(index: number, message: string): never {
  throw new WellFormedProblem(index, message);
}

function unfinished(index: number, message: string): never {
  throw new WellFormedProblem(index, message, true);
}

// XML 1.0 fifth edition, production [4] and [4a].
const NAME_START = ':A-Z_a-z\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D\\u037F-\\u1FFF\\u200C\\u200D\\u2070-\\u218F\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFFD\\u{10000}-\\u{EFFFF}';
const NAME_CHAR = `${NAME_START}\\-.0-9\\u00B7\\u0300-\\u036F\\u203F\\u2040`;
const NAME = new RegExp(`[${NAME_START}][${NAME_CHAR}]*`, 'uy');

/** The XML Name starting at `index`, or undefined. */
export function nameAt(text: string, index: number): string | undefined {
  NAME.lastIndex = index;
  return NAME.exec(text)?.[0];
}

/** Up to QUOTED_MAX + 1 characters that are not white space, ">" or "/" (a bad name, quoted). */
const NOT_SPACE = new RegExp(`[^ \\t\\r\\n>/]{0,${QUOTED_MAX + 1}}`, 'y');

/** libxml2 refuses a name (each part of a prefixed name) longer than this many bytes (XML_MAX_NAME_LENGTH). */
const MAX_NAME_BYTES = 50_000;

/** Refuses `name`, found at `index`, when libxml2 finds it too long. */
function checkNameLength(name: string, index: number): void {
  if (name.length <= MAX_NAME_BYTES / 4) return;
  for (const part of name.split(':')) {
    if (Buffer.byteLength(part) > MAX_NAME_BYTES) fail(index, `a name is longer than ${MAX_NAME_BYTES} bytes: ${quoted(name)}.`);
  }
}

const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d;

function skipSpace(text: string, index: number): number {
  let i = index;
  while (isSpace(text.charCodeAt(i))) i++;
  return i;
}

/** Whether `text[from, to)` is only XML white space. */
export function isBlank(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (!isSpace(text.charCodeAt(i))) return false;
  return true;
}

// XML 1.0 [23]-[27], [32], [80], [81], with libxml2's leniencies: any "1.x" version (even "1."),
// and no space needed before `standalone` after a UTF-8 encoding.
const DECLARATION = (() => {
  const s = '[ \\t\\r\\n]';
  const eq = `${s}*=${s}*`;
  const q = (inner: string) => `(?:"${inner}"|'${inner}')`;
  const standalone = `standalone${eq}${q('(?:yes|no)')}`;
  const encoding = `encoding${eq}(?:${q('[Uu][Tt][Ff]-?8')}(?:${s}*${standalone})?|${q('[A-Za-z][A-Za-z0-9._\\-]*')}(?:${s}+${standalone})?)`;
  return new RegExp(`<\\?xml${s}+version${eq}${q('1\\.[0-9]*')}(?:${s}+${encoding}|${s}+${standalone})?${s}*\\?>`, 'y');
})();

/** Whether `text` starts with an XML declaration (rather than with another PI). */
export function startsWithDeclaration(text: string, index = 0): boolean {
  return text.startsWith('<?xml', index) && isSpace(text.charCodeAt(index + 5));
}

/** The end of the XML declaration that starts `text` at `index`. */
export function declarationEnd(text: string, index = 0): number {
  const close = text.indexOf('?>', index);
  if (close === -1) unfinished(index, 'the XML declaration is never closed.');
  DECLARATION.lastIndex = index;
  if (!DECLARATION.exec(text) || DECLARATION.lastIndex !== close + 2) {
    fail(index, `malformed XML declaration ${quoted(text.slice(index, close + 2))}.`);
  }
  return close + 2;
}

/** The end of the comment at `index` (which starts with "<!--"). */
export function commentEnd(text: string, index: number): number {
  const dashes = text.indexOf('--', index + 4);
  if (dashes === -1) unfinished(index, 'a comment is never closed.');
  if (dashes + 2 >= text.length) unfinished(index, 'a comment is never closed.');
  if (text[dashes + 2] !== '>') fail(dashes, '"--" is not allowed inside a comment.');
  return dashes + 3;
}

/** The end of the processing instruction at `index` (which starts with "<?"); never an XML declaration. */
export function piEnd(text: string, index: number): number {
  const target = nameAt(text, index + 2);
  if (!target) {
    if (index + 2 >= text.length) unfinished(index, 'a processing instruction is never closed.');
    fail(index, `a processing instruction needs a name: ${quoted(text.slice(index, index + QUOTED_MAX + 1))}.`);
  }
  checkNameLength(target, index + 2);
  if (target.toLowerCase() === 'xml') fail(index, 'an XML declaration is allowed only at the very start of the document.');
  const after = index + 2 + target.length;
  const close = text.indexOf('?>', after);
  if (close === -1) unfinished(index, 'a processing instruction is never closed.');
  if (close !== after && !isSpace(text.charCodeAt(after))) fail(after, `a space must follow the processing instruction name ${quoted(target)}.`);
  return close + 2;
}

/** The end of the CDATA section at `index` (which starts with "<![CDATA["). */
export function cdataEnd(text: string, index: number): number {
  const close = text.indexOf(']]>', index + 9);
  if (close === -1) unfinished(index, 'a CDATA section is never closed.');
  return close + 3;
}

/** Checks character data in `text[from, to)`: references, and no "]]>". */
function checkText(text: string, from: number, to: number): void {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x26) {
      const end = referenceEnd(text, i);
      if (typeof end === 'string') fail(i, end);
      i = end - 1;
    } else if (c === 0x5d && text.startsWith(']]>', i)) {
      fail(i, '"]]>" is not allowed in text.');
    }
  }
}

/** Checks character data in `text[from, to)` (references, no "]]>"); throws a WellFormedProblem. */
export function checkCharData(text: string, from: number, to: number): void {
  checkText(text, from, to);
}

function checkAttributeValue(text: string, from: number, to: number): void {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x3c) fail(i, '"<" is not allowed in an attribute value.');
    if (c === 0x26) {
      const end = referenceEnd(text, i);
      if (typeof end === 'string') fail(i, end);
      i = end - 1;
    }
  }
}

export interface StartTag {
  name: string;
  /** Just past its ">". */
  end: number;
  empty: boolean;
}

/** The start tag at `index` (a "<" followed by anything but "/", "!" or "?"), its attributes checked. */
export function startTag(text: string, index: number): StartTag {
  const name = nameAt(text, index + 1);
  if (!name) {
    if (index + 1 >= text.length) unfinished(index, 'a tag is never closed.');
    fail(index, `"<" must start a tag: ${quoted(text.slice(index, index + QUOTED_MAX + 1))}.`);
  }
  checkNameLength(name, index + 1);
  let i = index + 1 + name.length;
  let seen: string[] | Set<string> | undefined;
  for (;;) {
    const spaced = i;
    i = skipSpace(text, i);
    const c = text[i];
    if (c === '>') return { name, end: i + 1, empty: false };
    if (c === '/') {
      if (text[i + 1] === '>') return { name, end: i + 2, empty: true };
      if (i + 1 >= text.length) unfinished(index, `the tag <${cut(name)}> is never closed.`);
      fail(i, `"/" must be followed by ">" in the tag <${cut(name)}>.`);
    }
    if (c === undefined) unfinished(index, `the tag <${cut(name)}> is never closed.`);
    if (i === index + 1 + name.length) {
      NOT_SPACE.lastIndex = index + 1;
      fail(i, `the tag name ${quoted(NOT_SPACE.exec(text)![0])} is not an XML name.`);
    }
    if (i === spaced) fail(i, `a space is needed before an attribute of <${cut(name)}>.`);
    const attribute = nameAt(text, i);
    if (!attribute) fail(i, `an attribute name or ">" is expected in the tag <${cut(name)}>.`);
    checkNameLength(attribute, i);
    i = skipSpace(text, i + attribute.length);
    if (text[i] !== '=') {
      if (i >= text.length) unfinished(index, `the tag <${cut(name)}> is never closed.`);
      fail(i, `the attribute ${quoted(attribute)} needs a value.`);
    }
    i = skipSpace(text, i + 1);
    const quote = text[i];
    if (quote !== '"' && quote !== "'") {
      if (i >= text.length) unfinished(index, `the tag <${cut(name)}> is never closed.`);
      fail(i, `the value of the attribute ${quoted(attribute)} must be quoted.`);
    }
    const close = text.indexOf(quote, i + 1);
    if (close === -1) unfinished(index, `the tag <${cut(name)}> is never closed.`);
    checkAttributeValue(text, i + 1, close);
    if (seen === undefined) seen = [attribute];
    else {
      if (Array.isArray(seen) ? seen.includes(attribute) : seen.has(attribute)) fail(i, `the attribute ${quoted(attribute)} is given twice.`);
      if (!Array.isArray(seen)) seen.add(attribute);
      else if (seen.push(attribute) > 16) seen = new Set(seen);
    }
    i = close + 1;
  }
}

/** The end tag at `index` (which starts with "</"): its name and the index just past its ">". */
export function endTag(text: string, index: number): { name: string; end: number } {
  const name = nameAt(text, index + 2);
  if (!name) {
    if (index + 2 >= text.length) unfinished(index, 'a closing tag is never closed.');
    fail(index, `a closing tag needs a name: ${quoted(text.slice(index, index + QUOTED_MAX + 1))}.`);
  }
  const i = skipSpace(text, index + 2 + name.length);
  if (text[i] !== '>') {
    if (i >= text.length) unfinished(index, `the closing tag </${cut(name)}> is never closed.`);
    fail(i, `">" is expected to end the closing tag </${cut(name)}>.`);
  }
  return { name, end: i + 1 };
}

/**
 * The end of the element whose start tag is at `index`, everything in it checked; with
 * `maxDepth`, elements nested deeper than that (the element itself is level 1) are refused.
 */
export function elementEnd(text: string, index: number, maxDepth = Infinity): number {
  const first = startTag(text, index);
  if (first.empty) return first.end;
  const names = [first.name];
  const starts = [index];
  let i = first.end;
  while (names.length > 0) {
    const lt = text.indexOf('<', i);
    if (lt === -1) unfinished(starts[starts.length - 1], `the element <${cut(names[names.length - 1])}> is never closed.`);
    checkText(text, i, lt);
    const next = text.charCodeAt(lt + 1);
    if (next === 0x2f) {
      // "</"
      const tag = endTag(text, lt);
      const open = names.pop()!;
      starts.pop();
      if (tag.name !== open) fail(lt, `the closing tag ${quoted(tag.name)} does not match the open tag ${quoted(open)}.`);
      i = tag.end;
    } else if (next === 0x21) {
      // "<!"
      if (text.startsWith('<!--', lt)) i = commentEnd(text, lt);
      else if (text.startsWith('<![CDATA[', lt)) i = cdataEnd(text, lt);
      else if (lt + 9 > text.length && ('<![CDATA['.startsWith(text.slice(lt)) || '<!--'.startsWith(text.slice(lt)))) unfinished(lt, 'markup is never closed.');
      else fail(lt, `"<!" must start a comment or a CDATA section: ${quoted(text.slice(lt, lt + QUOTED_MAX + 1))}.`);
    } else if (next === 0x3f) {
      // "<?"
      i = piEnd(text, lt);
    } else {
      const tag = startTag(text, lt);
      if (!tag.empty) {
        if (names.length >= maxDepth) fail(lt, `elements are nested more than ${maxDepth} levels deep.`);
        names.push(tag.name);
        starts.push(lt);
      }
      i = tag.end;
    }
  }
  return i;
}

/** Past the white space, comments and processing instructions at `index` (XML's Misc*). */
export function miscEnd(text: string, index: number): number {
  let i = index;
  for (;;) {
    i = skipSpace(text, i);
    if (text.startsWith('<!--', i)) i = commentEnd(text, i);
    else if (text.startsWith('<?', i)) i = piEnd(text, i);
    else return i;
  }
}

/**
 * The first well-formedness problem of a whole document, or undefined. A DOCTYPE is reported
 * as a problem here too (the contract refuses every DTD; document.ts says so first).
 */
export function findWellFormedProblem(text: string): WellFormedProblem | undefined {
  try {
    let i = startsWithDeclaration(text) ? declarationEnd(text) : 0;
    i = miscEnd(text, i);
    if (i >= text.length) fail(i, 'the document has no root element.');
    if (text[i] !== '<') fail(i, 'text is not allowed before the root element.');
    if (text[i + 1] === '!' || text[i + 1] === '/') fail(i, `the root element is expected: ${quoted(text.slice(i, i + QUOTED_MAX + 1))}.`);
    i = miscEnd(text, elementEnd(text, i));
    if (i < text.length) fail(i, text[i] === '<' ? 'a document has only one root element.' : 'text is not allowed after the root element.');
    return undefined;
  } catch (error) {
    if (error instanceof WellFormedProblem) return error;
    throw error;
  }
}
