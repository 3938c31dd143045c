// At start the service waits for a MySQL/MariaDB server that does not answer yet (started
// alongside it), or that closes new connections at once (HAProxy with no node up, or a node
// leaving HAProxy's pool mid-start), for up to DATABASE_WAIT_MS, and then gives up clearly.
import { expect } from 'chai';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { engines } from '../support/engines.js';
import { request } from '../support/http.js';
import { freePort, runCli, serve } from '../support/process.js';
import { TestServer } from '../support/server.js';
import { TcpProxy } from '../support/tcp-proxy.js';

const mysql = engines().find((e) => e.name === 'mysql');

(mysql ? describe : describe.skip)('the start waits for the database (mysql)', () => {
  const proxies: TcpProxy[] = [];
  afterEach(async () => {
    await Promise.all(proxies.splice(0).map((p) => p.cut()));
  });
  /** A proxy to the test server on a port of its own, listening only when `listening`. */
  const proxied = async (listening: boolean) => {
    const target = new URL(mysql!.url());
    const proxy = new TcpProxy(target.hostname, Number(target.port));
    proxies.push(proxy);
    proxy.port = await freePort();
    if (listening) await proxy.open();
    target.port = String(proxy.port);
    return { proxy, url: target.toString() };
  };
  const cwd = () => mkdtempSync(join(tmpdir(), 'contacts-wait-'));

  it('starts once new connections stop being closed at once (as HAProxy closes them with no node up)', async () => {
    const { proxy, url } = await proxied(true);
    proxy.dropNext(3);
    const logs: string[] = [];
    const server = await TestServer.start({ name: 'mysql', url: () => url }, logs);
    try {
      expect(logs.filter((l) => l.includes('The database is not available (PROTOCOL_CONNECTION_LOST); trying again'))).to.have.length.of.at.least(1);
      const tenant = await server.tenant();
      expect((await server.as(tenant)(`/${tenant.bf}/contacts.xml`)).status).to.equal(200);
    } finally {
      await server.stop();
    }
  });

  it('`contacts serve` waits for a server that answers only later, serves, and exits 0 on SIGTERM', async () => {
    const { proxy, url } = await proxied(false);
    const port = await freePort();
    const starting = serve({ PORT: String(port), DATABASE_URL: url, ADMIN_PASSWORD: 'wait-admin-pw' }, cwd());
    await sleep(1_500);
    await proxy.open();
    const served = await starting;
    try {
      expect(served.output()).to.match(/The database is not available \(ECONNREFUSED\); trying again in [\d.]+ s\./);
      expect((await request(`http://127.0.0.1:${port}`, '/health')).status).to.equal(200);
    } finally {
      served.child.kill('SIGTERM');
      expect(await served.exited).to.equal(0);
    }
  });

  it('gives up after DATABASE_WAIT_MS: exits 1 naming the error code, never the URL or its password', async () => {
    const { url } = await proxied(false); // nothing ever listens there
    const run = await runCli(['serve'], { PORT: String(await freePort()), DATABASE_URL: url, DATABASE_WAIT_MS: '1000' }, cwd());
    expect(run.code).to.equal(1);
    expect(run.stderr).to.match(/\ncontacts: Error \(ECONNREFUSED\)\n$/); // after knex's own warnings
    expect(run.stdout).to.match(/not available \(ECONNREFUSED\); trying again/);
    expect(run.stdout + run.stderr).not.to.contain(new URL(url).password);
  });
});
