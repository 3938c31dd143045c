#!/usr/bin/env node
// The `contacts` command: serve, migrate, users add, tokens add. Every subcommand that touches
// the database applies pending migrations first.
import { parseArgs } from 'node:util';
import type { Knex } from 'knex';
import { addToken, addUser } from '../auth/users.js';
import { readConfig } from '../config.js';
import { connect, describeUrl } from '../db/connection.js';
import { migrateLatest } from '../db/migrate.js';
import { isClusterWorker, reportListening, runPrimary } from '../cluster.js';
import { batchedLines } from '../http/batched-lines.js';
import { createLog } from '../http/log.js';
import { startService } from '../server.js';
import { positiveInteger, required, UsageError } from './args.js';
import { CONTACT, FIRM } from '../resources/index.js';
import { exportTo, importFiles } from './transfer.js';
import { WEBHOOKS_USAGE, webhooksCommand } from './webhooks.js';

const USAGE = `Usage: contacts <command> [options]

Commands:
  serve                                  migrate, then serve the API on HOST:PORT
  migrate                                apply pending migrations and exit
  users add --login L --password P [--business-file N] [--empty-integers omit|empty]
                                         add a user (and the business file if new; default 1);
                                         omit: integer elements without a value are left out of its XML
  tokens add --login L                   print a new API token for the user
  import FILE… [--business-file N] [--dry-run] [--strict]
                                         import <contacts> or <firms> XML files, each all or nothing;
                                         --strict refuses a file with elements that are not kept
  export [--business-file N] [--firms]   write the business file's contacts (or firms) as XML to stdout
${WEBHOOKS_USAGE}

Environment: DATABASE_URL (default sqlite:data/contacts.sqlite3), PORT (8080), HOST (127.0.0.1),
ADMIN_LOGIN / ADMIN_PASSWORD (first start only), LOG_REQUESTS=0 to silence request lines,
LOG_FORMAT=json for JSON log lines, METRICS_TOKEN / METRICS_PORT to serve /metrics.`;

const print = (line: string) => process.stdout.write(line + '\n');

async function withDatabase<T>(work: (db: Knex) => Promise<T>): Promise<T> {
  const db = connect(readConfig().databaseUrl);
  try {
    await migrateLatest(db);
    return await work(db);
  } finally {
    await db.destroy();
  }
}

async function serve(): Promise<void> {
  const config = readConfig();
  // Request lines and messages, written once per turn of the event loop (batched-lines.ts).
  const output = batchedLines((text) => process.stdout.write(text));
  process.on('exit', output.flush);
  const print = output.line;
  // LOG_FORMAT=json: these messages are JSON lines too (startService makes its own from `print`).
  const say = createLog(config.logFormat ?? 'plain', print).print;
  const listening = (where: string) => say(`Contacts API listening on ${where} (database ${describeUrl(config.databaseUrl)})`);
  if (config.workers > 1 && !isClusterWorker()) return runPrimary(config, say, listening);

  const service = await startService(config, print, undefined, { prepare: !isClusterWorker() });
  const stop = (signal: string) => {
    say(`${signal} received: finishing requests in flight`);
    service.close().then(
      () => process.exit(0),
      (error) => {
        process.stderr.write(`error while stopping: ${(error as Error).name}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  // Announced only once the signals are handled: a supervisor may stop the service at once.
  if (isClusterWorker()) reportListening(service.url);
  else listening(service.url);
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      login: { type: 'string' },
      password: { type: 'string' },
      'business-file': { type: 'string' },
      url: { type: 'string' },
      id: { type: 'string' },
      'dry-run': { type: 'boolean' },
      strict: { type: 'boolean' },
      firms: { type: 'boolean' },
      'empty-integers': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [first, ...rest] = positionals;
  const command = first === 'import' ? 'import' : positionals.join(' ');
  if (values.help || command === '' || command === 'help') {
    print(USAGE);
    return command === '' && !values.help ? 1 : 0;
  }
  switch (command) {
    case 'serve':
      await serve();
      return -1; // keeps running
    case 'migrate':
      await withDatabase(async () => print('Database is up to date.'));
      return 0;
    case 'users add': {
      const login = required('login', values.login);
      const businessFile = positiveInteger('business-file', values['business-file'], 1);
      const emptyIntegers = values['empty-integers'];
      if (emptyIntegers !== undefined && emptyIntegers !== 'omit' && emptyIntegers !== 'empty') throw new UsageError('--empty-integers must be omit or empty');
      const { created } = await withDatabase((db) => addUser(db, login, values.password, businessFile, { emptyIntegers }));
      print(`${created ? 'Added' : 'Updated'} user "${login}" with business file ${businessFile}.`);
      return 0;
    }
    case 'tokens add': {
      const login = required('login', values.login);
      print(await withDatabase((db) => addToken(db, login)));
      return 0;
    }
    case 'import': {
      if (rest.length === 0) throw new UsageError('import needs at least one FILE');
      const businessFile = positiveInteger('business-file', values['business-file'], 1);
      const ok = await withDatabase((db) => importFiles(db, rest, businessFile, { dryRun: values['dry-run'] ?? false, strict: values.strict ?? false }));
      return ok ? 0 : 1;
    }
    case 'export': {
      const businessFile = positiveInteger('business-file', values['business-file'], 1);
      await withDatabase((db) => exportTo(db, values.firms ? FIRM : CONTACT, businessFile, process.stdout));
      return 0;
    }
    case 'webhooks add':
    case 'webhooks list':
    case 'webhooks remove':
    case 'webhooks deliveries': {
      const args = { businessFileId: positiveInteger('business-file', values['business-file'], 1), url: values.url, id: values.id === undefined ? undefined : positiveInteger('id', values.id, 0) };
      return withDatabase((db) => webhooksCommand(db, command, args, print, (line) => process.stderr.write(line + '\n')));
    }
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (error) => {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`contacts: ${(error as Error).message}\n\n${USAGE}\n`);
      process.exitCode = 2;
    } else {
      // Driver messages carry SQL and its values: for those, show only what kind of error it was.
      const e = error as { name?: string; code?: string; message?: string };
      const fileSystem = e.code === 'ENOENT' || e.code === 'EACCES' || e.code === 'EISDIR';
      process.stderr.write(`contacts: ${!e.code || fileSystem ? e.message : `${e.name ?? 'Error'} (${e.code})`}\n`);
      process.exitCode = 1;
    }
  },
);
