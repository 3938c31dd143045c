// Text escaping for element content: &, < and > only; everything else is written as UTF-8.
const SPECIAL = /[&<>]/;
const SPECIAL_ALL = /[&<>]/g;
const REPLACEMENT: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

export function escapeText(text: string): string {
  return SPECIAL.test(text) ? text.replace(SPECIAL_ALL, (c) => REPLACEMENT[c]) : text;
}

export const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

/** `<name>value</name>` on its own line; null and '' are written as an empty element. */
export function element(indent: string, name: string, value: string | number | null): string {
  const text = value === null ? '' : typeof value === 'number' ? String(value) : escapeText(value);
  return `${indent}<${name}>${text}</${name}>\n`;
}
