// The answer of an import: counts and what was not kept, as <import>.
import { element, XML_DECLARATION } from './escape.js';

export function importSummaryDocument(r: { created: number; updated: number; unchanged: number; notKept: { name: string; records: number }[] }): string {
  const notKept = r.notKept.length === 0 ? '  <not_kept></not_kept>\n' : `  <not_kept>\n${r.notKept.map((n) => `    <element>\n${element('      ', 'name', n.name)}${element('      ', 'records', n.records)}    </element>\n`).join('')}  </not_kept>\n`;
  return `${XML_DECLARATION}<import>\n${element('  ', 'created', r.created)}${element('  ', 'updated', r.updated)}${element('  ', 'unchanged', r.unchanged)}${notKept}</import>\n`;
}
