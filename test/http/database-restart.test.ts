// The database server itself stops and starts again (not a cut connection, see
// database-down.test.ts): a MariaDB of this spec's own is stopped under the service, every
// request answers 503 with Retry-After and an error body within one second, /health says 503,
// and once the same server is back on the same data the service serves again by itself, with
// everything written before still there (CONTRACT.md sections 6 and 9). Then the same server
// hangs (SIGSTOP) instead of stopping.
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { addUser } from '../../src/auth/users.js';
import { contactXml, field } from '../support/contacts.js';
import { engines } from '../support/engines.js';
import { expectJsonError, expectXmlError } from '../support/error-bodies.js';
import { basic, type Response } from '../support/http.js';
import { freePort } from '../support/process.js';
import { TestServer } from '../support/server.js';

const run = promisify(execFile);
const mysql = engines().find((e) => e.name === 'mysql');
const ONE_SECOND = 1_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Waits until every thread of `pid` is stopped. kill() returns once SIGSTOP is sent; a thread
 * busy on the other core stops a moment later, and on a loaded machine (the cluster step) a
 * query sent at once was once answered (200) before the server stood still.
 */
async function stoppedWhole(pid: number): Promise<void> {
  const state = (task: string) => readFileSync(`/proc/${pid}/task/${task}/stat`, 'utf8').replace(/^.*\) /s, '')[0];
  for (const started = performance.now(); performance.now() - started < 5_000; await sleep(20)) {
    const tasks = readdirSync(`/proc/${pid}/task`);
    if (tasks.every((task) => ['T', 't'].includes(state(task)))) return;
  }
  throw new Error(`mariadbd (pid ${pid}) not stopped 5 s after SIGSTOP`);
}

/** Runs a test/support script; resolves with its standard output. */
async function script(name: string, ...args: string[]): Promise<string> {
  const { stdout } = await run('bash', [join('test/support', name), ...args], { timeout: 90_000 });
  return stdout.trim();
}

// MariaDB must be installed (it is wherever a MySQL URL is configured, and always in CI).
(mysql ? describe : describe.skip)('when the database server stops and starts again (mariadb)', function () {
  this.timeout(120_000);
  let dir: string;
  let port: number;
  let server: TestServer | undefined;
  const bf = 4343;
  const auth = basic('restart-user', 'restart-pw');

  before(async () => {
    // A short path: the server's unix socket lives in it.
    dir = mkdtempSync(join(tmpdir(), 'mdb-restart-'));
    port = await freePort();
    const url = await script('mariadb.sh', 'start', dir, String(port));
    expect(url).to.match(/^mysql:\/\//);
    server = await TestServer.start({ name: 'mysql', url: () => url });
    await addUser(server.db, 'restart-user', 'restart-pw', bf);
  });
  after(async () => {
    await server?.stop();
    await script('mariadb.sh', 'stop', dir).catch(() => '');
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers 503 within a second while it is down, and recovers by itself with the data intact', async () => {
    const srv = server!;
    const as = (path: string, options: Parameters<TestServer['request']>[1] = {}) => srv.request(path, { auth, ...options });
    const created = await as(`/${bf}/contacts.xml`, { method: 'POST', body: contactXml('Durable', '<first_name>Before</first_name><remote_id>KEEP-1</remote_id>') });
    expect(created.status, created.text).to.equal(201);
    const path = created.headers.get('location') as string;
    const id = field(created.text, 'id');
    expect((await as(`/${bf}/contacts.xml`)).status).to.equal(200);
    expect((await srv.request('/health')).status).to.equal(200);

    await script('mariadb.sh', 'stop', dir);

    // Every kind of request, twice over (first on pooled connections the server closed, then on
    // new connections the dead port refuses): 503, Retry-After, an error body, within a second.
    const timings: string[] = [];
    const requests: [string, () => Promise<Response>, 'xml' | 'json'][] = [
      ['GET list', () => as(`/${bf}/contacts.xml`), 'xml'],
      ['GET contact', () => as(path), 'xml'],
      ['GET contact .json', () => as(path.replace(/\.xml$/, '.json')), 'json'],
      ['POST', () => as(`/${bf}/contacts.xml`, { method: 'POST', body: contactXml('Lost') }), 'xml'],
      ['PUT', () => as(path, { method: 'PUT', body: '<contact><first_name>Lost</first_name></contact>' }), 'xml'],
      ['DELETE', () => as(path, { method: 'DELETE' }), 'xml'],
      ['GET export', () => as(`/${bf}/contacts/export.xml`), 'xml'],
    ];
    for (let round = 1; round <= 2; round++) {
      for (const [what, send, format] of requests) {
        const started = performance.now();
        const res = await send();
        const ms = performance.now() - started;
        timings.push(`${what} ${res.status} ${ms.toFixed(0)} ms`);
        const answer = { status: res.status, contentType: res.headers.get('content-type'), text: res.text };
        if (format === 'json') expectJsonError(answer, 503);
        else expectXmlError(answer, 503);
        expect(res.headers.get('retry-after'), what).to.match(/^\d+$/);
        expect(ms, `${what} (round ${round}) took ${ms.toFixed(0)} ms`).to.be.below(ONE_SECOND);
      }
      const started = performance.now();
      const health = await srv.request('/health');
      const ms = performance.now() - started;
      timings.push(`/health ${health.status} ${ms.toFixed(0)} ms`);
      expect(health.status).to.equal(503);
      expect(ms, `/health took ${ms.toFixed(0)} ms`).to.be.below(ONE_SECOND + 100);
    }

    // The same server, same data, same port.
    const downAt = performance.now();
    await script('mariadb.sh', 'resume', dir, String(port));
    const upAt = performance.now();
    let status = 0;
    let polls = 0;
    while (status !== 200 && performance.now() - upAt < 15_000) {
      polls++;
      status = (await as(`/${bf}/contacts.xml`)).status;
      if (status !== 200) await sleep(200);
    }
    expect(status, 'not serving again 15 s after the database came back').to.equal(200);
    const recoveredMs = performance.now() - upAt;
    expect((await srv.request('/health')).status).to.equal(200);

    // What was written before is all there, and nothing of the refused writes.
    const shown = await as(path);
    expect(shown.status, shown.text).to.equal(200);
    expect(field(shown.text, 'id')).to.equal(id);
    expect(field(shown.text, 'last_name')).to.equal('Durable');
    expect(field(shown.text, 'first_name')).to.equal('Before');
    expect((await as(`/${bf}/contacts/KEEP-1.xml?lookup_field=remote_id`)).status).to.equal(200);
    expect(Number((await srv.db('contacts').where('business_file_id', bf).count({ n: '*' }).first())?.n)).to.equal(1);
    // And it takes writes again.
    expect((await as(`/${bf}/contacts.xml`, { method: 'POST', body: contactXml('After') })).status).to.equal(201);

    if (process.env.RESTART_TIMINGS) {
      process.stdout.write(`      down: ${timings.join(', ')}\n      restart took ${(upAt - downAt).toFixed(0)} ms; serving again ${recoveredMs.toFixed(0)} ms after it (${polls} polls)\n`);
    }
  });

  // A server that hangs (process stopped) rather than going away: every query has a deadline
  // (DB_QUERY_TIMEOUT_MS, src/db/connection.ts) after which its connection is dropped.
  it('answers 503 within a few seconds while the database server hangs, writes nothing it refused, and recovers when it resumes', async () => {
    const srv = server!;
    const as = (path: string, options: Parameters<TestServer['request']>[1] = {}) => srv.request(path, { auth, ...options });
    // Pooled connections exist (a few requests in parallel), then the server freezes.
    const warm = await Promise.all([as(`/${bf}/contacts.xml`), as(`/${bf}/contacts.xml`), as(`/${bf}/contacts.xml`)]);
    for (const res of warm) expect(res.status).to.equal(200);
    const countBefore = Number((await srv.db('contacts').where('business_file_id', bf).count({ n: '*' }).first())?.n);
    const pid = Number(readFileSync(join(dir, 'mariadbd.pid'), 'utf8').trim());
    process.kill(pid, 'SIGSTOP');
    await stoppedWhole(pid);
    const timings: string[] = [];
    try {
      const requests: [string, () => Promise<Response>][] = [
        ['GET list', () => as(`/${bf}/contacts.xml`)],
        ['POST', () => as(`/${bf}/contacts.xml`, { method: 'POST', body: contactXml('Frozen') })],
        ['GET list', () => as(`/${bf}/contacts.xml`)],
        ['/health', () => srv.request('/health')],
      ];
      for (let round = 1; round <= 2; round++) {
        for (const [what, send] of requests) {
          const started = performance.now();
          const res = await Promise.race([send(), sleep(10_000).then(() => undefined)]);
          const ms = performance.now() - started;
          timings.push(`${what} ${res?.status ?? 'no answer'} ${ms.toFixed(0)} ms`);
          expect(res, `${what} (round ${round}): no answer in 10 s`).not.to.equal(undefined);
          expect(res!.status, what).to.equal(503);
          expect(res!.headers.get('retry-after'), what).to.match(/^\d+$/);
          expect(ms, `${what} (round ${round}) took ${ms.toFixed(0)} ms`).to.be.below(2_500);
        }
      }
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    let status = 0;
    for (const started = performance.now(); status !== 200 && performance.now() - started < 15_000; ) {
      status = (await as(`/${bf}/contacts.xml`)).status;
      if (status !== 200) await sleep(200);
    }
    expect(status, 'not serving again 15 s after the database resumed').to.equal(200);
    await sleep(1_000); // a refused write that was still queued would land by now
    expect(Number((await srv.db('contacts').where('business_file_id', bf).count({ n: '*' }).first())?.n), 'a write answered 503 was stored').to.equal(countBefore);
    if (process.env.RESTART_TIMINGS) process.stdout.write(`      hung: ${timings.join(', ')}\n`);
  });
});
