// Whether the database may have changed since a moment: lets a result that is costly to
// compute but rarely changes (a user, a record's stamp, a list page: src/http/unchanged.ts) be
// reused while nothing was written.
// SQLite only: `PRAGMA data_version` moves when another connection (another WORKERS process,
// a CLI import) commits, and every statement this process sends that is not a read counts as a
// change of its own (knex reports each one, transactions included; a rolled-back write counts
// too, which only costs a recount). MySQL has no such cheap signal: there, no token.
import type { Knex } from 'knex';
import { engineOf } from './connection.js';
import { perTurn } from './per-turn.js';
import { selectRows } from './select.js';

const READ = /^\s*(select|pragma)\b/i;

export class ChangeWatch {
  private localWrites = 0;
  /** Whether there is a token (SQLite); elsewhere the callers keep values under the write tallies (src/http/unchanged.ts). */
  readonly sqlite: boolean;
  /** One read for every caller of a turn (per-turn.ts: a PRAGMA costs about 10 µs, a read transaction's locks). */
  private readonly thisTurn = perTurn<string, string>(String, async () => new Map([['token', await this.read()]]));

  constructor(readonly db: Knex) {
    this.sqlite = engineOf(db) === 'sqlite';
    if (this.sqlite) db.on('query', (query: { sql: string }) => READ.test(query.sql) || this.localWrites++);
  }

  /** Equal tokens mean nothing was written in between; undefined means it cannot tell. */
  async token(): Promise<string | undefined> {
    return this.sqlite ? this.thisTurn('token') : undefined;
  }

  private async read(): Promise<string> {
    const local = this.localWrites; // taken first: a write sent meanwhile makes the token stale
    const [row] = await selectRows<{ data_version: number }>(this.db, 'PRAGMA data_version', []);
    return `${row.data_version}:${local}`;
  }
}
