// What the HTTP benchmarks share: a seeded database, the service in a child process, a
// recording of its answers, a bare node:http "ceiling" replaying them, and autocannon runs
// (the soak's fixed rate; bench/wrk.ts loads as fast as the server answers).
import { spawn, type ChildProcess } from 'node:child_process';
import { createReadStream, createWriteStream, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import autocannon from 'autocannon';
import knex from 'knex';
import { writeImportFile } from '../fixtures/generate.js';
import { addUser } from '../src/auth/users.js';
import { loadLookups } from '../src/contacts/lookups.js';
import { connect } from '../src/db/connection.js';
import { migrateLatest } from '../src/db/migrate.js';
import { importContacts } from '../src/import/importer.js';
import { RESOURCES } from '../src/resources/index.js';
import { anyPending } from '../src/resources/search-trigrams.js';
import { freePort } from '../test/support/process.js';

export const LOGIN = 'bench';
export const PASSWORD = 'bench-password';
export const AUTH = 'Basic ' + Buffer.from(`${LOGIN}:${PASSWORD}`).toString('base64');
const CLI = resolve('dist/src/cli/main.js');

export { freePort };

/**
 * MySQL: the seconds until a running service's search indexer has indexed every record written
 * (0 on SQLite, whose FTS5 index the writes keep themselves). A benchmark waits for it so that
 * it measures the indexed state, not requests sharing the database with the indexer.
 */
export async function searchIndexBuilt(databaseUrl: string): Promise<number> {
  if (!databaseUrl.startsWith('mysql')) return 0;
  const db = knex({ client: 'mysql2', connection: databaseUrl });
  const started = performance.now();
  try {
    while (await anyPending(db, Object.values(RESOURCES))) await new Promise((r) => setTimeout(r, 500));
  } finally {
    await db.destroy();
  }
  return (performance.now() - started) / 1000;
}

/** A fresh MySQL database next to the configured one. */
export async function freshMysql(base: string, name: string): Promise<string> {
  const admin = knex({ client: 'mysql2', connection: base });
  await admin.raw(`DROP DATABASE IF EXISTS \`${name}\``);
  await admin.raw(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await admin.destroy();
  return base.replace(/\/[^/?]+(\?|$)/, `/${name}$1`);
}

/** Migrates, adds the bench user to business file 1 and imports `contacts` generated contacts (2 addresses, 3 items each). */
export async function seed(url: string, dir: string, contacts: number): Promise<void> {
  const file = join(dir, `seed-${contacts}.xml`);
  const out = createWriteStream(file);
  await writeImportFile(out, { contacts, seed: 7, addresses: 2, items: 3 });
  await new Promise((r) => out.end(r));
  const db = connect(url, () => {});
  try {
    await migrateLatest(db);
    await addUser(db, LOGIN, PASSWORD, 1);
    const report = await importContacts(createReadStream(file), db, { businessFileId: 1, lookups: await loadLookups(db) });
    if (report.invalid.length > 0 || report.created !== contacts) throw new Error(`seeding failed: ${JSON.stringify(report).slice(0, 300)}`);
  } finally {
    await db.destroy();
  }
}

export interface Child {
  process: ChildProcess;
  url: string;
  stop(): Promise<void>;
}

function startChild(args: string[], env: Record<string, string>, ready: RegExp): Promise<Child> {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    const onData = (d: Buffer) => {
      out += d;
      const match = ready.exec(out);
      if (match) {
        child.stdout!.off('data', onData);
        child.stdout!.resume();
        res({ process: child, url: match[1], stop: () => (child.kill('SIGTERM'), exited) });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d) => (out += d));
    child.once('exit', (code) => rej(new Error(`${args.join(' ')} exited with ${code}: ${out.slice(-2000)}`)));
  });
}

/** `contacts serve` (the built one) on `url`, request lines off; `env` adds settings (METRICS_TOKEN…). */
export async function startService(databaseUrl: string, workers: number, env: Record<string, string> = {}): Promise<Child> {
  const port = await freePort();
  return startChild([CLI, 'serve'], { DATABASE_URL: databaseUrl, PORT: String(port), WORKERS: String(workers), LOG_REQUESTS: '0', ...env }, /listening on (http:\/\/\S+)/);
}

// ---------------------------------------------------------------------------------------------
// Requests, recorded answers and the ceiling

export interface BenchRequest {
  method: string;
  path: string;
  body?: string;
}

export interface Recorded {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Headers the ceiling replays: everything but those that describe the connection or the moment. */
const HOP_HEADERS = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding']);

/** Sends each request once and records the answer, keyed by method and path. */
export async function record(base: string, requests: BenchRequest[]): Promise<Record<string, Recorded>> {
  const recorded: Record<string, Recorded> = {};
  for (const r of requests) {
    const key = `${r.method} ${r.path}`;
    if (recorded[key]) continue;
    const res = await fetch(base + r.path, { method: r.method, headers: headersFor(r), body: r.body });
    const headers: Record<string, string> = {};
    res.headers.forEach((value, name) => {
      if (!HOP_HEADERS.has(name)) headers[name] = value;
    });
    recorded[key] = { status: res.status, headers, body: await res.text() };
    if (res.status >= 300) throw new Error(`${key} answered ${res.status}: ${recorded[key].body.slice(0, 300)}`);
  }
  return recorded;
}

function headersFor(r: BenchRequest): Record<string, string> {
  return r.body === undefined ? { authorization: AUTH } : { authorization: AUTH, 'content-type': 'application/xml' };
}

/**
 * The bare node:http server (bench/ceiling.ts) replaying `recordingFile`, in `workers` processes;
 * with `databaseUrl` (MySQL), each answer after one SELECT on that database.
 */
export async function startCeiling(recordingFile: string, workers = 1, databaseUrl?: string): Promise<Child> {
  return startChild(['--import', 'tsx', resolve('bench/ceiling.ts'), recordingFile], { WORKERS: String(workers), ...(databaseUrl ? { CEILING_DATABASE_URL: databaseUrl } : {}) }, /ceiling on (http:\/\/\S+)/);
}

export function loadRecording(file: string): Record<string, Recorded> {
  return JSON.parse(readFileSync(file, 'utf8'));
}

// ---------------------------------------------------------------------------------------------
// Load

export interface LoadOptions {
  connections: number;
  seconds: number;
  /** Requests per second over all connections (none: as fast as it answers). */
  rate?: number;
}

export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  /** Non-2xx answers, socket errors and timeouts. */
  errors: number;
}

/** Loads `base` with `requests` taken in turn (shared over all connections). */
export async function load(base: string, requests: BenchRequest[], options: LoadOptions): Promise<LoadResult> {
  let next = 0;
  const result = await autocannon({
    url: base,
    connections: options.connections,
    duration: options.seconds,
    overallRate: options.rate,
    requests: [
      {
        setupRequest: (req) => {
          const r = requests[next++ % requests.length];
          return { ...req, method: r.method as 'GET', path: r.path, body: r.body, headers: headersFor(r) };
        },
      },
    ],
  });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    errors: result.non2xx + result.errors + result.timeouts,
  };
}

/** Resident set size of a process, in MB (Linux). */
export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
}
