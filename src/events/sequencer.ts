// Feed positions that become visible in order, with writers in many processes (MySQL).
//
// The trap: auto-increment ids are handed out at INSERT and become visible at COMMIT, so a
// reader can see 102 before 101 commits and, polling "after 102", skip 101 for ever. So an
// event is inserted with no position, and a sequencer later gives committed events positions:
// under the lock of the one `event_sequence` row (SELECT … FOR UPDATE), it reads the committed
// events still without one, in id order, gives them positions above the counter, and commits.
// The next assignment can only begin once this one has committed (it needs the lock), so a
// position is never visible before a smaller one: whatever a reader sees, it sees every smaller
// position too, and an event committed late simply gets a later position. Every process runs a
// sequencer (after its own commits, and on a short poll for other processes' writes); the lock
// makes them take turns. SQLite needs none of this: it has one writer at a time, and positions
// are given inside the write transaction (record.ts).
import type { Knex } from 'knex';
import { BackgroundLoop } from '../db/background-loop.js';
import { engineOf } from '../db/connection.js';
import { retryingTransaction } from '../db/transaction.js';

/** Events given positions per sequencing transaction. */
export const SEQUENCE_BATCH = 1_000;

type Listener = () => void;
const listeners = new Set<Listener>();

/** Calls `listener` after each commit, in this process, of a transaction that recorded events. */
export function onEventsCommitted(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Arranges for the listeners to hear of the transaction's commit (nothing on rollback). */
export function afterCommit(trx: Knex.Transaction): void {
  const done = (trx as Knex.Transaction & { executionPromise?: Promise<unknown> }).executionPromise;
  done?.then(
    () => listeners.forEach((l) => l()),
    () => {},
  );
}

/** One sequencing transaction: positions for up to `batch` committed events; how many it gave. Run again whole on a lock conflict (Galera). */
export function sequencePending(db: Knex, batch = SEQUENCE_BATCH): Promise<number> {
  return retryingTransaction(() => sequenceOnce(db, batch));
}

function sequenceOnce(db: Knex, batch: number): Promise<number> {
  return db.transaction(async (trx) => {
    const [locked] = (await trx.raw('SELECT last_position FROM event_sequence WHERE id = 1 FOR UPDATE')) as [{ last_position: number | string }[]];
    const last = Number(locked[0].last_position);
    // A plain (consistent) read taken after the lock: committed events only, and it never waits
    // for a writer still in its transaction.
    const ids = ((await trx('events').whereNull('position').orderBy('id').limit(batch).pluck('id')) as (number | string)[]).map(Number);
    if (ids.length === 0) return 0;
    const min = ids[0];
    // Positions follow ids (gaps where an id was not taken); unique since every one is above `last`.
    await trx('events')
      .whereIn('id', ids)
      .update({ position: trx.raw('? + (id - ?) + 1', [last, min]) });
    await trx('event_sequence')
      .where('id', 1)
      .update({ last_position: last + (ids[ids.length - 1] - min) + 1 });
    return ids.length;
  });
}

/**
 * Before a feed read (MySQL): gives positions to what is committed and still without one, so a
 * client reads its own writes at once, whichever process made them. Costs one indexed probe
 * when there is nothing to do.
 */
export async function sequenceBeforeRead(db: Knex): Promise<void> {
  if (engineOf(db) !== 'mysql') return;
  const pending = await db('events').whereNull('position').first('id');
  if (!pending) return;
  while ((await sequencePending(db)) === SEQUENCE_BATCH);
}

/** A process's sequencer: runs after its own commits and every `pollMs`; MySQL only. */
export class Sequencer {
  private readonly loop: BackgroundLoop;
  private readonly unsubscribe: () => void;

  constructor(db: Knex, pollMs: number, onSequenced: () => void, log: (line: string) => void) {
    this.loop = new BackgroundLoop(
      {
        label: 'events: sequencing',
        pending: async () => (await db('events').whereNull('position').first('id')) !== undefined,
        step: async () => {
          const given = await sequencePending(db);
          if (given > 0) onSequenced();
          return given === SEQUENCE_BATCH;
        },
      },
      pollMs,
      log,
    );
    this.unsubscribe = onEventsCommitted(() => this.loop.kick());
  }

  static needed(db: Knex): boolean {
    return engineOf(db) === 'mysql';
  }

  run(): Promise<void> {
    return this.loop.run();
  }

  async stop(): Promise<void> {
    this.unsubscribe();
    await this.loop.stop();
  }
}
