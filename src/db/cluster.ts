// MariaDB Galera: what the service does differently when its database is a cluster node (seen
// through HAProxy or directly). Detected per connection from the server's `wsrep_on`, so plain
// MariaDB/MySQL and SQLite are untouched. See README "Running on a cluster".
import type { Knex } from 'knex';
import type { MysqlConnection } from './connection.js';

type Rows = { Variable_name: string; Value: string }[];
type RawQuery = (sql: string, values: undefined, callback: (error: Error | null, rows?: unknown) => void) => unknown;

function run(query: RawQuery, sql: string): Promise<Rows> {
  return new Promise((resolve, reject) => query(sql, undefined, (error, rows) => (error ? reject(error) : resolve(rows as Rows))));
}

const WSREP_ON = "SHOW GLOBAL VARIABLES LIKE 'wsrep_on'";
const isOn = (rows: Rows) => rows.some((r) => r.Value === 'ON');

/**
 * For a new pooled MySQL connection: on a Galera node, reads wait until the node has applied
 * every write committed anywhere in the cluster before they began (`wsrep_sync_wait=1`), so a
 * write answered by one process is seen by the next request to another (read-your-writes).
 * Without it 19 of 200 reads on another node were stale here (notes/galera.md).
 * Resolves with the node the connection reaches (host, port and wsrep node name: through
 * HAProxy each connection may reach another), or undefined off a cluster.
 */
export async function prepareClusterSession(query: RawQuery): Promise<string | undefined> {
  if (!isOn(await run(query, WSREP_ON))) return undefined;
  await run(query, 'SET SESSION wsrep_sync_wait = 1');
  const [node] = (await run(query, 'SELECT @@hostname AS host, @@port AS port, @@wsrep_node_name AS name')) as unknown as { host: string; port: number; name: string }[];
  return `${node.host}:${node.port}/${node.name}`;
}

/**
 * Whether the database can take requests: `SELECT 1` on SQLite and plain MySQL; on a Galera
 * node, also synced (wsrep_local_state 4), ready and in the Primary component. A node cut off
 * from the cluster still answers `SELECT 1` but refuses every real query with 1047.
 */
export async function databaseReady(db: Knex): Promise<boolean> {
  if (!String(db.client.config.client).startsWith('mysql')) {
    await db.raw('select 1');
    return true;
  }
  const [wsrep] = (await db.raw(WSREP_ON)) as [Rows];
  if (!isOn(wsrep)) return true;
  const [status] = (await db.raw("SHOW GLOBAL STATUS WHERE Variable_name IN ('wsrep_ready', 'wsrep_local_state', 'wsrep_cluster_status')")) as [Rows];
  const value = Object.fromEntries(status.map((r) => [r.Variable_name.toLowerCase(), r.Value]));
  return value.wsrep_ready === 'ON' && value.wsrep_local_state === '4' && value.wsrep_cluster_status === 'Primary';
}

/**
 * Bytes of a transaction's write set that a Galera node replicates at a time when the
 * transaction is streamed (`wsrep_trx_fragment_size`, unit bytes): 64 MB, or a quarter of the
 * node's `wsrep_max_ws_size` if that is less (a fragment ends after the statement that fills it,
 * so it can pass this by one statement's rows). An import whose write set is smaller (about
 * 7,000 contacts with their children and events) is replicated whole at COMMIT as before:
 * streaming writes every fragment to each node's `mysql.wsrep_streaming_log` too (an import
 * of 20,000 contacts took 20.2 s streamed in 16 MB fragments, 16.7 s whole).
 */
export const STREAM_FRAGMENT_BYTES = 64 * 1024 * 1024;

/**
 * Runs `work` with a pooled connection of its own, for one big transaction. On a Galera node
 * the connection streams its transactions (Galera 4's streaming replication): the write set is
 * replicated and certified a fragment at a time while the transaction runs, instead of whole at
 * COMMIT. An import is one transaction: a write set of about 9.9 KB per contact (its children,
 * its event), and whole, one past `wsrep_max_ws_size` (at most 2 GB: about 215,000 contacts) is
 * refused at COMMIT. Each statement of a streamed transaction may replicate a fragment, so its
 * query deadline grows as a COMMIT's does (connection.ts). The connection is set back before it
 * returns to the pool (dropped if that fails).
 */
export async function onStreamingConnection<T>(db: Knex, work: (connection: unknown) => Promise<T>): Promise<T> {
  const connection = (await db.client.acquireConnection()) as MysqlConnection;
  const fragments = (bytes: number) => db.raw("SET SESSION wsrep_trx_fragment_unit = 'bytes', wsrep_trx_fragment_size = ?", [bytes]).connection(connection);
  try {
    if (connection.clusterNode !== undefined) {
      const [[limit]] = (await db.raw('SELECT @@global.wsrep_max_ws_size AS bytes').connection(connection)) as [{ bytes: number | string }[]];
      const bytes = Math.min(STREAM_FRAGMENT_BYTES, Math.floor(Number(limit.bytes) / 4));
      await fragments(bytes);
      connection.streamFragmentBytes = bytes;
    }
    return await work(connection);
  } finally {
    if (connection.streamFragmentBytes !== undefined) {
      connection.streamFragmentBytes = undefined;
      await fragments(0).catch((error: unknown) => (connection.__knex__disposed ??= error));
    }
    await db.client.releaseConnection(connection);
  }
}
