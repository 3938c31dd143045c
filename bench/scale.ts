// The scale benchmark (issue 9): one business file of N generated contacts (2 addresses and 3
// items each) beside another business file, imported with `contacts import`, then every read
// of the list endpoints probed single and warm (median of five after one warm-up), at the small
// size and at N, with the growth ratio of each; and the import times, SQLite against MariaDB.
//
//   npm run bench:scale -- [--contacts 1000000] [--small 10000] [--others 10000] [--engines sqlite,mysql]
//
// MySQL: BENCH_MYSQL_URL (or TEST_MYSQL_URL) if set, else a throwaway MariaDB started here
// (test/support/mariadb.sh) with a buffer pool sized like a production server's for this data.
import { execFileSync, spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import knex, { type Knex } from 'knex';
import { writeImportFile } from '../fixtures/generate.js';
import { AUTH, freshMysql, LOGIN, PASSWORD, searchIndexBuilt, startService } from './support.js';

const { values } = parseArgs({
  options: {
    contacts: { type: 'string', default: '1000000' },
    small: { type: 'string', default: '10000' },
    others: { type: 'string', default: '10000' },
    engines: { type: 'string', default: 'sqlite,mysql' },
  },
});
const BIG = Number(values.contacts);
const SMALL = Number(values.small);
const OTHERS = Number(values.others);
const ENGINES = values.engines.split(',');
const CLI = resolve('dist/src/cli/main.js');
const MARIADB = resolve('test/support/mariadb.sh');
const BF = 1;
/** Ids are global: the other business file's contacts, addresses and items take the first ids. */
const FIRST_ID = 10_000_000;
const RUNS = 5;

const dir = mkdtempSync(join(tmpdir(), 'contacts-bench-scale-'));

async function generate(name: string, contacts: number, firstId: number, seed: number): Promise<string> {
  const file = join(dir, name);
  const out = createWriteStream(file);
  await writeImportFile(out, { contacts, seed, firstId, addresses: 2, items: 3 });
  await new Promise((r) => out.end(r));
  return file;
}

function cli(url: string, args: string[]): string {
  return execFileSync(process.execPath, [CLI, ...args], { env: { ...process.env, DATABASE_URL: url }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** `contacts import`, timed, with its peak RSS (VmHWM, read until it exits). */
function timedImport(url: string, file: string, businessFile: number): Promise<{ seconds: number; peakRssMb: number; summary: string }> {
  return new Promise((res, rej) => {
    const started = performance.now();
    const child = spawn(process.execPath, [CLI, 'import', file, '--business-file', String(businessFile)], { env: { ...process.env, DATABASE_URL: url }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let peak = 0;
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const poll = setInterval(() => {
      try {
        peak = Math.max(peak, Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0));
      } catch {
        /* exited */
      }
    }, 250);
    child.once('exit', (code) => {
      clearInterval(poll);
      if (code !== 0) rej(new Error(`import exited with ${code}: ${out.slice(-1000)}`));
      else res({ seconds: (performance.now() - started) / 1000, peakRssMb: Math.round(peak / 1024), summary: out.trim().split('\n').pop() ?? '' });
    });
  });
}

interface Probe {
  label: string;
  method?: string;
  path: string;
  body?: () => string;
}

/** The requests of the issue's table, for a business file of `n` contacts whose ids start at FIRST_ID. */
async function probes(db: Knex, n: number): Promise<Probe[]> {
  const one = FIRST_ID + Math.floor(n / 2);
  const perPage = 30;
  const pages = Math.ceil(n / perPage);
  const email = (await db('contact_items').where('contact_id', one).andWhere('value', 'like', '%@%').first('value'))?.value as string | undefined;
  const firm = (await db('contacts').where('business_file_id', BF).whereNotNull('firm_id').groupBy('firm_id').orderByRaw('COUNT(*) DESC').first('firm_id'))?.firm_id as number;
  const remote = (await db('contacts').where('business_file_id', BF).whereNotNull('remote_id').first('remote_id'))?.remote_id as string;
  const since = (await db('contacts').where('business_file_id', BF).orderBy('updated_at', 'desc').offset(Math.floor(n / 100)).first('updated_at'))?.updated_at;
  const sinceText = encodeURIComponent(new Date(since).toISOString());
  const list = `/${BF}/contacts.xml`;
  let jobs = 0;
  const out: Probe[] = [
    { label: 'GET one contact', path: `/${BF}/contacts/${one}.xml` },
    { label: 'list, page 1', path: list },
    { label: 'list, middle page', path: `${list}?page=${Math.ceil(pages / 2)}` },
    { label: 'list, last page', path: `${list}?page=${pages}` },
  ];
  for (const field of ['id', 'last_name', 'first_name', 'created_at', 'updated_at']) {
    for (const dir of ['asc', 'desc']) out.push({ label: `sort=${field}:${dir}`, path: `${list}?sort=${field}:${dir}` });
  }
  out.push(
    { label: 'contact_type=client', path: `${list}?contact_type=client` },
    { label: `firm_id (its biggest firm)`, path: `${list}?firm_id=${firm}` },
    { label: 'contact_type + firm_id', path: `${list}?contact_type=client&firm_id=${firm}` },
    { label: 'remote_id', path: `${list}?remote_id=${encodeURIComponent(remote)}` },
    { label: 'updated_since (1%)', path: `${list}?updated_since=${sinceText}` },
    { label: 'q= an email (one)', path: `${list}?q=${encodeURIComponent(email ?? 'nobody@example.com')}` },
    { label: 'q= a city (many)', path: `${list}?q=paris` },
    { label: 'q= nothing matches', path: `${list}?q=qqqzzzxx` },
    { label: 'q= two characters', path: `${list}?q=ar` },
    { label: 'q= one character', path: `${list}?q=z` },
    { label: 'events, first page', path: `/${BF}/events.xml?after=0&limit=100` },
    { label: 'firms list', path: `/${BF}/firms.xml` },
    { label: 'PUT one field', method: 'PUT', path: `/${BF}/contacts/${one}.xml`, body: () => `<contact><job_title>Buyer ${++jobs}</job_title></contact>` },
  );
  return out;
}

/** Median milliseconds of RUNS requests after one warm-up; throws on an answer that is not 2xx. */
async function measure(base: string, p: Probe): Promise<number> {
  const once = async () => {
    const started = performance.now();
    const res = await fetch(base + p.path, { method: p.method ?? 'GET', headers: { Authorization: AUTH, 'Content-Type': 'application/xml' }, body: p.body?.() });
    await res.arrayBuffer();
    if (res.status >= 300) throw new Error(`${p.label}: ${p.method ?? 'GET'} ${p.path} answered ${res.status}`);
    return performance.now() - started;
  };
  await once();
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) times.push(await once());
  return times.sort((a, b) => a - b)[Math.floor(RUNS / 2)];
}

interface SizeResult {
  import: { seconds: number; peakRssMb: number; indexSeconds: number };
  ms: Map<string, number>;
}

async function runSize(engine: string, url: string, n: number, others: string): Promise<SizeResult> {
  cli(url, ['migrate']);
  cli(url, ['users', 'add', '--login', LOGIN, '--password', PASSWORD, '--business-file', String(BF)]);
  cli(url, ['users', 'add', '--login', 'other', '--password', PASSWORD, '--business-file', '2']);
  await timedImport(url, others, 2);
  const file = await generate(`contacts-${n}.xml`, n, FIRST_ID, 1);
  console.log(`${engine}, ${n.toLocaleString('en')} contacts: importing ${(statSync(file).size / 1e6).toFixed(0)} MB…`);
  const imported = { ...(await timedImport(url, file, BF)), indexSeconds: 0 };
  rmSync(file);
  console.log(`  ${imported.summary} (${imported.seconds.toFixed(0)} s, peak RSS ${imported.peakRssMb} MB)`);
  const db = knex(url.startsWith('sqlite') ? { client: 'better-sqlite3', connection: { filename: url.replace(/^sqlite:\/\//, '') }, useNullAsDefault: true } : { client: 'mysql2', connection: url });
  const service = await startService(url, 1);
  const ms = new Map<string, number>();
  try {
    const indexSeconds = await searchIndexBuilt(url);
    if (indexSeconds > 0) console.log(`  search index (MySQL postings) built by the service in ${indexSeconds.toFixed(0)} s`);
    imported.indexSeconds = indexSeconds;
    for (const p of await probes(db, n)) ms.set(p.label, await measure(service.url, p));
  } finally {
    await service.stop();
    await db.destroy();
  }
  return { import: imported, ms };
}

function startMariadb(): { url: string; stop: () => void } {
  const data = join(dir, 'mariadb');
  const url = execFileSync(MARIADB, ['start', data, process.env.BENCH_MARIADB_PORT ?? '3319'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    // A server for a million contacts keeps its working set in memory (the data is about 10 GB:
    // the contacts, their children and events about 5, the search postings about 5).
    env: { ...process.env, MARIADB_SERVER_OPTIONS: '--innodb-buffer-pool-size=12G --innodb-log-file-size=1G' },
  }).trim();
  return { url, stop: () => execFileSync(MARIADB, ['stop', data], { stdio: 'inherit' }) };
}

async function main(): Promise<void> {
  const others = await generate('others.xml', OTHERS, 1, 2);
  const results = new Map<string, SizeResult[]>();
  for (const engine of ENGINES) {
    let server: { url: string; stop: () => void } | undefined;
    const base = engine === 'mysql' ? (process.env.BENCH_MYSQL_URL ?? process.env.TEST_MYSQL_URL) : undefined;
    if (engine === 'mysql' && !base) server = startMariadb();
    try {
      const sizes: SizeResult[] = [];
      for (const n of [SMALL, BIG]) {
        const url = engine === 'sqlite' ? `sqlite://${join(dir, `scale-${n}.sqlite3`)}` : await freshMysql((base ?? server?.url) as string, `contacts_test_scale_${n}`);
        sizes.push(await runSize(engine, url, n, others));
        if (engine === 'sqlite') rmSync(url.replace(/^sqlite:\/\//, ''), { force: true });
      }
      results.set(engine, sizes);
    } finally {
      server?.stop();
    }
  }

  const fmt = (ms: number | undefined) => (ms === undefined ? '-' : ms < 10 ? ms.toFixed(1) : ms.toFixed(0));
  const header = ['request'];
  for (const engine of results.keys()) header.push(`${engine} ${SMALL.toLocaleString('en')}`, `${engine} ${BIG.toLocaleString('en')}`, 'growth');
  const rows: string[][] = [];
  const labels = [...(results.values().next().value?.[0].ms.keys() ?? [])];
  for (const label of labels) {
    const row = [label];
    for (const [small, big] of results.values()) {
      const a = small.ms.get(label);
      const b = big.ms.get(label);
      row.push(fmt(a), fmt(b), a && b ? `${(b / a).toFixed(1)}×` : '-');
    }
    rows.push(row);
  }
  const imports = ['import (s), peak RSS MB'];
  for (const [small, big] of results.values()) imports.push(`${small.import.seconds.toFixed(1)}, ${small.import.peakRssMb}`, `${big.import.seconds.toFixed(1)}, ${big.import.peakRssMb}`, '');
  rows.push(imports);
  const indexing = ['search index after the import (s)'];
  for (const [small, big] of results.values()) indexing.push(small.import.indexSeconds.toFixed(1), big.import.indexSeconds.toFixed(1), '');
  rows.push(indexing);
  console.log(`\nmilliseconds, single request, warm, median of ${RUNS}:`);
  console.log(`| ${header.join(' | ')} |\n|${header.map(() => '---').join('|')}|`);
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
  const sqlite = results.get('sqlite')?.[1].import.seconds;
  const mysql = results.get('mysql')?.[1].import.seconds;
  if (sqlite && mysql) console.log(`\nimport of ${BIG.toLocaleString('en')}: MariaDB ${mysql.toFixed(0)} s / SQLite ${sqlite.toFixed(0)} s = ${(mysql / sqlite).toFixed(2)}× (aim ≤ 1.5×)`);
  const indexed = results.get('mysql')?.[1].import.indexSeconds;
  if (sqlite && mysql && indexed) console.log(`with MariaDB's search index built after it: ${(mysql + indexed).toFixed(0)} s = ${((mysql + indexed) / sqlite).toFixed(2)}×`);
  rmSync(dir, { recursive: true, force: true });
}

main().catch((error) => {
  console.error(error);
  rmSync(dir, { recursive: true, force: true });
  process.exit(1);
});
