// Database metrics: every query's duration and every failed query, by engine, and the
// connection pool (in use, free, requests waiting for a connection). knex announces each query
// ('query', then 'query-response' or 'query-error', also for transactions); SQLite's hot reads
// go through the read-only connection (db/sqlite-reader.ts), which is timed here by wrapping
// its one query method. Nothing here reads a query's SQL or its values.
import type { Knex } from 'knex';
import { engineOf, type Engine } from '../db/connection.js';
import { sqliteReaderOf } from '../db/sqlite-reader.js';
import { counter, gauge, histogram } from './registry.js';

interface TarnPool {
  numUsed(): number;
  numFree(): number;
  numPendingAcquires(): number;
}

/** The databases of the services running in this process (one, except in tests). */
const databases = new Set<Knex>();

/**
 * The `collect` of a gauge read from the database when scraped (events.ts, search.ts): the
 * largest value `read` gives over this process's databases (the same in every process, so the
 * cluster aggregate takes the largest too); none when no database answers, rather than a
 * failed scrape.
 */
export function largestOverDatabases(read: (db: Knex) => Promise<number>) {
  return async function (this: { reset(): void; set(value: number): void }) {
    this.reset();
    let largest: number | undefined;
    for (const db of databases) {
      try {
        largest = Math.max(largest ?? 0, await read(db));
      } catch {
        // unreachable now: /health and the query metrics say so
      }
    }
    if (largest !== undefined) this.set(largest);
  };
}

function poolGauge(name: string, help: string, read: (pool: TarnPool) => number) {
  return gauge(name, help, {
    labelNames: ['engine'],
    collect() {
      this.reset();
      for (const db of databases) {
        const pool = (db.client as { pool?: TarnPool | null }).pool;
        if (pool) this.inc({ engine: engineOf(db) }, read(pool));
      }
    },
  });
}

const queries = histogram('contacts_db_query_duration_seconds', 'Database query time, by engine.', ['engine']);
const failures = counter('contacts_db_query_errors_total', 'Database queries that failed, by engine.', ['engine']);
poolGauge('contacts_db_pool_in_use', 'Pooled database connections lent to a request.', (p) => p.numUsed());
poolGauge('contacts_db_pool_free', 'Pooled database connections idle in the pool.', (p) => p.numFree());
poolGauge('contacts_db_pool_waiting', 'Requests waiting for a pooled database connection.', (p) => p.numPendingAcquires());

interface QueryEvent {
  __knexQueryUid?: string;
}

/** Starts measuring `db`; the function returned stops it (call it before destroying `db`). */
export function measureDatabase(db: Knex): () => void {
  const engine: Engine = engineOf(db);
  const labels = { engine };
  const series = queries.labels(labels); // the engine's series, looked up once
  const started = new Map<string, bigint>();
  const finish = (event: QueryEvent | undefined) => {
    const uid = event?.__knexQueryUid;
    const start = uid === undefined ? undefined : started.get(uid);
    if (start === undefined) return;
    started.delete(uid as string);
    series.observe(Number(process.hrtime.bigint() - start) / 1e9);
  };
  const onQuery = (event: QueryEvent) => {
    if (event.__knexQueryUid !== undefined) started.set(event.__knexQueryUid, process.hrtime.bigint());
  };
  const onResponse = (_response: unknown, event: QueryEvent) => finish(event);
  const onError = (_error: unknown, event: QueryEvent) => {
    failures.inc(labels);
    finish(event);
  };
  db.on('query', onQuery).on('query-response', onResponse).on('query-error', onError);

  const reader = sqliteReaderOf(db);
  const all = reader?.all;
  if (reader && all) {
    reader.all = function timed<T>(sql: string, bindings: readonly unknown[]): T[] {
      const start = process.hrtime.bigint();
      try {
        return all.call(reader, sql, bindings) as T[];
      } catch (error) {
        failures.inc(labels);
        throw error;
      } finally {
        series.observe(Number(process.hrtime.bigint() - start) / 1e9);
      }
    };
  }
  databases.add(db);

  return () => {
    databases.delete(db);
    db.off('query', onQuery).off('query-response', onResponse).off('query-error', onError);
    if (reader && all) reader.all = all;
  };
}
