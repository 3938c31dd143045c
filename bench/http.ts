// The HTTP benchmark (issues 5 and 9): seeds a database by importing generated contacts (2
// addresses and 3 items each), starts the built service with WORKERS processes, and loads five
// endpoints with wrk (bench/wrk.ts). In the same run it loads a bare node:http server that
// replays the service's very own answers (bench/ceiling.ts, as many processes) with the same wrk
// threads and connections, right after the service on the same endpoint: each endpoint's
// throughput is reported as a ratio to it. The ceiling is loaded a second time with twice the
// threads and connections: when that gives it no more throughput, the ceiling server
// saturates, not the load generator (the proof is printed). On
// MySQL the ceiling is loaded a third time answering after one SELECT per request: the bound
// that one round trip to the database sets.
// SQLite always; MariaDB/MySQL too when BENCH_MYSQL_URL or TEST_MYSQL_URL is set.
// It also measures what metrics cost (issue 12): GET one against two idle one-process services,
// one with metrics on (METRICS_TOKEN set) and one without, loaded in turn twice (req/s, and the
// service's CPU time per request, which other load on a shared machine moves much less); and
// what webhooks cost (bench/events.ts). `--skip-costs` leaves both out.
//   npm run bench -- [--contacts 10000] [--seconds 10] [--threads 2] [--connections 32] [--workers 2]
//                    [--engines sqlite,mysql] [--endpoints "GET one,PUT"] (only these workloads) [--skip-costs]
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { generateContacts, renderContact } from '../fixtures/generate.js';
import { connect } from '../src/db/connection.js';
import { freshMysql, record, searchIndexBuilt, seed, startCeiling, startService, type BenchRequest, type Child, type LoadResult } from './support.js';
import { webhookCost, webhookCostTable, type WebhookCost } from './events.js';
import { requireWrk, wrkLoad, type WrkOptions } from './wrk.js';

const { values } = parseArgs({
  options: {
    contacts: { type: 'string', default: '10000' },
    seconds: { type: 'string', default: '10' },
    threads: { type: 'string', default: '2' },
    connections: { type: 'string', default: '32' },
    workers: { type: 'string', default: '2' },
    engines: { type: 'string', default: 'sqlite,mysql' },
    endpoints: { type: 'string' },
    'skip-costs': { type: 'boolean', default: false },
    burst: { type: 'string', default: '1000' },
    'import-burst': { type: 'string', default: '10000' },
  },
});
const CONTACTS = Number(values.contacts);
const WORKERS = Number(values.workers);
const LOAD: WrkOptions = { seconds: Number(values.seconds), threads: Number(values.threads), connections: Number(values.connections) };
/** The saturation check: the same ceiling loaded with twice the load generator. */
const MORE: WrkOptions = { ...LOAD, threads: LOAD.threads * 2, connections: LOAD.connections * 2 };
/** More load-generator capacity giving the ceiling less than this gain shows it saturated. */
const SATURATED_GAIN = 1.05;
const dir = mkdtempSync(join(tmpdir(), 'contacts-bench-http-'));

/** The targets issue 9 sets, as ratios to the ceiling (WORKERS=2 for both, 10,000 contacts). */
const TARGETS: Record<string, Record<string, number>> = {
  sqlite: { 'GET one': 0.5, 'GET list of 30': 0.3 },
  mysql: { 'GET one': 0.25, 'GET list of 30': 0.15 },
};

/** The five workloads, each a list of requests taken in turn. */
async function workloads(databaseUrl: string): Promise<Record<string, BenchRequest[]>> {
  const db = connect(databaseUrl, () => {});
  const names = await db('contacts').distinct('last_name').orderBy('last_name').limit(10).pluck('last_name');
  const cities = await db('contact_addresses').distinct('city').whereNotNull('city').orderBy('city').limit(10).pluck('city');
  await db.destroy();

  const spread = (n: number) => Array.from({ length: n }, (_, i) => 1 + Math.floor((i * CONTACTS) / n));
  const ids = spread(200);
  const pages = Math.max(1, Math.min(100, Math.floor(CONTACTS / 30)));
  // New contacts like the seeded ones, without ids or remote_ids (those would be taken).
  const bodies = [...generateContacts(50, { seed: 99, addresses: 2, items: 3 })].map((c) => renderContact({ ...c, remote_id: null }, false));
  return {
    'GET one': ids.map((id) => ({ method: 'GET', path: `/1/contacts/${id}.xml` })),
    'GET list of 30': Array.from({ length: pages }, (_, i) => ({ method: 'GET', path: `/1/contacts.xml?page=${i + 1}` })),
    'GET list, q': [...names, ...cities].map((term) => ({ method: 'GET', path: `/1/contacts.xml?q=${encodeURIComponent(String(term).toLowerCase())}` })),
    // Every PUT changes the job title, so every one writes.
    PUT: Array.from({ length: ids.length * 5 }, (_, i) => ({ method: 'PUT', path: `/1/contacts/${ids[i % ids.length]}.xml`, body: `<contact><job_title>Bench ${i}</job_title></contact>` })),
    POST: bodies.map((body) => ({ method: 'POST', path: '/1/contacts.xml', body })),
  };
}

interface Row {
  engine: string;
  endpoint: string;
  result: LoadResult;
  ceiling?: LoadResult;
  /** The ceiling under twice the threads and connections. */
  ceilingMore?: LoadResult;
  /** MySQL: the ceiling answering after one SELECT per request (bench/ceiling.ts). */
  ceilingOneQuery?: LoadResult;
}

async function measure(base: string, requests: BenchRequest[], options = LOAD): Promise<LoadResult> {
  await wrkLoad(base, requests, { ...options, seconds: 2 });
  return wrkLoad(base, requests, options);
}

interface Measured extends LoadResult {
  /** The service's CPU time per request (µs): unlike req/s, not moved by other load on the machine. */
  cpuMicros: number;
}

interface MetricsCost {
  engine: string;
  off: Measured[];
  on: Measured[];
}

/** User + system CPU time of a process so far, in µs (Linux: /proc/PID/stat, clock ticks of 10 ms). */
function cpuMicrosOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

async function measureCpu(child: Child, requests: BenchRequest[]): Promise<Measured> {
  await wrkLoad(child.url, requests, { ...LOAD, seconds: 2 });
  const before = cpuMicrosOf(child.process.pid!);
  const result = await wrkLoad(child.url, requests, LOAD);
  return { ...result, cpuMicros: (cpuMicrosOf(child.process.pid!) - before) / Math.max(1, result.requests) };
}

/** GET one on a service without metrics and one with them (both started, idle but for the load), in turn. */
async function metricsCost(engine: string, databaseUrl: string, requests: BenchRequest[]): Promise<MetricsCost> {
  const off = await startService(databaseUrl, 1);
  const on = await startService(databaseUrl, 1, { METRICS_TOKEN: 'bench-metrics-token' });
  const cost: MetricsCost = { engine, off: [], on: [] };
  try {
    for (let round = 1; round <= 2; round++) {
      process.stderr.write(`${engine}: GET one without and with metrics (round ${round})\n`);
      // The second round loads them in the other order, so that neither always goes first.
      if (round === 1) cost.off.push(await measureCpu(off, requests));
      cost.on.push(await measureCpu(on, requests));
      if (round === 2) cost.off.push(await measureCpu(off, requests));
    }
  } finally {
    await off.stop();
    await on.stop();
  }
  return cost;
}

function costTable(costs: MetricsCost[]): string {
  const mean = (results: Measured[], key: 'rps' | 'cpuMicros') => results.reduce((sum, r) => sum + r[key], 0) / results.length;
  const lines = [
    '| engine | req/s without / with metrics | ratio (aim ≥ 0.95) | CPU µs per request without / with | CPU ratio (without / with) | p99 ms without / with |',
    '|---|---|---|---|---|---|',
  ];
  for (const { engine, off, on } of costs) {
    const each = off.map((o, i) => `${Math.round(o.rps).toLocaleString('en')} / ${Math.round(on[i].rps).toLocaleString('en')}`).join(', ');
    lines.push(
      `| ${engine} | ${each} | ${(mean(on, 'rps') / mean(off, 'rps')).toFixed(3)} | ${mean(off, 'cpuMicros').toFixed(0)} / ${mean(on, 'cpuMicros').toFixed(0)} | ${(mean(off, 'cpuMicros') / mean(on, 'cpuMicros')).toFixed(3)} | ${Math.max(...off.map((r) => r.p99))} / ${Math.max(...on.map((r) => r.p99))} |`,
    );
  }
  return lines.join('\n');
}

const costs: MetricsCost[] = [];
const webhookCosts: WebhookCost[] = [];

async function benchEngine(engine: string, databaseUrl: string, rows: Row[]): Promise<void> {
  process.stderr.write(`${engine}: importing ${CONTACTS} contacts…\n`);
  await seed(databaseUrl, dir, CONTACTS);
  const all = await workloads(databaseUrl);
  const only = values.endpoints?.split(',');
  const work = Object.fromEntries(Object.entries(all).filter(([name]) => !only || only.includes(name)));

  const service = await startService(databaseUrl, WORKERS);
  await searchIndexBuilt(databaseUrl);
  const recording = join(dir, `${engine}-answers.json`);
  const engineRows: Row[] = [];
  let ceiling: Child | undefined;
  try {
    writeFileSync(recording, JSON.stringify(await record(service.url, Object.values(work).flat())));
    // Both stay up (the one not loaded is idle), and each endpoint's ceiling is loaded right
    // after the service: when a shared machine drifts, both figures of a ratio drift alike.
    ceiling = await startCeiling(recording, WORKERS);
    for (const [endpoint, requests] of Object.entries(work)) {
      process.stderr.write(`${engine}: ${endpoint}, then the ceiling, then the ceiling with twice the load generator\n`);
      const result = await measure(service.url, requests);
      engineRows.push({ engine, endpoint, result, ceiling: await measure(ceiling.url, requests), ceilingMore: await measure(ceiling.url, requests, MORE) });
    }
  } finally {
    await ceiling?.stop();
    await service.stop();
  }
  if (engine === 'mysql') {
    const queried = await startCeiling(recording, WORKERS, databaseUrl);
    try {
      for (const row of engineRows.filter((r) => TARGETS.mysql[r.endpoint] !== undefined)) {
        process.stderr.write(`${engine}: ceiling ${row.endpoint} answering after one SELECT\n`);
        row.ceilingOneQuery = await measure(queried.url, work[row.endpoint]);
      }
    } finally {
      await queried.stop();
    }
  }
  rows.push(...engineRows);
  if (values['skip-costs']) return;
  costs.push(await metricsCost(engine, databaseUrl, all['GET one']));
  // Issue 10: PUT and POST with one webhook beside the same without; delivery of bursts.
  webhookCosts.push(await webhookCost(engine, databaseUrl, all, { seconds: LOAD.seconds, connections: 10, burst: Number(values.burst), importBurst: Number(values['import-burst']) }));
}

const rate = (r: LoadResult | undefined) => (r ? Math.round(r.rps).toLocaleString('en') : '-');

function table(rows: Row[]): string {
  const lines = ['| engine | endpoint | req/s | p50 ms | p99 ms | errors | ceiling req/s | ratio | target |', '|---|---|---|---|---|---|---|---|---|'];
  for (const { engine, endpoint, result, ceiling } of rows) {
    const ratio = ceiling ? result.rps / ceiling.rps : NaN;
    const target = TARGETS[engine]?.[endpoint];
    const verdict = target === undefined ? '' : `≥ ${target}: ${ratio >= target ? 'met' : 'NOT met'}`;
    lines.push(`| ${engine} | ${endpoint} | ${rate(result)} | ${result.p50} | ${result.p99} | ${result.errors} | ${rate(ceiling)} | ${ratio.toFixed(2)} | ${verdict} |`);
  }
  return lines.join('\n');
}

/** The ceiling under the normal and the doubled load generator, and what that says. */
function saturation(rows: Row[]): string {
  const lines = [
    `| engine | endpoint | ceiling req/s, ${LOAD.threads} threads ${LOAD.connections} connections | ceiling req/s, ${MORE.threads} threads ${MORE.connections} connections | gain | ceiling errors |`,
    '|---|---|---|---|---|---|',
  ];
  const unsaturated: string[] = [];
  for (const { engine, endpoint, ceiling, ceilingMore } of rows) {
    if (!ceiling || !ceilingMore) continue;
    const gain = ceilingMore.rps / ceiling.rps;
    if (gain >= SATURATED_GAIN) unsaturated.push(`${engine} ${endpoint}`);
    lines.push(`| ${engine} | ${endpoint} | ${rate(ceiling)} | ${rate(ceilingMore)} | ${gain.toFixed(2)}× | ${ceiling.errors + ceilingMore.errors} |`);
  }
  lines.push(
    '',
    unsaturated.length === 0
      ? `Conclusion: twice the load generator gives the ceiling no more throughput (every gain below ${SATURATED_GAIN}×): the ceiling server saturates, not wrk.`
      : `Conclusion: twice the load generator gave the ceiling more throughput (gain ≥ ${SATURATED_GAIN}×) for ${unsaturated.join(', ')}: wrk may be what limits there; those ratios are not against the real ceiling.`,
  );
  return lines.join('\n');
}

/** What one database round trip per request leaves of the ceiling, against the targets. */
function oneQueryTable(rows: Row[]): string {
  const lines = ['| engine | endpoint | ceiling req/s | ceiling after one SELECT, req/s | its ratio | target | service ratio |', '|---|---|---|---|---|---|---|'];
  const beyond: string[] = [];
  for (const { engine, endpoint, result, ceiling, ceilingOneQuery } of rows) {
    if (!ceiling || !ceilingOneQuery) continue;
    const ratio = ceilingOneQuery.rps / ceiling.rps;
    const target = TARGETS[engine][endpoint];
    if (ratio < target) beyond.push(`${engine} ${endpoint}`);
    lines.push(`| ${engine} | ${endpoint} | ${rate(ceiling)} | ${rate(ceilingOneQuery)} | ${ratio.toFixed(2)} | ${target} | ${(result.rps / ceiling.rps).toFixed(2)} |`);
  }
  lines.push(
    '',
    beyond.length === 0
      ? 'Conclusion: one SELECT per request leaves room for every target.'
      : `Conclusion: for ${beyond.join(', ')} the bare server that only asks the database once per request stays below the target: no server that reads its database on every request reaches it on this machine.`,
  );
  return lines.join('\n');
}

async function main(): Promise<void> {
  const engines = String(values.engines).split(',');
  const rows: Row[] = [];
  if (engines.includes('sqlite')) await benchEngine('sqlite', `sqlite://${join(dir, 'bench.sqlite3')}`, rows);
  const mysqlUrl = process.env.BENCH_MYSQL_URL ?? process.env.TEST_MYSQL_URL;
  if (engines.includes('mysql')) {
    if (mysqlUrl) await benchEngine('mysql', await freshMysql(mysqlUrl, 'contacts_test_bench_http'), rows);
    else process.stderr.write('mysql: skipped (set BENCH_MYSQL_URL or TEST_MYSQL_URL)\n');
  }
  const args = process.argv.slice(2).join(' ');
  console.log(
    `\n${CONTACTS} contacts imported (2 addresses, 3 items each); service and ceiling with ${WORKERS} worker processes each; wrk ${LOAD.threads} threads, ${LOAD.connections} connections, ${LOAD.seconds} s per endpoint after a 2 s warm-up; node ${process.version}\n`,
  );
  console.log(table(rows));
  if (rows.some((r) => r.ceilingOneQuery)) console.log(`\nThe ceiling when each answer first asks the database once (a primary-key SELECT, plain mysql2 pool):\n\n${oneQueryTable(rows)}`);
  console.log(`\nIs the ceiling saturated? The same ceiling with twice the wrk threads and connections:\n\n${saturation(rows)}`);
  if (costs.length > 0) console.log(`\nMetrics cost on GET one (1 worker, wrk as above):\n\n${costTable(costs)}`);
  if (webhookCosts.length > 0) console.log(`\nChange events and webhooks (1 worker, autocannon 10 connections):\n\n${webhookCostTable(webhookCosts)}`);
  console.log(`\nnpm run bench${args ? ` -- ${args}` : ''}`);
}

try {
  requireWrk();
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
// The seeded database and the recordings go with the run.
const removeDir = () => rmSync(dir, { recursive: true, force: true });
main().then(removeDir, (error) => {
  console.error(error);
  removeDir();
  process.exit(1);
});
