// Profiles the service under one endpoint's load: seeds a database, runs the built service with
// `node --cpu-prof`, loads it with autocannon, then prints the functions with the most self
// time (grouped by function and file) from the profile V8 wrote.
//   npm run bench:profile -- [--endpoint "GET one"] [--contacts 10000] [--seconds 10] [--engine sqlite|mysql]
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { freePort, freshMysql, load, seed, type BenchRequest } from './support.js';

const { values } = parseArgs({
  options: {
    endpoint: { type: 'string', default: 'GET one' },
    contacts: { type: 'string', default: '10000' },
    seconds: { type: 'string', default: '10' },
    engine: { type: 'string', default: 'sqlite' },
    top: { type: 'string', default: '25' },
  },
});

const ENDPOINTS: Record<string, BenchRequest[]> = {
  'GET one': Array.from({ length: 200 }, (_, i) => ({ method: 'GET', path: `/1/contacts/${1 + i * 50}.xml` })),
  'GET list of 30': Array.from({ length: 100 }, (_, i) => ({ method: 'GET', path: `/1/contacts.xml?page=${i + 1}` })),
  PUT: Array.from({ length: 1000 }, (_, i) => ({ method: 'PUT', path: `/1/contacts/${1 + (i % 200) * 50}.xml`, body: `<contact><job_title>Profile ${i}</job_title></contact>` })),
};

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount: number;
}

async function main(): Promise<void> {
  const requests = ENDPOINTS[values.endpoint as string];
  if (!requests) throw new Error(`--endpoint: one of ${Object.keys(ENDPOINTS).join(', ')}`);
  const dir = mkdtempSync(join(tmpdir(), 'contacts-profile-'));
  const mysqlUrl = process.env.BENCH_MYSQL_URL ?? process.env.TEST_MYSQL_URL;
  const url = values.engine === 'mysql' ? await freshMysql(mysqlUrl as string, 'contacts_test_bench_profile') : `sqlite://${join(dir, 'profile.sqlite3')}`;
  await seed(url, dir, Number(values.contacts));

  const port = await freePort();
  const child = spawn(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${dir}`, resolve('dist/src/cli/main.js'), 'serve'], {
    env: { ...process.env, DATABASE_URL: url, PORT: String(port), LOG_REQUESTS: '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((res) => child.stdout.on('data', (d) => String(d).includes('listening on') && res()));
  const result = await load(`http://127.0.0.1:${port}`, requests, { connections: 10, seconds: Number(values.seconds) });
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));

  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile')) as string;
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { nodes: Node[] };
  const total = profile.nodes.reduce((sum, n) => sum + n.hitCount, 0);
  const byFunction = new Map<string, number>();
  for (const n of profile.nodes) {
    const where = n.callFrame.url.replace(/^file:\/\//, '').replace(resolve('.') + '/', '');
    const key = `${n.callFrame.functionName || '(anonymous)'}  ${where}${where ? `:${n.callFrame.lineNumber + 1}` : ''}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + n.hitCount);
  }
  console.log(`${values.endpoint} on ${values.engine}: ${Math.round(result.rps)} req/s, p50 ${result.p50} ms, p99 ${result.p99} ms; profile ${join(dir, file)}\n`);
  console.log('self %  function  location');
  for (const [key, hits] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, Number(values.top))) {
    console.log(`${((100 * hits) / total).toFixed(1).padStart(6)}  ${key}`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
