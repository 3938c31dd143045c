// What change events and webhooks cost (issue 10), on a seeded database and the built service:
// - PUT and POST without a webhook and with one registered (its receiver, a separate process,
//   answering 200 at once), on the same service, in one run: req/s and the ratio (aim ≥ 0.9);
// - bursts: PUTs as fast as the service takes them (2,000 by default), and an import of 10,000
//   new contacts (10,000 events committed at once): how long after the burst ends its last event
//   is delivered, and whether the receiver saw every event once and in order (aim: within 60 s).
// Run alone (npm run bench:events -- [--contacts 2000] [--seconds 5] [--burst 2000] [--import-burst 10000]
// [--engines sqlite,mysql]) or from bench/http.ts (npm run bench), which reports it too.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import autocannon from 'autocannon';
import { connect } from '../src/db/connection.js';
import { AUTH, freePort, freshMysql, load, seed, startService, type BenchRequest, type LoadResult } from './support.js';

/** A receiver process: answers 200 at once, counts events and checks their order; prints on request. */
const RECEIVER = `
const http = require('node:http');
let count = 0, last = 0, outOfOrder = 0, repeated = 0;
http.createServer((req, res) => {
  const id = Number(req.headers['webhook-id']);
  if (id < last) outOfOrder++; else if (id === last) repeated++;
  last = Math.max(last, id); count++;
  req.resume(); req.on('end', () => res.end());
}).listen(Number(process.argv[1]), '127.0.0.1', () => console.log('ready'));
process.stdin.on('data', () => console.log(JSON.stringify({ count, last, outOfOrder, repeated })));
`;

interface ReceiverStats {
  count: number;
  last: number;
  outOfOrder: number;
  repeated: number;
}

class ReceiverProcess {
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {}

  static async start(): Promise<ReceiverProcess> {
    const port = await freePort();
    const child = spawn(process.execPath, ['-e', RECEIVER, String(port)], { stdio: ['pipe', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
    return new ReceiverProcess(child, `http://127.0.0.1:${port}/hook`);
  }

  stats(): Promise<ReceiverStats> {
    return new Promise((resolve) => {
      this.child.stdout!.once('data', (d: Buffer) => resolve(JSON.parse(String(d)) as ReceiverStats));
      this.child.stdin!.write('\n');
    });
  }

  stop(): void {
    this.child.kill('SIGKILL');
  }
}

export interface WebhookCost {
  engine: string;
  rows: { endpoint: string; without: Measured[]; with: Measured[] }[];
  bursts: { kind: string; writes: number; seconds: number; lagSeconds: number; delivered: number; outOfOrder: number; repeated: number }[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function register(base: string, url: string): Promise<number> {
  const res = await fetch(`${base}/1/webhooks.json`, { method: 'POST', headers: { Authorization: AUTH, 'Content-Type': 'application/json' }, body: JSON.stringify({ webhook: { url } }) });
  if (res.status !== 201) throw new Error(`registering the webhook: ${res.status} ${await res.text()}`);
  return (JSON.parse(await res.text()) as { webhook: { id: number } }).webhook.id;
}

async function unregister(base: string, id: number): Promise<void> {
  const res = await fetch(`${base}/1/webhooks/${id}.xml`, { method: 'DELETE', headers: { Authorization: AUTH } });
  if (res.status !== 200) throw new Error(`removing the webhook: ${res.status}`);
}

const ROUNDS = 2;

interface Measured extends LoadResult {
  /** The service's CPU time per request (µs), its deliveries included: unlike req/s, not moved much by other load. */
  cpuMicros: number;
}

/** User + system CPU time of a process so far, in µs (Linux: /proc/PID/stat, clock ticks of 10 ms). */
function cpuMicrosOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

/** The last position given, and the least a webhook has delivered through. */
async function progress(databaseUrl: string): Promise<{ last: number; delivered: number }> {
  const db = connect(databaseUrl, () => {});
  try {
    const seq = await db('event_sequence').first('last_position');
    const hooks = await db('webhooks').min({ d: 'delivered_through' }).first();
    const pending = await db('events').whereNull('position').first('id');
    return { last: pending ? Infinity : Number(seq?.last_position ?? 0), delivered: Number(hooks?.d ?? 0) };
  } finally {
    await db.destroy();
  }
}

async function waitDelivered(databaseUrl: string, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const { last, delivered } = await progress(databaseUrl);
    if (delivered >= last) return true;
    if (Date.now() > until) return false;
    await sleep(100);
  }
}

/** PUT and POST without and with a webhook on one service; then the burst. */
export async function webhookCost(
  engine: string,
  databaseUrl: string,
  work: Record<string, BenchRequest[]>,
  options: { seconds: number; connections: number; burst: number; importBurst: number },
): Promise<WebhookCost> {
  const service = await startService(databaseUrl, 1, { WEBHOOKS_ALLOW_PRIVATE: '1' });
  const receiver = await ReceiverProcess.start();
  const cost: WebhookCost = { engine, rows: [], bursts: [] };
  const pid = service.process.pid!;
  /** Load after a warm-up; the CPU time of the service counted until its deliveries are done too. */
  const measure = async (requests: BenchRequest[], hooked: boolean): Promise<Measured> => {
    await load(service.url, requests, { seconds: 2, connections: options.connections });
    if (hooked && !(await waitDelivered(databaseUrl, 120_000))) throw new Error('deliveries did not finish within 2 minutes');
    const cpu = cpuMicrosOf(pid);
    const result = await load(service.url, requests, { seconds: options.seconds, connections: options.connections });
    if (hooked && !(await waitDelivered(databaseUrl, 120_000))) throw new Error('deliveries did not finish within 2 minutes');
    return { ...result, cpuMicros: (cpuMicrosOf(pid) - cpu) / Math.max(1, result.requests) };
  };
  try {
    const endpoints = (['PUT', 'POST'] as const).filter((e) => work[e]);
    const rows = new Map(endpoints.map((endpoint) => [endpoint, { endpoint, without: [] as Measured[], with: [] as Measured[] }]));
    // Two rounds, without then with, so that a drift of the machine's load shows as a spread.
    for (let round = 1; round <= ROUNDS; round++) {
      for (const endpoint of endpoints) {
        process.stderr.write(`${engine}: ${endpoint} without a webhook (round ${round})\n`);
        rows.get(endpoint)!.without.push(await measure(work[endpoint], false));
      }
      const hook = await register(service.url, receiver.url);
      for (const endpoint of endpoints) {
        process.stderr.write(`${engine}: ${endpoint} with a webhook (round ${round})\n`);
        rows.get(endpoint)!.with.push(await measure(work[endpoint], true));
      }
      if (round < ROUNDS || options.burst + options.importBurst === 0) await unregister(service.url, hook);
    }
    cost.rows = [...rows.values()];

    /** Writes sent by `send`, then the wait until every delivery is done; the burst's figures. */
    const burst = async (kind: string, writes: number, deliveredWithinMs: number, send: () => Promise<void>) => {
      const before = await receiver.stats();
      const started = Date.now();
      await send();
      const ended = Date.now();
      const done = await waitDelivered(databaseUrl, deliveredWithinMs);
      const finished = Date.now();
      await sleep(200);
      const after = await receiver.stats();
      cost.bursts.push({
        kind,
        writes,
        seconds: (ended - started) / 1000,
        lagSeconds: done ? (finished - ended) / 1000 : Infinity,
        delivered: after.count - before.count,
        outOfOrder: after.outOfOrder,
        repeated: after.repeated,
      });
    };

    if (options.burst > 0) {
      process.stderr.write(`${engine}: burst of ${options.burst} writes\n`);
      let next = 0;
      const requests = work.PUT ?? work.POST;
      await burst('PUTs', options.burst, 120_000, async () => {
        await autocannon({
          url: service.url,
          connections: options.connections,
          amount: options.burst,
          requests: [
            {
              setupRequest: (req) => {
                const r = requests[next++ % requests.length];
                return {
                  ...req,
                  method: r.method as 'PUT',
                  path: r.path,
                  body: `<contact><job_title>Burst ${next}</job_title></contact>`,
                  headers: { Authorization: AUTH, 'Content-Type': 'application/xml' },
                };
              },
            },
          ],
        });
      });
    }

    if (options.importBurst > 0) {
      // Changes committed all at once: an import of new contacts is one transaction with an event
      // each, so the deliveries start from a backlog of all of them.
      process.stderr.write(`${engine}: import of ${options.importBurst} contacts\n`);
      const body = `<contacts>${Array.from({ length: options.importBurst }, (_, i) => `<contact><last_name>Burst ${i}</last_name><job_title>Buyer</job_title></contact>`).join('')}</contacts>`;
      await burst('contacts imported', options.importBurst, 180_000, async () => {
        const res = await fetch(`${service.url}/1/contacts/import.xml`, { method: 'POST', headers: { Authorization: AUTH, 'Content-Type': 'application/xml' }, body });
        if (res.status !== 200) throw new Error(`import burst: ${res.status} ${(await res.text()).slice(0, 300)}`);
      });
    }
  } finally {
    receiver.stop();
    await service.stop();
  }
  return cost;
}

export function webhookCostTable(costs: WebhookCost[]): string {
  const mean = (results: Measured[], key: 'rps' | 'cpuMicros') => results.reduce((sum, r) => sum + r[key], 0) / results.length;
  const lines = [
    '| engine | endpoint | req/s without webhook (rounds) | req/s with one webhook (rounds) | ratio (aim ≥ 0.9) | CPU µs per write without / with (deliveries included) | CPU ratio (without / with) | p99 ms without / with |',
    '|---|---|---|---|---|---|---|---|',
  ];
  const rps = (results: Measured[]) => results.map((r) => Math.round(r.rps).toLocaleString('en')).join(', ');
  for (const { engine, rows } of costs) {
    for (const r of rows) {
      lines.push(
        `| ${engine} | ${r.endpoint} | ${rps(r.without)} | ${rps(r.with)} | ${(mean(r.with, 'rps') / mean(r.without, 'rps')).toFixed(2)} | ${mean(r.without, 'cpuMicros').toFixed(0)} / ${mean(r.with, 'cpuMicros').toFixed(0)} | ${(mean(r.without, 'cpuMicros') / mean(r.with, 'cpuMicros')).toFixed(2)} | ${Math.max(...r.without.map((x) => x.p99))} / ${Math.max(...r.with.map((x) => x.p99))} |`,
      );
    }
  }
  if (costs.some((c) => c.bursts.length > 0)) {
    lines.push('', '| engine | burst | burst took | all delivered after the burst ended (aim ≤ 60 s) | deliveries | out of order | repeated |', '|---|---|---|---|---|---|---|');
    for (const { engine, bursts } of costs) {
      for (const b of bursts) {
        lines.push(
          `| ${engine} | ${b.writes.toLocaleString('en')} ${b.kind} | ${b.seconds.toFixed(1)} s | ${b.lagSeconds.toFixed(1)} s | ${b.delivered.toLocaleString('en')} | ${b.outOfOrder} | ${b.repeated} |`,
        );
      }
    }
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      contacts: { type: 'string', default: '2000' },
      seconds: { type: 'string', default: '5' },
      connections: { type: 'string', default: '10' },
      burst: { type: 'string', default: '2000' },
      'import-burst': { type: 'string', default: '10000' },
      engines: { type: 'string', default: 'sqlite,mysql' },
    },
  });
  const dir = mkdtempSync(join(tmpdir(), 'contacts-bench-events-'));
  const contacts = Number(values.contacts);
  const options = { seconds: Number(values.seconds), connections: Number(values.connections), burst: Number(values.burst), importBurst: Number(values['import-burst']) };
  const ids = Array.from({ length: 200 }, (_, i) => 1 + Math.floor((i * contacts) / 200));
  const work: Record<string, BenchRequest[]> = {
    PUT: Array.from({ length: 1000 }, (_, i) => ({ method: 'PUT', path: `/1/contacts/${ids[i % ids.length]}.xml`, body: `<contact><job_title>Bench ${i}</job_title></contact>` })),
    POST: Array.from({ length: 50 }, (_, i) => ({ method: 'POST', path: '/1/contacts.xml', body: `<contact><last_name>Bench ${i}</last_name><job_title>Buyer</job_title></contact>` })),
  };
  const costs: WebhookCost[] = [];
  const engines = String(values.engines).split(',');
  if (engines.includes('sqlite')) {
    const url = `sqlite://${join(dir, 'events.sqlite3')}`;
    process.stderr.write(`sqlite: seeding ${contacts} contacts…\n`);
    await seed(url, dir, contacts);
    costs.push(await webhookCost('sqlite', url, work, options));
  }
  const mysqlUrl = process.env.BENCH_MYSQL_URL ?? process.env.TEST_MYSQL_URL;
  if (engines.includes('mysql') && mysqlUrl) {
    const url = await freshMysql(mysqlUrl, 'contacts_test_bench_events');
    process.stderr.write(`mysql: seeding ${contacts} contacts…\n`);
    await seed(url, dir, contacts);
    costs.push(await webhookCost('mysql', url, work, options));
  }
  console.log(`\n${contacts} contacts; autocannon, ${options.connections} connections, ${options.seconds} s per endpoint after a 2 s warm-up; node ${process.version}\n`);
  console.log(webhookCostTable(costs));
  console.log(`\nnpm run bench:events${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
