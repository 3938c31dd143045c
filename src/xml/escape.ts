// Text escaping for element content: &, < and > only; everything else is written as UTF-8.
const SPECIAL = /[&<>]/;
const SPECIAL_ALL = /[&<>]/g;
const REPLACEMENT: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

export function escapeText(text: string): string {
  return SPECIAL.test(text) ? text.replace(SPECIAL_ALL, (c) => REPLACEMENT[c]) : text;
}

/** What XML 1.0 forbids in a document: C0 controls but tab, LF and CR; lone surrogates; U+FFFE, U+FFFF. */
const NOT_XML_1_0 = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * `text` with U+FFFD for every character XML 1.0 forbids, for text that may quote input (error
 * messages). Contact values do not go through it: they are written as they are.
 */
export function replaceNonXml(text: string): string {
  return text.replace(NOT_XML_1_0, '\uFFFD');
}

export const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

/** `<name>value</name>` on its own line; null and '' are written as an empty element. */
export function element(indent: string, name: string, value: string | number | null): string {
  const text = value === null ? '' : typeof value === 'number' ? String(value) : escapeText(value);
  return `${indent}<${name}>${text}</${name}>\n`;
}
