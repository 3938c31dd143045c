// `npm start` under a supervisor: SIGTERM goes to the npm process only (as systemd's
// KillMode=mixed or a container runtime send it). npm runs the script through `sh -c`, which
// does not pass the signal on: before the script said `exec`, npm exited 143 at once and the
// server went on answering as an orphan.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { contactXml } from '../support/contacts.js';
import { basic, request } from '../support/http.js';
import { freePort } from '../support/process.js';

/** Pids of the direct children of `pid`, read from /proc. */
function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) children.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return children;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('npm start (the README way) under a supervisor that sends SIGTERM to the npm process', () => {
  it('finishes the request in flight, closes the port, stops the server, and npm exits 0', async function () {
    this.timeout(90_000); // prestart builds the project first
    const dir = mkdtempSync(join(tmpdir(), 'contacts-npm-start-'));
    const port = await freePort();
    const env = {
      ...process.env,
      PORT: String(port),
      DATABASE_URL: `sqlite://${join(dir, 'db.sqlite3')}`,
      ADMIN_LOGIN: 'boss',
      ADMIN_PASSWORD: 'boss-pw',
      WORKERS: '',
      LOG_FORMAT: '',
    };
    const npm = spawn('npm', ['start'], { cwd: process.cwd(), env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    npm.stdout.on('data', (d) => (output += d));
    npm.stderr.on('data', (d) => (output += d));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => npm.on('exit', (code, signal) => r({ code, signal })));
    let servers: number[] = [];
    try {
      await new Promise<void>((resolve, reject) => {
        const check = () => (output.includes('listening on') ? resolve() : undefined);
        npm.stdout.on('data', check);
        exited.then(({ code }) => reject(new Error(`npm start exited with ${code}: ${output}`)));
      });
      const base = `http://127.0.0.1:${port}`;
      expect((await request(base, '/health')).status).to.equal(200);
      servers = childrenOf(npm.pid!);
      expect(servers, 'npm runs the server as its own child').to.have.length(1);

      // A POST whose body is half sent when the signal arrives.
      const body = contactXml('InFlight');
      const socket = netConnect(port, '127.0.0.1');
      await new Promise((r) => socket.once('connect', r));
      let response = '';
      socket.on('data', (d) => (response += d));
      const closed = new Promise((r) => socket.on('close', r));
      socket.write(
        `POST /1/contacts.xml HTTP/1.1\r\nHost: x\r\nAuthorization: ${basic('boss', 'boss-pw')}\r\nContent-Type: application/xml\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n` +
          body.slice(0, 10),
      );
      await new Promise((r) => setTimeout(r, 300));
      const signalled = Date.now();
      npm.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 300));
      expect({ code: npm.exitCode, signal: npm.signalCode }, 'npm waits for the server').to.deep.equal({ code: null, signal: null });
      const refused = await request(base, '/health').then(
        () => false,
        () => true,
      );
      expect(refused, 'no new connection once stopping').to.equal(true);
      socket.end(body.slice(10));
      await closed;
      expect(response).to.match(/^HTTP\/1\.1 201 /);

      const { code, signal } = await exited;
      expect({ code, signal }).to.deep.equal({ code: 0, signal: null });
      expect(Date.now() - signalled).to.be.above(300);
      expect(alive(servers[0]), 'the server process is gone, not orphaned').to.equal(false);
      const portClosed = await request(base, '/health').then(
        () => false,
        () => true,
      );
      expect(portClosed).to.equal(true);
      expect(output).to.contain('SIGTERM received');
    } finally {
      if (npm.exitCode === null) npm.kill('SIGKILL');
      for (const pid of servers) if (alive(pid)) process.kill(pid, 'SIGKILL');
    }
  });
});
