// The soak benchmark (issue 4): a mixed read/write load on the built service for a minute at
// about 80 % of the capacity measured just before, reporting errors (must be 0) and the
// service's RSS at start and end (must be flat).
//   npm run bench:soak -- [--seconds 60] [--contacts 2000] [--load 0.8] [--engine sqlite|mysql]
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { generateContacts, renderContact } from '../fixtures/generate.js';
import { freshMysql, load, rssMb, seed, startService, type BenchRequest } from './support.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '60' },
    contacts: { type: 'string', default: '2000' },
    load: { type: 'string', default: '0.8' },
    engine: { type: 'string', default: 'sqlite' },
    connections: { type: 'string', default: '10' },
  },
});
const CONTACTS = Number(values.contacts);
const SECONDS = Number(values.seconds);

/** Per 20 requests: 14 GET one, 3 list pages, 2 PUT, 1 POST. */
function mix(): BenchRequest[] {
  const bodies = [...generateContacts(20, { seed: 5, addresses: 2, items: 3 })].map((c) => renderContact({ ...c, remote_id: null }, false));
  const requests: BenchRequest[] = [];
  for (let n = 0; n < 400; n++) {
    const id = 1 + ((n * 7919) % CONTACTS);
    const slot = n % 20;
    if (slot < 14) requests.push({ method: 'GET', path: `/1/contacts/${id}.xml` });
    else if (slot < 17) requests.push({ method: 'GET', path: `/1/contacts.xml?page=${1 + (n % Math.max(1, Math.floor(CONTACTS / 30)))}` });
    else if (slot < 19) requests.push({ method: 'PUT', path: `/1/contacts/${id}.xml`, body: `<contact><job_title>Soak ${n}</job_title></contact>` });
    else requests.push({ method: 'POST', path: '/1/contacts.xml', body: bodies[n % bodies.length] });
  }
  return requests;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'contacts-soak-'));
  const mysqlUrl = process.env.BENCH_MYSQL_URL ?? process.env.TEST_MYSQL_URL;
  if (values.engine === 'mysql' && !mysqlUrl) throw new Error('--engine mysql needs BENCH_MYSQL_URL or TEST_MYSQL_URL');
  const url = values.engine === 'mysql' ? await freshMysql(mysqlUrl as string, 'contacts_test_bench_soak') : `sqlite://${join(dir, 'soak.sqlite3')}`;
  process.stderr.write(`seeding ${CONTACTS} contacts…\n`);
  await seed(url, dir, CONTACTS);
  const service = await startService(url, 1);
  const pid = service.process.pid as number;
  const requests = mix();
  const connections = Number(values.connections);
  try {
    const capacity = await load(service.url, requests, { connections, seconds: 10 });
    const rate = Math.round(capacity.rps * Number(values.load));
    const rssStart = rssMb(pid);
    process.stderr.write(`capacity ${Math.round(capacity.rps)} req/s; soaking at ${rate} req/s for ${SECONDS} s…\n`);
    const samples: number[] = [rssStart];
    const sampler = setInterval(() => samples.push(rssMb(pid)), 5_000);
    const soak = await load(service.url, requests, { connections, seconds: SECONDS, rate });
    clearInterval(sampler);
    const rssEnd = rssMb(pid);
    console.log(
      [
        `engine ${values.engine}, ${CONTACTS} contacts, mix per 20 requests: 14 GET one, 3 GET list of 30, 2 PUT, 1 POST; ${connections} connections`,
        `capacity (10 s, unthrottled): ${Math.round(capacity.rps)} req/s, errors ${capacity.errors}`,
        `soak: ${SECONDS} s at ${rate} req/s (${values.load} of capacity): ${soak.requests} requests, ${Math.round(soak.rps)} req/s, p50 ${soak.p50} ms, p99 ${soak.p99} ms`,
        `errors: ${soak.errors}`,
        `service RSS: start ${rssStart} MB, end ${rssEnd} MB, max ${Math.max(...samples, rssEnd)} MB (samples every 5 s: ${[...samples, rssEnd].join(' ')})`,
      ].join('\n'),
    );
    if (soak.errors > 0) process.exitCode = 1;
  } finally {
    await service.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
