// A COMMIT the database does not confirm in time (the query deadline hit during COMMIT, as while
// Galera evicts a dead node) has an unknown outcome: the answer is a 503 that says so, never a
// plain "not stored", and a retry with the same Idempotency-Key is safe whichever way it went.
// A proxy between the service and MariaDB holds back the COMMIT of the request's transaction.
import { expect } from 'chai';
import { connect as tcpConnect, createServer, type Server, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { COMMIT_OUTCOME_UNKNOWN_MESSAGE } from '../../src/http/errors.js';
import { contactXml, errorsOf } from '../support/contacts.js';
import { engines } from '../support/engines.js';
import { TestServer, type Tenant } from '../support/server.js';

const mysql = engines().find((e) => e.name === 'mysql');
const QUERY_DEADLINE_MS = 1_000;

/** Forwards MySQL traffic; when armed, holds the COMMIT of the next connection that wrote an idempotency key. */
class CommitHoldingProxy {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  port = 0;
  /** 'late': the COMMIT reaches the server after the deadline; 'lost': it never does. */
  armed: 'late' | 'lost' | undefined;
  held = 0;

  constructor(
    private readonly host: string,
    private readonly targetPort: number,
  ) {}

  async open(): Promise<void> {
    this.server = createServer((client) => {
      const upstream = tcpConnect(this.targetPort, this.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {});
      }
      let wroteKey = false;
      let lingering = false;
      client.on('data', (chunk: Buffer) => {
        if (chunk.includes('idempotency_keys')) wroteKey = true;
        const mode = this.armed;
        if (mode && wroteKey && chunk.includes('COMMIT')) {
          this.armed = undefined;
          this.held++;
          lingering = true;
          // Past the service's deadline: it has given up on this connection by then.
          if (mode === 'late') setTimeout(() => upstream.write(chunk), QUERY_DEADLINE_MS + 500);
          return;
        }
        upstream.write(chunk);
      });
      upstream.on('data', (chunk: Buffer) => client.destroyed || client.write(chunk));
      upstream.on('close', () => client.destroy());
      // The service drops the connection at its deadline; the server side stays open long
      // enough for a late COMMIT to arrive and run.
      client.on('close', () => setTimeout(() => upstream.end(), lingering ? QUERY_DEADLINE_MS + 1_500 : 0));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

(mysql ? describe : describe.skip)('a COMMIT whose outcome is unknown (mysql)', () => {
  let proxy: CommitHoldingProxy;
  let server: TestServer;
  before(async () => {
    const target = new URL(mysql!.url());
    proxy = new CommitHoldingProxy(target.hostname, Number(target.port));
    await proxy.open();
    target.port = String(proxy.port);
    const saved = process.env.DB_QUERY_TIMEOUT_MS;
    process.env.DB_QUERY_TIMEOUT_MS = String(QUERY_DEADLINE_MS); // read when the pool is made
    try {
      server = await TestServer.start({ name: 'mysql', url: () => target.toString() });
    } finally {
      if (saved === undefined) delete process.env.DB_QUERY_TIMEOUT_MS;
      else process.env.DB_QUERY_TIMEOUT_MS = saved;
    }
  });
  after(async () => {
    await server.stop();
    await proxy.close();
  });

  const post = (t: Tenant, name: string, key: string) => server.as(t)(`/${t.bf}/contacts.xml`, { method: 'POST', body: contactXml(name), headers: { 'Idempotency-Key': key } });
  const stored = async (t: Tenant, name: string) => Number((await server.db('contacts').where({ business_file_id: t.bf, last_name: name }).count({ n: '*' }).first())?.n);

  for (const mode of ['late', 'lost'] as const) {
    it(`answers 503 "outcome unknown", and a retry with the same key then stores it exactly once (COMMIT ${mode === 'late' ? 'ran late' : 'never arrived'})`, async () => {
      const t = await server.tenant();
      const name = `Unconfirmed-${mode}`;
      proxy.armed = mode;
      const first = await post(t, name, `k-${mode}`);
      expect(proxy.held, 'the COMMIT was held').to.equal(1);
      proxy.held = 0;
      expect(first.status).to.equal(503);
      expect(first.headers.get('retry-after')).to.match(/^\d+$/);
      expect(errorsOf(first.text)).to.deep.equal([COMMIT_OUTCOME_UNKNOWN_MESSAGE]);
      await sleep(QUERY_DEADLINE_MS + 1_000); // the late COMMIT has run by now
      expect(await stored(t, name)).to.equal(mode === 'late' ? 1 : 0);

      const retry = await post(t, name, `k-${mode}`);
      expect(retry.status).to.equal(201);
      expect(await stored(t, name), 'stored exactly once').to.equal(1);
      const again = await post(t, name, `k-${mode}`);
      expect(again.headers.get('location')).to.equal(retry.headers.get('location'));
    });
  }
});
