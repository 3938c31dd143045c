// DATABASE_URL → a knex instance. `sqlite:relative/path`, `sqlite:///absolute/path`,
// `sqlite::memory:`, or `mysql://user:password@host:port/database` (MySQL or MariaDB).
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import knex, { type Knex } from 'knex';
import { prepareClusterSession } from './cluster.js';
import { COMMIT_OUTCOME_UNKNOWN, isConnectionUnusable } from './errors.js';
import { attachSqliteReader, reusePreparedStatements } from './sqlite-reader.js';

export type Engine = 'sqlite' | 'mysql';

/** How long a request may wait for a connection before the database counts as unreachable. */
const ACQUIRE_TIMEOUT_MS = 2_000;
const MYSQL_CONNECT_TIMEOUT_MS = 1_500;
const MYSQL_POOL_MAX = 10;
/**
 * Prepared statements a pooled connection keeps (mysql-reader.ts), the least recently used
 * closed past it: the server holds at most max_prepared_stmt_count (16,382 by default) over all
 * connections, which leaves room for 25 processes with full pools.
 */
const PREPARED_PER_CONNECTION = 64;
/** A MySQL query unanswered after this long (a frozen server) fails, and its connection is dropped. */
const MYSQL_QUERY_TIMEOUT_MS = 2_000;
/**
 * A COMMIT's deadline grows by a millisecond per this many bytes its transaction sent (1 s per
 * MB): on Galera a COMMIT replicates and certifies the whole write set, and an import of 20,000
 * contacts took over 2 s to commit on 2 shared cores. A service write's COMMIT keeps the deadline.
 */
const COMMIT_BYTES_PER_MS = 1_000;
const TRANSACTION_BOUNDARY = /^\s*(BEGIN|START TRANSACTION|COMMIT|ROLLBACK)\b/i;

type QueryCallback = (error: (Error & { code?: string; fatal?: boolean; [COMMIT_OUTCOME_UNKNOWN]?: boolean }) | null, ...results: unknown[]) => void;
type Send = (options: string | { sql: string; timeout?: number }, values: unknown, callback: QueryCallback) => unknown;
/** A mysql2 connection as the pool holds it, with what this service marks on it. */
export interface MysqlConnection {
  query: Send;
  /** A prepared statement (prepared on the connection's first use of the SQL, then kept): mysql-reader.ts. */
  execute: Send;
  destroy(): void;
  __knex__disposed?: unknown;
  _closing?: boolean;
  stream?: { destroyed?: boolean };
  /** The Galera node it reaches (prepareClusterSession), undefined off a cluster. */
  clusterNode?: string;
  /** While its transactions are streamed (cluster.ts onStreamingConnection): the bytes of a fragment. */
  streamFragmentBytes?: number;
}

/**
 * The live connections of one pool, so that a node found out of service is left by all of
 * them at once: after a 1047/1180 on one connection, every other connection of the pool to the
 * same node is marked disposed, and knex's pool validation then destroys it instead of lending
 * it (an idle one) or keeping it (one in use, when it is released). Without this each pooled
 * connection to that node would fail one more request with a 503 before being dropped.
 */
class NodeConnections {
  private readonly live = new Set<MysqlConnection>();

  add(connection: MysqlConnection): void {
    this.prune();
    this.live.add(connection);
  }

  /** Disposes every connection of the pool that reaches `node` (the one that saw the error included). */
  leave(node: string, error: Error): void {
    for (const connection of this.live) {
      if (connection.clusterNode !== node) continue;
      connection.__knex__disposed ??= error;
      this.live.delete(connection);
    }
  }

  private prune(): void {
    for (const connection of this.live) {
      if (connection.__knex__disposed || connection._closing || connection.stream?.destroyed) this.live.delete(connection);
    }
  }
}

/**
 * Gives every query a deadline. A server that hangs (stopped, or packets dropped) rather than
 * going away would otherwise keep a pooled connection's request waiting for ever. On the
 * deadline the connection is destroyed, not reused: MySQL then rolls back whatever that
 * connection had begun and not yet asked to commit. A deadline hit by the COMMIT itself is
 * different: the server may have committed (a Galera COMMIT stalls ~6 s while a dead node is
 * evicted, then succeeds), so that error is marked as of unknown outcome (see http/errors.ts), as
 * is a COMMIT whose connection was lost before its answer came. A big transaction's COMMIT gets
 * longer (COMMIT_BYTES_PER_MS), and so does any statement of a streamed transaction (one
 * fragment's worth at most).
 * A connection the server refuses to serve (a Galera node out of the Primary component: 1047,
 * 1180) is dropped too, with every other connection of the pool to that node (NodeConnections),
 * so the pool reconnects, through HAProxy to a node that serves.
 */
function withQueryDeadline(connection: MysqlConnection, timeoutMs: number, pool: NodeConnections): void {
  let sentInTransaction = 0; // bytes of the statements since BEGIN
  const withDeadline =
    (send: Send, ownTimer: boolean): Send =>
    (options, values, callback) => {
      const sql = typeof options === 'string' ? options : options.sql;
      const boundary = TRANSACTION_BOUNDARY.exec(sql)?.[1].toUpperCase();
      const isCommit = boundary === 'COMMIT';
      // A streamed transaction replicates a fragment after the statement that fills it: any of its statements may.
      const replicates = isCommit ? sentInTransaction : Math.min(sentInTransaction, connection.streamFragmentBytes ?? 0);
      const timeout = timeoutMs + Math.floor(replicates / COMMIT_BYTES_PER_MS);
      sentInTransaction = boundary ? 0 : sentInTransaction + sql.length + sizeOfValues(values);
      let answered = false;
      let timer: NodeJS.Timeout | undefined;
      const answer: QueryCallback = (error, ...results) => {
        if (answered) return;
        answered = true;
        clearTimeout(timer);
        // A COMMIT that met its deadline or lost its connection may have committed all the same.
        if (error && (error.code === 'PROTOCOL_SEQUENCE_TIMEOUT' || error.fatal) && isCommit) error[COMMIT_OUTCOME_UNKNOWN] = true;
        if (error && (error.code === 'PROTOCOL_SEQUENCE_TIMEOUT' || isConnectionUnusable(error))) {
          if (isConnectionUnusable(error) && connection.clusterNode) pool.leave(connection.clusterNode, error);
          connection.__knex__disposed = error; // knex drops it instead of returning it to the pool
          connection.destroy();
        }
        callback(error, ...results);
      };
      // mysql2 times a query itself, but an execute only from its EXECUTE on: the PREPARE before
      // it (a connection's first use of the statement) would wait for ever on a server that hangs.
      if (ownTimer) timer = setTimeout(() => answer(Object.assign(new Error('Query inactivity timeout'), { code: 'PROTOCOL_SEQUENCE_TIMEOUT', fatal: true })), timeout);
      return send(ownTimer ? sql : { timeout, ...(typeof options === 'string' ? { sql: options } : options) }, values, answer);
    };
  connection.query = withDeadline(connection.query.bind(connection), false);
  connection.execute = withDeadline(connection.execute.bind(connection), true);
}

/** About the bytes a statement's values add to it (strings by length, anything else 8). */
function sizeOfValues(values: unknown): number {
  if (!Array.isArray(values)) return 0;
  let size = 0;
  for (const value of values) size += typeof value === 'string' ? value.length : 8;
  return size;
}

export function engineOf(db: Knex): Engine {
  return String(db.client.config.client).startsWith('mysql') ? 'mysql' : 'sqlite';
}

function sqliteFilename(url: string): string {
  const rest = url.slice('sqlite:'.length);
  if (rest === ':memory:') return rest;
  if (rest.startsWith('///')) return rest.slice(2);
  if (rest.startsWith('//')) throw new Error('DATABASE_URL: use sqlite:relative/path or sqlite:///absolute/path');
  return resolve(rest);
}

interface SqliteConnection {
  pragma(sql: string): unknown;
  prepare(sql: string): unknown;
}

function sqliteConfig(url: string): Knex.Config {
  const filename = sqliteFilename(url);
  if (filename !== ':memory:') mkdirSync(dirname(filename), { recursive: true });
  return {
    client: 'better-sqlite3',
    connection: { filename },
    useNullAsDefault: true,
    acquireConnectionTimeout: ACQUIRE_TIMEOUT_MS,
    // One connection: better-sqlite3 is synchronous, and :memory: lives with its connection.
    pool: {
      min: 1,
      max: 1,
      afterCreate(conn: SqliteConnection, done: (err: Error | null, conn: unknown) => void) {
        reusePreparedStatements(conn, 200);
        if (filename !== ':memory:') conn.pragma('journal_mode = WAL');
        conn.pragma('synchronous = FULL');
        conn.pragma('foreign_keys = ON');
        conn.pragma('busy_timeout = 5000');
        done(null, conn);
      },
    },
  };
}

function mysqlConfig(url: string): Knex.Config {
  // Read here rather than in config.ts: every connect() (server, CLI, tests) applies it.
  const queryTimeoutMs = Number(process.env.DB_QUERY_TIMEOUT_MS) || MYSQL_QUERY_TIMEOUT_MS;
  const nodes = new NodeConnections();
  const u = new URL(url);
  const database = decodeURIComponent(u.pathname.replace(/^\//, ''));
  if (!database) throw new Error('DATABASE_URL: a mysql URL must name the database (mysql://user:password@host:port/database)');
  return {
    client: 'mysql2',
    connection: {
      host: u.hostname === 'localhost' ? '127.0.0.1' : u.hostname,
      port: u.port ? Number(u.port) : 3306,
      user: decodeURIComponent(u.username),
      password: decodeURIComponent(u.password),
      database,
      charset: 'utf8mb4',
      timezone: 'Z',
      dateStrings: true,
      supportBigNumbers: true,
      connectTimeout: MYSQL_CONNECT_TIMEOUT_MS,
      maxPreparedStatements: PREPARED_PER_CONNECTION,
    },
    acquireConnectionTimeout: ACQUIRE_TIMEOUT_MS,
    pool: {
      min: 0,
      max: MYSQL_POOL_MAX,
      afterCreate(connection: MysqlConnection, done: (error: Error | null, connection: unknown) => void) {
        withQueryDeadline(connection, queryTimeoutMs, nodes);
        // On a Galera node: read-your-writes across nodes (cluster.ts); nothing elsewhere.
        prepareClusterSession((sql, values, callback) => connection.query(sql, values, callback)).then(
          (node) => {
            connection.clusterNode = node;
            nodes.add(connection);
            done(null, connection);
          },
          (error: Error) => {
            connection.destroy(); // knex does not end a connection whose afterCreate failed: it would stay open
            done(error, connection);
          },
        );
      },
    },
  };
}

/** knex's own warnings (lost connections, failed acquires), one short line each. */
export type DriverLog = (line: string) => void;

const firstLine = (message: unknown) => String(message instanceof Error ? message.message : message).split('\n')[0];

export function connect(databaseUrl: string, log: DriverLog = (line) => process.stderr.write(line + '\n')): Knex {
  const config = databaseUrl.startsWith('sqlite:')
    ? sqliteConfig(databaseUrl)
    : /^(mysql2?|mariadb):\/\//.test(databaseUrl)
      ? mysqlConfig(databaseUrl)
      : undefined;
  if (!config) throw new Error('DATABASE_URL must start with sqlite: or mysql://');
  const report = (message: unknown) => log(`database: ${firstLine(message)}`);
  const db = knex({ ...config, log: { warn: report, error: report, deprecate: () => {}, debug: () => {} } });
  const filename = databaseUrl.startsWith('sqlite:') ? sqliteFilename(databaseUrl) : ':memory:';
  if (filename !== ':memory:') attachSqliteReader(db, filename);
  return db;
}

/** The URL with its password hidden, for messages. */
export function describeUrl(databaseUrl: string): string {
  return databaseUrl.replace(/\/\/([^:/@]*):[^@]*@/, '//$1:***@');
}
