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
import { perTurn } from '../db/per-turn.js';
import { inList, selectRows } from '../db/select.js';

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

/**
 * Business file 0 (real ones start at 1) holds one tally for the whole service: `users`, whose
 * writes move with every change of an API user, its password, profile, tokens or business
 * files. A process keeps the users it read while it stands still (src/http/unchanged.ts).
 */
export const SERVICE_WIDE = 0;
export const USERS = 'users';

/** Counts a change of API users (users.ts), in its transaction. */
export function addUsersWrite(trx: Knex.Transaction, records: number): Promise<void> {
  return addToTally(trx, SERVICE_WIDE, USERS, { records, writes: 1 });
}

/** A business file's tallies by resource; a resource never written has none. */
export type Tallies = Map<string, Tally>;

export const tallyIn = (tallies: Tallies, resource: string): Tally => tallies.get(resource) ?? { records: 0, writes: 0 };

/** The tallies of several business files in one query, by business file (its id as a string, per-turn.ts's key); none for one never written. */
export async function readTallies(db: Db, businessFileIds: readonly number[]): Promise<Map<string, Tallies>> {
  const ids = inList(businessFileIds);
  const rows = await selectRows<{ business_file_id: number; resource: string; records: number | string | null; writes: number | string | null }>(
    db,
    `SELECT business_file_id, resource, SUM(records) AS records, SUM(writes) AS writes FROM ${TALLY_TABLE}
     WHERE business_file_id IN (${ids.placeholders}) GROUP BY business_file_id, resource`,
    ids.values,
  );
  const byFile = new Map<string, Tallies>();
  for (const row of rows) {
    const file = String(row.business_file_id);
    (byFile.get(file) ?? byFile.set(file, new Map()).get(file)!).set(row.resource, { records: Number(row.records ?? 0), writes: Number(row.writes ?? 0) });
  }
  return byFile;
}

/**
 * A business file's tallies, read once per turn of the event loop for every business file asked
 * in it, in one query (per-turn.ts): one reader per database handle, shared by every resource
 * and by the users' tally.
 */
const readers = new WeakMap<Knex, (businessFileId: number) => Promise<Tallies>>();

export function talliesThisTurn(db: Knex): (businessFileId: number) => Promise<Tallies> {
  let reader = readers.get(db);
  if (!reader) {
    const load = perTurn<number, Tallies>(String, (ids) => readTallies(db, ids));
    reader = async (businessFileId) => (await load(businessFileId)) ?? new Map();
    readers.set(db, reader);
  }
  return reader;
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
