// The answer of an import: counts, as <import>.
import { element, XML_DECLARATION } from './escape.js';

export function importSummaryDocument(r: { created: number; updated: number; unchanged: number }): string {
  return `${XML_DECLARATION}<import>\n${element('  ', 'created', r.created)}${element('  ', 'updated', r.updated)}${element('  ', 'unchanged', r.unchanged)}</import>\n`;
}
