// Start-up: database (waited for) → migrations → first admin → lookups → listen; and a graceful stop.
import { createServer, STATUS_CODES, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Knex } from 'knex';
import { randomPassword } from './auth/passwords.js';
import { addUser, countUsers } from './auth/users.js';
import type { Config } from './config.js';
import { loadLookups } from './contacts/lookups.js';
import { connect } from './db/connection.js';
import { isUniqueViolation } from './db/errors.js';
import { migrateLatest } from './db/migrate.js';
import { newLeaseOwner } from './db/migration-lease.js';
import { whenDatabaseAnswers } from './db/wait-for-database.js';
import { startEventWorkers } from './events/runtime.js';
import { onEventsCommitted } from './events/sequencer.js';
import { DEFAULT_EVENT_SETTINGS } from './events/settings.js';
import { buildApp } from './http/app.js';
import { createLog, type LogLine } from './http/log.js';
import { XML_TYPE } from './http/respond.js';
import { requestIdOf } from './http/request-id.js';
import { startMetrics } from './metrics/service.js';
import { RESOURCES } from './resources/index.js';
import { startSearchIndexer } from './resources/search-trigrams.js';
import { errorsDocument } from './xml/misc-writer.js';

export interface RunningService {
  server: Server;
  db: Knex;
  url: string;
  /** Stops accepting connections, lets requests in flight finish, closes the pool. */
  close(): Promise<void>;
}

/** With no API user at all, creates business file 1 and the first user. */
export async function ensureAdmin(db: Knex, config: Pick<Config, 'adminLogin' | 'adminPassword'>, print: LogLine): Promise<void> {
  if ((await countUsers(db)) > 0) return;
  const login = config.adminLogin ?? 'admin';
  const password = config.adminPassword ?? randomPassword();
  try {
    await addUser(db, login, password, 1);
  } catch (error) {
    // Several processes starting at once on a fresh database: another one created it.
    if (isUniqueViolation(error) && (await countUsers(db)) > 0) return;
    throw error;
  }
  if (config.adminPassword) print(`Created API user "${login}" for business file 1.`);
  else print(`Created API user "${login}" for business file 1 with password: ${password}\n(shown only this once; set ADMIN_PASSWORD to choose it)`);
}

/**
 * Migrations and the first admin, once the database answers (wait-for-database.ts). An attempt
 * cut off mid-way leaves its migration lease behind; the next takes it again as its owner.
 */
export async function prepareDatabase(db: Knex, config: Config, print: LogLine): Promise<void> {
  const owner = newLeaseOwner();
  await whenDatabaseAnswers(
    db,
    async () => {
      await migrateLatest(db, { owner });
      await ensureAdmin(db, config, print);
    },
    config.databaseWaitMs,
    print,
  );
}

export interface StartOptions {
  /** Apply migrations and create the first admin (false in cluster workers: the primary did). */
  prepare?: boolean;
}

export async function startService(config: Config, log: LogLine, db: Knex = connect(config.databaseUrl), { prepare = true }: StartOptions = {}): Promise<RunningService> {
  const print = createLog(config.logFormat ?? 'plain', log).print;
  if (prepare) await prepareDatabase(db, config, print);
  const lookups = await whenDatabaseAnswers(db, () => loadLookups(db), config.databaseWaitMs, print);
  const metrics = await startMetrics(config, db);
  const eventSettings = { ...DEFAULT_EVENT_SETTINGS, ...config.events };
  const app = buildApp({ db, lookups, log, requestLines: config.logRequests, logFormat: config.logFormat, metrics, renderedContacts: config.renderedContacts, auth: config.auth, events: eventSettings });

  const requestTimeout = config.requestTimeoutMs ?? 30_000;
  // Node checks request deadlines every connectionsCheckingInterval (30 s by default), so a
  // short deadline needs a matching interval to be enforced on time.
  const server = createServer({ requestTimeout, connectionsCheckingInterval: Math.min(1_000, requestTimeout) }, app.callback());
  server.on('clientError', answerClientError);
  server.listen(config.port, config.host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  // Slow clients must not hold sockets for minutes (Node's defaults are 300 s and 60 s).
  server.headersTimeout = Math.min(10_000, requestTimeout);
  server.keepAliveTimeout = 5_000;

  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;

  // Sequencer, retention purge and webhook deliveries, in every process (WORKERS=N: each worker).
  const eventWorkers = startEventWorkers(db, eventSettings, print);
  // The search indexer (MySQL), in every process: after this process's writes of records (each
  // records an event) and on a poll for the writes of others (the CLI's imports among them).
  const searchIndexer = config.searchIndexer === false ? undefined : startSearchIndexer(db, Object.values(RESOURCES), SEARCH_INDEX_POLL_MS, print);
  const stopKicking = searchIndexer ? onEventsCommitted(() => searchIndexer.kick()) : () => {};

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    })
      .then(() => {
        stopKicking();
        return Promise.all([eventWorkers.stop(), searchIndexer?.stop()]);
      })
      .then(() => metrics?.close())
      .then(() => db.destroy()));
  return { server, db, url, close };
}

/** How often each process looks for records other processes left for the search indexer. */
const SEARCH_INDEX_POLL_MS = 1_000;

/** Answers to requests Node cannot read, by its error code; anything else is a 400. */
const CLIENT_ERRORS: Record<string, [status: number, message: string]> = {
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'The request did not arrive in time.'],
  HPE_HEADER_OVERFLOW: [431, 'The request headers are too large.'],
  HPE_CHUNK_EXTENSIONS_OVERFLOW: [413, 'The request body is too large.'],
};

/**
 * Node's own answer to a request it cannot read (bytes that are not HTTP, a request past its
 * deadline, headers too large) has no body; this one has the `<errors>` body every error has,
 * with a generic message (never request data), and closes the connection. As Node does, it
 * writes nothing once an answer has started on the socket: that would corrupt the answer.
 */
function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (error.code !== 'ECONNRESET' && socket.writable && !inFlight?.headersSent) {
    const [status, message] = CLIENT_ERRORS[error.code ?? ''] ?? [400, 'The request is not valid HTTP.'];
    const body = errorsDocument([message]);
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: ${XML_TYPE}\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nX-Request-Id: ${requestIdOf(undefined)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}
