// Concurrent PUTs that each replace one contact's items (contract section 4: a present
// collection is exactly what is listed): the contact they contend for, each request's body, and
// the check that the stored items are exactly one request's set, none lost, none duplicated.
// Shared by the concurrency spec (one process) and the cluster suite (processes on every node).
import { expect } from 'chai';
import { contactXml } from './contacts.js';

/** The contact to contend for: one item, which every request keeps (by its id) and renames. */
export const CONTENDED_CONTACT = contactXml('Contended', '<contact_items><contact_item><type_id>23</type_id><value>+0</value></contact_item></contact_items>');

const setOf = (n: number) => [`+${n}-a`, `+${n}-b`, `+${n}-c`];

/** Request n's body: the kept item renamed `+kept-n`, and three new items of its own. */
export function itemsReplacement(keptId: number | string, n: number): string {
  return (
    `<contact><contact_items><contact_item><id>${keptId}</id><value>+kept-${n}</value></contact_item>` +
    setOf(n).map((v) => `<contact_item><type_id>24</type_id><value>${v}</value></contact_item>`).join('') +
    '</contact_items></contact>'
  );
}

/** The stored item rows (in id order) are the kept item and the set of one request, that request's alone. */
export function expectOneReplacementKept(rows: { id: number | string; value: string }[], keptId: number | string): void {
  expect(rows).to.have.length(4);
  expect(rows[0].id).to.equal(Number(keptId));
  const n = Number(/^\+kept-(\d+)$/.exec(rows[0].value)?.[1]);
  expect(rows.slice(1).map((r) => r.value)).to.deep.equal(setOf(n));
}
