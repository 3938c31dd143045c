// The delivery worker as it runs for real: the built `contacts` command, killed with -9 while
// deliveries are pending, started again; WORKERS=2 delivering each event once; and the
// `webhooks` subcommand.
import { expect } from 'chai';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '../../src/db/connection.js';
import { contactXml, parseXml } from '../support/contacts.js';
import { forEachEngine } from '../support/engines.js';
import { request } from '../support/http.js';
import { freePort, runCli, serve, type Served } from '../support/process.js';
import { Receiver } from './receiver.js';

const FAST = { WEBHOOKS_ALLOW_PRIVATE: '1', WEBHOOKS_RETRY_BASE_MS: '100', WEBHOOKS_RETRY_MAX_MS: '300', WEBHOOKS_LEASE_MS: '1000', EVENTS_POLL_MS: '50', LOG_REQUESTS: '0' };

describe('webhooks: the service process', () => {
  forEachEngine((engine) => {
    let cwd: string;
    let env: Record<string, string>;
    let auth: string;
    let bf: number;
    const running: Served[] = [];
    const receivers: Receiver[] = [];

    beforeEach(async () => {
      cwd = mkdtempSync(join(tmpdir(), 'contacts-webhooks-'));
      env = { DATABASE_URL: engine.name === 'sqlite' ? 'sqlite:db.sqlite3' : engine.url(), ...FAST };
      // A business file of its own (the MySQL test database is shared), and a token: Basic
      // logins would queue behind the bounded password checks.
      bf = 7_000 + Math.floor(Math.random() * 100_000);
      const login = `hooks-${process.pid}-${Date.now()}`;
      expect((await runCli(['users', 'add', '--login', login, '--password', 'pw-hooks', '--business-file', String(bf)], env, cwd)).code).to.equal(0);
      auth = `Bearer ${(await runCli(['tokens', 'add', '--login', login], env, cwd)).stdout.trim()}`;
    });
    afterEach(async () => {
      for (const s of running.splice(0)) {
        s.child.kill('SIGKILL');
        await s.exited.catch(() => {});
      }
      await Promise.all(receivers.splice(0).map((r) => r.stop()));
    });

    const start = async (extra: Record<string, string> = {}) => {
      const port = await freePort();
      const served = await serve({ ...env, PORT: String(port), ...extra }, cwd);
      running.push(served);
      return { base: `http://127.0.0.1:${port}`, served };
    };
    const writeMany = async (base: string, n: number, writers = 4) => {
      await Promise.all(
        Array.from({ length: writers }, async (_, w) => {
          for (let i = w; i < n; i += writers) {
            const res = await request(base, `/${bf}/contacts.xml`, { method: 'POST', auth, body: contactXml(`Hook${i}`) });
            expect(res.status, res.text).to.equal(201);
          }
        }),
      );
    };
    const feedIds = async (base: string) => JSON.parse((await request(base, `/${bf}/events.json?limit=1000`, { auth })).text).events.map((e: { id: number }) => e.id) as number[];

    it('delivers everything after a kill -9 with deliveries pending, once started again', async function () {
      this.timeout(60_000);
      const port = await freePort(); // the receiver is down for now
      const first = await start();
      const url = `http://127.0.0.1:${port}/hook`;
      const reg = await request(first.base, `/${bf}/webhooks.xml`, { method: 'POST', auth, body: `<webhook><url>${url}</url></webhook>` });
      expect(reg.status, reg.text).to.equal(201);
      await writeMany(first.base, 20);
      const ids = await feedIds(first.base);
      expect(ids).to.have.length(20);
      await new Promise((r) => setTimeout(r, 300)); // attempts fail meanwhile
      first.served.child.kill('SIGKILL');
      await first.served.exited.catch(() => {});

      const r = await new Receiver().start(port);
      receivers.push(r);
      const second = await start();
      await r.waitFor(() => r.received.length >= 20, 20_000);
      await new Promise((res) => setTimeout(res, 300));
      expect(r.eventIds()).to.deep.equal(ids);
      const log = parseXml((await request(second.base, `/${bf}/webhooks/${parseXml(reg.text).webhook.id}/deliveries.xml`, { auth })).text).deliveries;
      expect(JSON.stringify(log)).to.contain('connection refused');
    });

    it('with WORKERS=2, delivers each event once and in order', async function () {
      this.timeout(60_000);
      const r = await new Receiver().start();
      receivers.push(r);
      const { base, served } = await start({ WORKERS: '2' });
      expect(served.output()).to.contain('with 2 workers');
      expect((await request(base, `/${bf}/webhooks.xml`, { method: 'POST', auth, body: `<webhook><url>${r.url}</url></webhook>` })).status).to.equal(201);
      await writeMany(base, 100);
      const ids = await feedIds(base);
      expect(ids).to.have.length(100);
      await r.waitFor(() => r.received.length >= 100, 20_000);
      await new Promise((res) => setTimeout(res, 500));
      expect(r.eventIds()).to.deep.equal(ids);
    });

    it('contacts webhooks add, list, deliveries and remove; a private address refused without WEBHOOKS_ALLOW_PRIVATE', async () => {
      const strict = { ...env, WEBHOOKS_ALLOW_PRIVATE: '' };
      const refused = await runCli(['webhooks', 'add', '--business-file', String(bf), '--url', 'http://127.0.0.1:9/x'], strict, cwd);
      expect(refused.code).to.equal(1);
      expect(refused.stderr).to.contain('loopback, private or link-local');
      const added = await runCli(['webhooks', 'add', '--business-file', String(bf), '--url', 'http://127.0.0.1:9/x'], env, cwd);
      expect(added.code, added.stderr).to.equal(0);
      const id = /Added webhook (\d+)/.exec(added.stdout)![1];
      expect(added.stdout).to.match(/^Secret: whsec_[A-Za-z0-9+/=]+$/m);
      const listed = await runCli(['webhooks', 'list', '--business-file', String(bf)], env, cwd);
      expect(listed.stdout).to.contain(`${id}\thttp://127.0.0.1:9/x`);
      expect(listed.stdout).not.to.contain('whsec_');
      expect((await runCli(['webhooks', 'deliveries', '--business-file', String(bf), '--id', id], env, cwd)).code).to.equal(0);
      expect((await runCli(['webhooks', 'remove', '--business-file', String(bf), '--id', id], env, cwd)).stdout).to.contain(`Removed webhook ${id}.`);
      expect((await runCli(['webhooks', 'remove', '--business-file', String(bf), '--id', id], env, cwd)).code).to.equal(1);
      expect((await runCli(['webhooks', 'remove', '--business-file', String(bf)], env, cwd)).code).to.equal(2);
    });

    it('records the events of a CLI import with no user', async () => {
      const file = join(cwd, 'import.xml');
      (await import('node:fs')).writeFileSync(file, `<contacts>${contactXml('Cli1')}${contactXml('Cli2')}</contacts>`);
      const run = await runCli(['import', file, '--business-file', String(bf)], env, cwd);
      expect(run.code, run.stderr).to.equal(0);
      const db = connect(engine.name === 'sqlite' ? `sqlite:${join(cwd, 'db.sqlite3')}` : engine.url());
      try {
        const rows = await db('events').where('business_file_id', bf).orderBy('id');
        expect(rows.map((r) => [r.object_action, r.user_id])).to.deep.equal([
          ['create', null],
          ['create', null],
        ]);
      } finally {
        await db.destroy();
      }
    });
  });
});
