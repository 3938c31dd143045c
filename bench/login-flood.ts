// Password guessing (issue 13): how long a legitimate user's first login (its password not yet
// in the verified-credentials cache) waits while wrong passwords flood the service.
// Two floods, each for a few seconds: one client address sending wrong passwords for one login
// on many connections, and the same from a new address on every request (X-Forwarded-For,
// trusted from 127.0.0.1), which no per-address throttle can stop. During each flood, fresh users
// log in one after the other from addresses of their own; the attacked user logs in too. The
// service and the flood each run in a process of their own, apart from the timed logins.
//   npx tsx bench/login-flood.ts [--connections 128] [--seconds 6]
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { addUser } from '../src/auth/users.js';
import { connect } from '../src/db/connection.js';
import { migrateLatest } from '../src/db/migrate.js';
import { freePort } from './support.js';

const { values } = parseArgs({
  options: {
    connections: { type: 'string', default: '128' },
    seconds: { type: 'string', default: '6' },
    flood: { type: 'string' },
    auth: { type: 'string' },
    spread: { type: 'boolean', default: false },
  },
});
const CONNECTIONS = Number(values.connections);
const SECONDS = Number(values.seconds);
const USERS = 40;
const basic = (login: string, password: string) => 'Basic ' + Buffer.from(`${login}:${password}`).toString('base64');

async function prepare(url: string): Promise<void> {
  const db = connect(url, () => {});
  try {
    await migrateLatest(db);
    await addUser(db, 'victim', 'victim-password', 1);
    for (let i = 0; i < USERS; i++) await addUser(db, `fresh-${i}`, `fresh-password-${i}`, 100 + i);
  } finally {
    await db.destroy();
  }
}

async function startService(databaseUrl: string): Promise<{ url: string; stop: () => Promise<void> }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve'], {
    env: { ...process.env, DATABASE_URL: databaseUrl, PORT: String(port), LOG_REQUESTS: '0', ADMIN_PASSWORD: 'bench-admin', TRUST_PROXY: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`service exited with ${code}: ${out}`)));
  });
  return { url, stop: () => (child.kill('SIGTERM'), exited) };
}

interface Login {
  ms: number;
  status: number;
}

async function timedLogin(url: string, auth: string, address: string): Promise<Login> {
  const started = performance.now();
  const res = await fetch(`${url}/lookups`, { headers: { authorization: auth, 'x-forwarded-for': address } });
  await res.arrayBuffer();
  return { ms: performance.now() - started, status: res.status };
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

function summary(logins: Login[]): string {
  const ms = logins.map((l) => l.ms).sort((a, b) => a - b);
  const statuses: Record<number, number> = {};
  for (const l of logins) statuses[l.status] = (statuses[l.status] ?? 0) + 1;
  return `n=${ms.length} p50=${pct(ms, 50).toFixed(0)} ms max=${ms[ms.length - 1].toFixed(0)} ms statuses=${JSON.stringify(statuses)}`;
}

let userSeq = 0;

interface FloodResult {
  requests: { average: number };
  latency: { p50: number; p99: number };
  statusCodeStats?: Record<string, { count: number }>;
  errors: number;
  timeouts: number;
}

/**
 * The flood runs in a process of its own (this file with --flood), so that its event loop is
 * not the one that times the logins.
 */
function floodProcess(url: string, attack: string, spread: boolean): Promise<FloodResult> {
  const args = ['--import', 'tsx', 'bench/login-flood.ts', '--flood', url, '--auth', attack, '--connections', String(CONNECTIONS), '--seconds', String(SECONDS)];
  const child = spawn(process.execPath, spread ? [...args, '--spread'] : args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d));
  return new Promise((resolve, reject) => child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`flood exited with ${code}`)))));
}

/** In the flood process: wrong passwords from one address, or from a new one on every request. */
async function runFlood(url: string, auth: string, spread: boolean): Promise<void> {
  let n = 0;
  const address = () => (spread ? `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n++ & 255}` : '203.0.113.7');
  const result = await autocannon({
    url: `${url}/lookups`,
    connections: CONNECTIONS,
    duration: SECONDS,
    requests: [{ setupRequest: (req) => ({ ...req, headers: { authorization: auth, 'x-forwarded-for': address() } }) }],
  });
  process.stdout.write(JSON.stringify(result));
}

async function flood(url: string, name: string, spread: boolean): Promise<void> {
  const attack = basic('victim', 'wrong-guess');
  const quiet = await timedLogin(url, basic(`fresh-${userSeq}`, `fresh-password-${userSeq++}`), '198.51.100.250');
  const instance = floodProcess(url, attack, spread);
  const firstLogins: Login[] = [];
  const victim: Login[] = [];
  const measuring = (async () => {
    await new Promise((r) => setTimeout(r, 1_500));
    const until = Date.now() + (SECONDS - 2) * 1_000;
    while (Date.now() < until && userSeq < USERS) {
      const i = userSeq++;
      firstLogins.push(await timedLogin(url, basic(`fresh-${i}`, `fresh-password-${i}`), `198.51.100.${i}`));
      victim.push(await timedLogin(url, basic('victim', 'victim-password'), `192.0.2.${i}`));
      await new Promise((r) => setTimeout(r, 200));
    }
  })();
  const [result] = await Promise.all([instance, measuring]);
  const codes = Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, s]) => [code, s.count]));
  console.log(`\n${name}: ${CONNECTIONS} connections, ${SECONDS} s`);
  console.log(`  attack: ${result.requests.average.toFixed(0)} answers/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, statuses ${JSON.stringify(codes)}, errors ${result.errors}, timeouts ${result.timeouts}`);
  console.log(`  first login without flood: ${quiet.ms.toFixed(0)} ms (${quiet.status})`);
  console.log(`  first logins during flood: ${summary(firstLogins)}`);
  console.log(`  attacked user, right password, other address: ${summary(victim)}`);
}

if (values.flood) {
  await runFlood(values.flood, values.auth ?? '', values.spread ?? false);
} else {
  const dir = mkdtempSync(join(tmpdir(), 'contacts-bench-flood-'));
  const databaseUrl = `sqlite://${join(dir, 'flood.sqlite3')}`;
  await prepare(databaseUrl);
  const service = await startService(databaseUrl);
  try {
    await flood(service.url, 'one attacking address', false);
    // Wait for the answers still owed to the first flood before starting the second.
    await new Promise((r) => setTimeout(r, 4_000));
    await flood(service.url, 'a new attacking address on every request', true);
  } finally {
    await service.stop();
  }
}
