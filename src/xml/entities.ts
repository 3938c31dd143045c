// XML entity references: a strict pass over the raw document (so an undefined entity or a bad
// character reference is a 400 with its line and column) and the decoding of parsed text.

const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Skips CDATA sections and comments, stops at every `&`. */
const SCAN = /<!\[CDATA\[[\s\S]*?\]\]>|<!--[\s\S]*?-->|&([^;<&\s]{0,12});?/g;

function codePointOf(ref: string): number | undefined {
  if (/^#x[0-9a-fA-F]{1,6}$/.test(ref)) return parseInt(ref.slice(2), 16);
  if (/^#[0-9]{1,7}$/.test(ref)) return parseInt(ref.slice(1), 10);
  return undefined;
}

function isScalarValue(cp: number): boolean {
  return cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff);
}

/** Why the reference at the start of `match` is not acceptable, or undefined when it is fine. */
function referenceProblem(match: string, name: string): string | undefined {
  if (!match.endsWith(';')) return 'an "&" must start an entity reference such as &amp;';
  if (name in PREDEFINED) return undefined;
  const cp = codePointOf(name);
  if (cp === undefined) return `undefined entity &${name};`;
  if (!isScalarValue(cp)) return `invalid character reference &${name};`;
  return undefined;
}

export interface EntityProblem {
  index: number;
  message: string;
}

/** The first bad reference in a raw document, if any. */
export function findEntityProblem(text: string): EntityProblem | undefined {
  if (!text.includes('&')) return undefined;
  SCAN.lastIndex = 0;
  for (let m = SCAN.exec(text); m; m = SCAN.exec(text)) {
    if (m[1] === undefined) continue; // CDATA or comment
    const problem = referenceProblem(m[0], m[1]);
    if (problem) return { index: m.index, message: problem };
  }
  return undefined;
}

const DECODE = /&(amp|lt|gt|quot|apos|#x[0-9a-fA-F]{1,6}|#[0-9]{1,7});/g;

/** Decodes references in text the strict pass accepted. */
export function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(DECODE, (whole, ref: string) => {
    const named = PREDEFINED[ref];
    if (named !== undefined) return named;
    const cp = codePointOf(ref);
    return cp !== undefined && isScalarValue(cp) ? String.fromCodePoint(cp) : whole;
  });
}
