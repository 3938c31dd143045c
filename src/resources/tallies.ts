// Per business file and resource: how many records there are and how many writes there have
// been, kept in the writes' own transactions (table record_tallies). They give a list its
// total_entries without a COUNT(*) over the business file (a million rows take ~100 ms on
// MariaDB), and every process, on every database node, a cheap and exact "has anything been
// written since?" for the filtered counts it keeps (ResourceService).
//
// The tally of one business file is split over SHARDS rows, each write adding to one of them
// picked at random: concurrent writers (other MySQL connections, other Galera nodes) then
// rarely touch the same row, which would serialize them or be a certification conflict.
import type { Knex } from 'knex';
import { engineOf } from '../db/connection.js';
import { selectRows } from '../db/select.js';

type Db = Knex | Knex.Transaction;

export const TALLY_TABLE = 'record_tallies';
const SHARDS = 16;

export interface Tally {
  /** Records of the resource in the business file. */
  records: number;
  /** Writes so far (creations, changes, deletions): moves with every committed write. */
  writes: number;
}

/** Adds a write's (or an import chunk's) effect: `records` created minus deleted, `writes` records written. */
export async function addToTally(trx: Knex.Transaction, businessFileId: number, resource: string, change: Tally): Promise<void> {
  if (change.records === 0 && change.writes === 0) return;
  // SQLite has one writer at a time: one row is enough.
  const shard = engineOf(trx) === 'sqlite' ? 0 : Math.floor(Math.random() * SHARDS);
  await trx(TALLY_TABLE)
    .insert({ business_file_id: businessFileId, resource, shard, records: change.records, writes: change.writes })
    .onConflict(['business_file_id', 'resource', 'shard'])
    .merge({
      records: trx.raw('?? + ?', [`${TALLY_TABLE}.records`, change.records]),
      writes: trx.raw('?? + ?', [`${TALLY_TABLE}.writes`, change.writes]),
    });
}

export async function readTally(db: Db, businessFileId: number, resource: string): Promise<Tally> {
  const [row] = await selectRows<{ records: number | string | null; writes: number | string | null }>(
    db,
    `SELECT SUM(records) AS records, SUM(writes) AS writes FROM ${TALLY_TABLE} WHERE business_file_id = ? AND resource = ?`,
    [businessFileId, resource],
  );
  return { records: Number(row?.records ?? 0), writes: Number(row?.writes ?? 0) };
}

/**
 * Values a process keeps per key (a list of one business file), each while that business file's
 * write tally stays what it was when the value was kept: the next write, by any process on any
 * node, makes it stale. Bounded: past `size` keys it starts over.
 */
export class KeptUntilWrite<T> {
  private readonly kept = new Map<string, { writes: number; value: T }>();

  constructor(private readonly size: number) {}

  get(key: string, writes: number): T | undefined {
    const entry = this.kept.get(key);
    return entry?.writes === writes ? entry.value : undefined;
  }

  set(key: string, writes: number, value: T): T {
    if (this.kept.size >= this.size) this.kept.clear();
    this.kept.set(key, { writes, value });
    return value;
  }
}
