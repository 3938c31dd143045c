// SIGTERM under load (CONTRACT.md section 9): `contacts serve` stops accepting connections,
// finishes every request in flight with its normal answer, closes the pool and exits 0.
//
// "In flight" is made certain before the signal: the slow POSTs have had their
// `100 Continue` (the server has read their headers), and the thirty ordinary requests have all
// been accepted (the listening socket's accept queue, read from /proc/net/tcp on Linux, is
// empty). A connection still waiting in that queue when the listener closes is reset by the
// kernel: that is a refused new connection, not a request in flight.
import { expect } from 'chai';
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { writeImportFile } from '../../fixtures/generate.js';
import { connect } from '../../src/db/connection.js';
import { contactXml, parseXml } from '../support/contacts.js';
import { basic } from '../support/http.js';
import { freePort, runCli, serve } from '../support/process.js';
import { RawClient, requestHead, type RawAnswer } from '../support/raw-client.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const IMPORTED = 2_000;

/** What a connection attempt to 127.0.0.1:port ends in: 'connected' or the error code. */
function tryConnect(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = netConnect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });
}

/** Connections waiting to be accepted on the listening socket 127.0.0.1:port (Linux), if known. */
function acceptQueue(port: number): number | undefined {
  let table: string;
  try {
    table = readFileSync('/proc/net/tcp', 'utf8');
  } catch {
    return undefined;
  }
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  for (const line of table.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    // sl local rem st tx_queue:rx_queue …; for a listening socket (st 0A) rx_queue is the accept queue.
    if (f[1] === local && f[3] === '0A') return parseInt(f[4].split(':')[1], 16);
  }
  return undefined;
}

describe('SIGTERM under load (the built CLI)', () => {
  it('finishes every request in flight with its normal status, refuses new connections, keeps every created contact, exits 0', async function () {
    this.timeout(90_000);
    const cwd = mkdtempSync(join(tmpdir(), 'contacts-sigterm-load-'));
    const databaseUrl = `sqlite://${join(cwd, 'load.sqlite3')}`;
    const env = { DATABASE_URL: databaseUrl };
    const added = await runCli(['users', 'add', '--login', 'loader', '--password', 'loader-pw', '--business-file', '7'], env, cwd);
    expect(added.code, added.stderr).to.equal(0);
    // Enough contacts that exporting them, or listing 500, takes real time.
    const file = join(cwd, 'load.xml');
    const out = createWriteStream(file);
    await writeImportFile(out, { contacts: IMPORTED, seed: 5 });
    out.end();
    await finished(out);
    const imported = await runCli(['import', file, '--business-file', '7'], env, cwd);
    expect(imported.code, imported.stdout + imported.stderr).to.equal(0);

    const auth = basic('loader', 'loader-pw');
    const port = await freePort();
    const served = await serve({ ...env, PORT: String(port), ADMIN_PASSWORD: 'unused', LOG_REQUESTS: '0' }, cwd);
    let signalled = false;
    const clients: RawClient[] = [];
    try {
      // Slow POSTs: headers now (the server says 100 Continue), half the body, the rest after the signal.
      const slowBodies = Array.from({ length: 5 }, (_, i) => contactXml(`Slow-${i}`));
      const slow = await Promise.all(slowBodies.map(() => RawClient.open(port)));
      clients.push(...slow);
      for (const [i, client] of slow.entries()) {
        const length = Buffer.byteLength(slowBodies[i]);
        await client.write(requestHead('POST', '/7/contacts.xml', { Authorization: auth, 'Content-Type': 'application/xml', 'Content-Length': length, Expect: '100-continue', Connection: 'close' }));
        expect(await client.waitForText(/^HTTP\/1\.1 100 Continue\r\n\r\n/, 5_000), `slow POST ${i}: no 100 Continue: ${client.text()}`).to.equal(true);
        await client.write(slowBodies[i].slice(0, 20));
      }

      // Thirty ordinary requests at once, each on a connection of its own: exports, big list pages, creates.
      interface Flight {
        what: string;
        expected: number;
        client: RawClient;
        answer?: RawAnswer;
        at?: number;
      }
      const flights: Flight[] = [];
      const send = async (what: string, expected: number, method: string, path: string, body?: string) => {
        const client = await RawClient.open(port);
        clients.push(client);
        const headers = { Authorization: auth, Connection: 'close', ...(body !== undefined && { 'Content-Type': 'application/xml', 'Content-Length': Buffer.byteLength(body) }) };
        await client.write(requestHead(method, path, headers) + (body ?? ''));
        flights.push({ what, expected, client });
      };
      const sending: Promise<void>[] = [];
      for (let i = 0; i < 10; i++) {
        sending.push(send(`GET export ${i}`, 200, 'GET', '/7/contacts/export.xml'));
        sending.push(send(`GET list ${i}`, 200, 'GET', `/7/contacts.xml?per_page=500&page=${1 + (i % 4)}`));
        sending.push(send(`POST Fast-${i}`, 201, 'POST', '/7/contacts.xml', contactXml(`Fast-${i}`)));
      }
      await Promise.all(sending);
      // Every one of them accepted by the server before the signal.
      for (let waited = 0; (acceptQueue(port) ?? 0) > 0 && waited < 10_000; waited += 10) await sleep(10);
      expect(acceptQueue(port) ?? 0, 'connections still waiting to be accepted').to.equal(0);
      if (acceptQueue(port) === undefined) await sleep(300); // no /proc: give the server time to accept

      const signalAt = performance.now();
      served.child.kill('SIGTERM');
      signalled = true;
      const answeredBefore = flights.filter((f) => f.client.answer()).length;

      // Once the service has taken the signal, new connections are refused while the requests in flight finish.
      for (let waited = 0; !served.output().includes('SIGTERM received') && waited < 10_000; waited += 10) await sleep(10);
      expect(served.output()).to.contain('SIGTERM received');
      expect(await tryConnect(port)).to.equal('ECONNREFUSED');

      // The slow bodies finish after the signal.
      await Promise.all(slow.map((client, i) => client.write(slowBodies[i].slice(20))));
      const slowAnswers = await Promise.all(slow.map((client) => client.waitForAnswer(20_000)));
      await Promise.all(
        flights.map(async (f) => {
          f.answer = await f.client.waitForAnswer(30_000);
          f.at = performance.now();
        }),
      );

      for (const [i, answer] of slowAnswers.entries()) {
        expect(answer?.status, `slow POST ${i}: "${slow[i].text().slice(0, 300)}" (${slow[i].error ?? 'no socket error'})`).to.equal(201);
        expect(answer?.headers.location).to.match(/^\/7\/contacts\/\d+\.xml$/);
      }
      for (const f of flights) {
        expect(f.answer?.status, `${f.what}: "${f.client.text().slice(0, 300)}" (${f.client.error ?? 'no socket error'})`).to.equal(f.expected);
      }
      // Whole answers, not cut off: every export holds all the imported contacts.
      for (const f of flights.filter((f) => f.what.startsWith('GET export'))) {
        expect(parseXml(f.answer!.body).contacts.contact.length, f.what).to.be.at.least(IMPORTED);
      }
      // The load really was in flight at the signal.
      expect(answeredBefore, 'every ordinary request was answered before SIGTERM').to.be.below(flights.length);

      const code = await served.exited;
      const exitMs = performance.now() - signalAt;
      expect(code, served.output()).to.equal(0);
      if (process.env.SIGTERM_TIMINGS) {
        const lastAnswer = Math.max(...flights.map((f) => f.at!)) - signalAt;
        process.stdout.write(
          `      ${flights.length - answeredBefore} of ${flights.length} ordinary requests and ${slow.length} slow POSTs answered after SIGTERM ` +
            `(the last ${lastAnswer.toFixed(0)} ms after it); exit ${code} ${exitMs.toFixed(0)} ms after it\n`,
        );
      }
    } finally {
      clients.forEach((c) => c.destroy());
      if (!signalled) served.child.kill('SIGTERM');
      await served.exited;
    }

    // Every created contact is stored.
    const db = connect(databaseUrl, () => {});
    try {
      const names = (await db('contacts')
        .where('business_file_id', 7)
        .where((q) => q.whereLike('last_name', 'Fast-%').orWhereLike('last_name', 'Slow-%'))
        .pluck('last_name')) as string[];
      expect(names.sort()).to.deep.equal([...Array.from({ length: 10 }, (_, i) => `Fast-${i}`), ...Array.from({ length: 5 }, (_, i) => `Slow-${i}`)].sort());
      expect(Number((await db('contacts').where('business_file_id', 7).count({ n: '*' }).first())?.n)).to.equal(IMPORTED + 15);
    } finally {
      await db.destroy();
    }
    rmSync(cwd, { recursive: true, force: true });
  });
});
