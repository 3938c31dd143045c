// What firms check beyond their fields (contract section 10): a parent is another firm of the
// same business file and never makes a cycle; a firm still used by contacts or by other firms
// as their parent cannot be deleted.
import type { Knex } from 'knex';
import { engineOf } from '../db/connection.js';
import { isPositiveId } from '../ids.js';
import { FIRM } from './firm-spec.js';
import type { ResourceRules } from './service.js';

/** Parent chains longer than this are treated as a cycle (they cannot be walked in bounded time). */
const MAX_DEPTH = 1_000;

const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

export const FIRM_RULES: ResourceRules = {
  async check(trx: Knex.Transaction, businessFileId, fields, id) {
    const raw = fields[FIRM.selfReference!.field];
    if (raw === null || !isPositiveId(raw)) return []; // empty, or not a number: the field's own check says so
    const parent = Number(raw);
    if (parent === id) return [FIRM.selfReference!.message];
    const mysql = engineOf(trx) === 'mysql';
    let current: number | null = parent;
    for (let depth = 0; current !== null; depth++) {
      const query = trx('firms').select('parent_firm_id').where({ business_file_id: businessFileId, id: current });
      // Locking reads (MySQL): two concurrent parent changes see each other's commit, never make a cycle.
      if (mysql) query.forUpdate();
      const row = (await query.first()) as { parent_firm_id: number | string | null } | undefined;
      if (!row) return current === parent ? ['Parent firm id is not a firm of this business file'] : [];
      current = row.parent_firm_id === null ? null : Number(row.parent_firm_id);
      if (current === id || depth >= MAX_DEPTH) return ['Parent firm id would create a cycle'];
    }
    return [];
  },

  async deleteProblems(trx, businessFileId, id) {
    const [contacts, firms] = await Promise.all([
      trx('contacts').count({ n: '*' }).where({ business_file_id: businessFileId, firm_id: id }).first(),
      trx('firms').count({ n: '*' }).where({ business_file_id: businessFileId, parent_firm_id: id }).first(),
    ]);
    const problems: string[] = [];
    if (Number(contacts?.n ?? 0) > 0) problems.push(`Firm cannot be deleted because it is used by ${count(Number(contacts?.n), 'contact')}`);
    if (Number(firms?.n ?? 0) > 0) problems.push(`Firm cannot be deleted because it is used by ${count(Number(firms?.n), 'firm')}`);
    return problems;
  },
};
