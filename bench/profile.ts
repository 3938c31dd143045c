// Profiles the service under one endpoint's load as `npm run bench` loads it: seeds a database,
// runs the built service with WORKERS processes (2 by default) under `node --cpu-prof` (the
// workers inherit it), loads it with wrk, then prints the functions with the most self time
// (grouped by function and file) over the workers' profiles, as a share of their busy time.
//   npm run bench:profile -- [--endpoint "GET one"] [--contacts 10000] [--seconds 10] [--engine sqlite|mysql]
//                            [--workers 2] [--threads 2] [--connections 32] [--top 25]
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { freePort, freshMysql, searchIndexBuilt, seed, startService, type BenchRequest } from './support.js';
import { requireWrk, wrkLoad } from './wrk.js';

const { values } = parseArgs({
  options: {
    endpoint: { type: 'string', default: 'GET one' },
    contacts: { type: 'string', default: '10000' },
    seconds: { type: 'string', default: '10' },
    engine: { type: 'string', default: 'sqlite' },
    workers: { type: 'string', default: '2' },
    threads: { type: 'string', default: '2' },
    connections: { type: 'string', default: '32' },
    top: { type: 'string', default: '25' },
  },
});

const CONTACTS = Number(values.contacts);
const spread = (n: number) => Array.from({ length: n }, (_, i) => 1 + Math.floor((i * CONTACTS) / n));
const ENDPOINTS: Record<string, BenchRequest[]> = {
  'GET one': spread(200).map((id) => ({ method: 'GET', path: `/1/contacts/${id}.xml` })),
  'GET list of 30': Array.from({ length: Math.max(1, Math.min(100, Math.floor(CONTACTS / 30))) }, (_, i) => ({ method: 'GET', path: `/1/contacts.xml?page=${i + 1}` })),
  PUT: Array.from({ length: 1000 }, (_, i) => ({ method: 'PUT', path: `/1/contacts/${spread(200)[i % 200]}.xml`, body: `<contact><job_title>Profile ${i}</job_title></contact>` })),
};

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount: number;
}

async function main(): Promise<void> {
  requireWrk();
  const requests = ENDPOINTS[values.endpoint as string];
  if (!requests) throw new Error(`--endpoint: one of ${Object.keys(ENDPOINTS).join(', ')}`);
  const dir = mkdtempSync(join(tmpdir(), 'contacts-profile-'));
  const mysqlUrl = process.env.BENCH_MYSQL_URL ?? process.env.TEST_MYSQL_URL;
  if (values.engine === 'mysql' && !mysqlUrl) throw new Error('--engine mysql: set BENCH_MYSQL_URL or TEST_MYSQL_URL');
  const url = values.engine === 'mysql' ? await freshMysql(mysqlUrl as string, 'contacts_test_bench_profile') : `sqlite://${join(dir, 'profile.sqlite3')}`;
  await seed(url, dir, CONTACTS);
  // On MySQL the search postings are built by a running service: by one not profiled, so that
  // the profile holds the requests only (the profiled service's indexer then finds nothing).
  if (values.engine === 'mysql') {
    const indexer = await startService(url, 1);
    await searchIndexBuilt(url);
    await indexer.stop();
  }

  const port = await freePort();
  const child = spawn(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${dir}`, resolve('dist/src/cli/main.js'), 'serve'], {
    env: { ...process.env, DATABASE_URL: url, PORT: String(port), WORKERS: String(values.workers), LOG_REQUESTS: '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((res) => child.stdout.on('data', (d) => String(d).includes('listening on') && res()));
  const options = { threads: Number(values.threads), connections: Number(values.connections) };
  await wrkLoad(`http://127.0.0.1:${port}`, requests, { ...options, seconds: 2 });
  const result = await wrkLoad(`http://127.0.0.1:${port}`, requests, { ...options, seconds: Number(values.seconds) });
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));

  // One profile per process (CPU.<date>.<time>.<pid>.…); the primary only forwards connections.
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile') && (Number(values.workers) <= 1 || f.split('.')[3] !== String(child.pid)));
  const byFunction = new Map<string, number>();
  let busy = 0;
  for (const file of files) {
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { nodes: Node[] };
    for (const n of profile.nodes) {
      if (n.callFrame.functionName === '(idle)') continue;
      busy += n.hitCount;
      const where = n.callFrame.url.replace(/^file:\/\//, '').replace(resolve('.') + '/', '');
      const key = `${n.callFrame.functionName || '(anonymous)'}  ${where}${where ? `:${n.callFrame.lineNumber + 1}` : ''}`;
      byFunction.set(key, (byFunction.get(key) ?? 0) + n.hitCount);
    }
  }
  console.log(
    `${values.endpoint} on ${values.engine}, ${values.workers} workers, wrk ${options.threads} threads ${options.connections} connections: ${Math.round(result.rps)} req/s, p50 ${result.p50} ms, p99 ${result.p99} ms, errors ${result.errors}; profiles in ${dir} (${files.length} workers)\n`,
  );
  console.log('self % of busy time  function  location');
  for (const [key, hits] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, Number(values.top))) {
    console.log(`${((100 * hits) / busy).toFixed(1).padStart(6)}  ${key}`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
