import { expect } from 'chai';
import { mkdtempSync, existsSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { basic, request } from '../support/http.js';
import { contactXml } from '../support/contacts.js';
import { forEachEngine } from '../support/engines.js';
import { freePort, runCli, serve } from '../support/process.js';

describe('contacts serve (the built command)', () => {
  it('starts on embedded SQLite by default, creates the admin with a printed password, and serves the API', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'contacts-serve-'));
    const port = await freePort();
    const env = { PORT: String(port), DATABASE_URL: '', ADMIN_LOGIN: '', ADMIN_PASSWORD: '' };
    const served = await serve(env, cwd);
    try {
      expect(existsSync(join(cwd, 'data/contacts.sqlite3'))).to.equal(true);
      const password = /password: (\S+)/.exec(served.output())?.[1] as string;
      expect(password).to.have.length.above(15);
      const base = `http://127.0.0.1:${port}`;
      expect((await request(base, '/health')).status).to.equal(200);
      const list = await request(base, '/contacts.xml', { auth: basic('admin', password) });
      expect(list.status).to.equal(200);
      expect((await request(base, '/contacts.xml', { auth: basic('admin', 'wrong') })).status).to.equal(401);
      // One log line per request, without credentials.
      expect(served.output()).to.match(/GET \/contacts\.xml 200 \d+\.\dms/);
      expect(served.output().split(password).length).to.equal(2); // printed once, at creation
    } finally {
      served.child.kill('SIGTERM');
      expect(await served.exited).to.equal(0);
    }
    // A second start finds the user and prints no password.
    const again = await serve({ ...env, PORT: String(await freePort()) }, cwd);
    again.child.kill('SIGTERM');
    expect(await again.exited).to.equal(0);
    expect(again.output()).not.to.contain('password');
  });

  it('finishes a request in flight on SIGTERM, refuses new connections, and exits 0', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'contacts-sigterm-'));
    const port = await freePort();
    const served = await serve({ PORT: String(port), DATABASE_URL: 'sqlite:db.sqlite3', ADMIN_LOGIN: 'boss', ADMIN_PASSWORD: 'boss-pw' }, cwd);
    const body = contactXml('InFlight');
    const socket = netConnect(port, '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    let response = '';
    socket.on('data', (d) => (response += d));
    const closed = new Promise((r) => socket.on('close', r));
    // Headers and half of the body, then SIGTERM, then the rest.
    socket.write(
      `POST /1/contacts.xml HTTP/1.1\r\nHost: x\r\nAuthorization: ${basic('boss', 'boss-pw')}\r\nContent-Type: application/xml\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n` +
        body.slice(0, 10),
    );
    await new Promise((r) => setTimeout(r, 300));
    served.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    const refused = await request(`http://127.0.0.1:${port}`, '/health').then(
      () => false,
      () => true,
    );
    expect(refused).to.equal(true);
    socket.end(body.slice(10));
    await closed;
    expect(response).to.match(/^HTTP\/1\.1 201 /);
    expect(await served.exited).to.equal(0);
    // The log lines are written in batches (batched-lines.ts): none is lost at exit, in order.
    expect(served.output()).to.match(/SIGTERM received: finishing requests in flight\n(.*\n)*POST \/1\/contacts\.xml 201 /);
  });
});

describe('contacts CLI', () => {
  forEachEngine((engine) => {
    it('migrates, adds a user with a business file, and prints a token that authenticates', async () => {
      const cwd = mkdtempSync(join(tmpdir(), 'contacts-cli-'));
      const env = { DATABASE_URL: engine.url() };
      expect((await runCli(['migrate'], env, cwd)).code).to.equal(0);
      const login = `cli-${Date.now()}`;
      const added = await runCli(['users', 'add', '--login', login, '--password', 'cli-pw', '--business-file', '77'], env, cwd);
      expect(added.code, added.stderr).to.equal(0);
      expect(added.stdout).not.to.contain('cli-pw');
      const token = (await runCli(['tokens', 'add', '--login', login], env, cwd)).stdout.trim();
      expect(token).to.match(/^[A-Za-z0-9_-]{40,}$/);
      const port = await freePort();
      const served = await serve({ ...env, PORT: String(port), ADMIN_PASSWORD: 'x' }, cwd);
      try {
        const base = `http://127.0.0.1:${port}`;
        const created = await request(base, '/contacts.xml', { method: 'POST', auth: `Token ${token}`, body: contactXml('ViaToken') });
        expect(created.status).to.equal(201);
        expect(created.headers.get('location')).to.match(/^\/77\/contacts\/\d+\.xml$/);
        expect((await request(base, '/77/contacts.xml', { auth: `Bearer ${token}` })).status).to.equal(200);
        expect((await request(base, '/77/contacts.xml', { auth: basic(login, 'cli-pw') })).status).to.equal(200);
        expect(served.output()).not.to.contain(token);
      } finally {
        served.child.kill('SIGTERM');
        await served.exited;
      }
      const bad = await runCli(['users', 'add', '--login', login, '--business-file', 'abc'], env, cwd);
      expect(bad.code).to.equal(2);
    });
  });
});
