// XML entity references: a strict pass over the raw document (so an undefined entity or a bad
// character reference is a 400 with its line and column) and the decoding of parsed text.

const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/**
 * Skips CDATA sections, comments and processing instructions; stops at every `&` and at a
 * `]]>` outside CDATA (which XML forbids in text).
 */
const SCAN = /<!\[CDATA\[[\s\S]*?\]\]>|<!--[\s\S]*?-->|<\?[\s\S]*?\?>|&([^;<&\s]{0,40});?|(\]\]>)/g;
/** What no XML version allows anywhere in a document, even raw: NUL, U+FFFE and U+FFFF. */
const NONCHARACTER = /[\u0000\uFFFE\uFFFF]/;

function codePointOf(ref: string): number | undefined {
  if (/^#x[0-9a-fA-F]+$/.test(ref)) return parseInt(ref.slice(2), 16);
  if (/^#[0-9]+$/.test(ref)) return parseInt(ref.slice(1), 10);
  return undefined;
}

/**
 * What a character reference may name. As in XML 1.1, C0 controls other than NUL are
 * accepted here and refused by validation with a 422 that names the field; NUL, surrogates,
 * U+FFFE, U+FFFF and anything past U+10FFFF are never characters.
 */
function isReferenceable(cp: number): boolean {
  return cp > 0 && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff) && cp !== 0xfffe && cp !== 0xffff;
}

/** Why the reference at the start of `match` is not acceptable, or undefined when it is fine. */
function referenceProblem(match: string, name: string): string | undefined {
  if (!match.endsWith(';')) return 'an "&" must start an entity reference such as &amp;';
  if (Object.hasOwn(PREDEFINED, name)) return undefined;
  const cp = codePointOf(name);
  if (cp === undefined) return `undefined entity &${name};`;
  if (!isReferenceable(cp)) return `invalid character reference &${name};`;
  return undefined;
}

const NAME_REF = /&([:A-Z_a-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C\u200D\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD\u{10000}-\u{EFFFF}][:A-Z_a-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C\u200D\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD\u{10000}-\u{EFFFF}\-.0-9\u00B7\u0300-\u036F\u203F\u2040]*);/uy;
const CHAR_REF = /&#(?:x([0-9a-fA-F]+)|([0-9]+));/y;
const QUOTED_MAX = 40;
const shown = (ref: string) => (ref.length > QUOTED_MAX ? `${ref.slice(0, QUOTED_MAX)}…` : ref);

/**
 * The reference at `index` (an "&") as XML 1.0 reads it, whatever its length: the index just
 * past its ";", or why it is not acceptable (the rules of referenceProblem()).
 */
export function referenceEnd(text: string, index: number): number | string {
  CHAR_REF.lastIndex = index;
  const char = CHAR_REF.exec(text);
  if (char) {
    const digits = (char[1] ?? char[2]).replace(/^0+(?=.)/, '');
    const cp = digits.length > 8 ? Infinity : parseInt(digits, char[1] === undefined ? 10 : 16);
    return isReferenceable(cp) ? CHAR_REF.lastIndex : `invalid character reference ${shown(char[0])}`;
  }
  NAME_REF.lastIndex = index;
  const named = NAME_REF.exec(text);
  if (!named) return 'an "&" must start an entity reference such as &amp;';
  return Object.hasOwn(PREDEFINED, named[1]) ? NAME_REF.lastIndex : `undefined entity ${shown(named[0])}`;
}

export interface EntityProblem {
  index: number;
  message: string;
}

function nonCharacterProblem(text: string, index: number): EntityProblem {
  const code = text.charCodeAt(index).toString(16).toUpperCase().padStart(4, '0');
  return { index, message: `U+${code} is not allowed anywhere in XML.` };
}

/** The first raw NUL, U+FFFE or U+FFFF of a document, which no XML version allows. */
export function findNonCharacter(text: string): EntityProblem | undefined {
  const index = text.search(NONCHARACTER);
  return index === -1 ? undefined : nonCharacterProblem(text, index);
}

/** The first bad reference, stray `]]>` or raw noncharacter (NUL, U+FFFE, U+FFFF) in a raw document. */
export function findEntityProblem(text: string): EntityProblem | undefined {
  const nonCharacter = text.search(NONCHARACTER);
  if (!text.includes('&') && !text.includes(']]>')) return nonCharacter === -1 ? undefined : nonCharacterProblem(text, nonCharacter);
  SCAN.lastIndex = 0;
  for (let m = SCAN.exec(text); m; m = SCAN.exec(text)) {
    if (nonCharacter !== -1 && m.index > nonCharacter) break;
    if (m[2] !== undefined) return { index: m.index, message: '"]]>" is not allowed in text.' };
    if (m[1] === undefined) continue; // CDATA, comment or processing instruction
    const problem = referenceProblem(m[0], m[1]);
    if (problem) return { index: m.index, message: problem };
  }
  return nonCharacter === -1 ? undefined : nonCharacterProblem(text, nonCharacter);
}

const DECODE = /&(amp|lt|gt|quot|apos|#x[0-9a-fA-F]+|#[0-9]+);/g;

/** Decodes references in text the strict pass accepted. */
export function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(DECODE, (whole, ref: string) => {
    const named = PREDEFINED[ref];
    if (named !== undefined) return named;
    const cp = codePointOf(ref);
    return cp !== undefined && isReferenceable(cp) ? String.fromCodePoint(cp) : whole;
  });
}
