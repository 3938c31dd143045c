// WORKERS=N and the failed-login throttle: each process keeps its own counts and allows its
// share of the limit (LOGIN_FAILURES_PER_LOGIN / N), so however an attacker's connections are
// spread over the workers, no more wrong passwords are checked in a window than the limit.
import { request as httpRequest } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { basic } from '../support/http.js';
import { freePort, serve } from '../support/process.js';

/** A GET on a connection of its own (so that the cluster hands each to the next worker). */
function getOnNewConnection(port: number, path: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('failed-login throttle with WORKERS=2', () => {
  it('checks no more wrong passwords over both workers than LOGIN_FAILURES_PER_LOGIN, and still lets the user in from elsewhere', async function () {
    this.timeout(60_000);
    const cwd = mkdtempSync(join(tmpdir(), 'contacts-throttle-workers-'));
    const port = await freePort();
    const env = {
      PORT: String(port),
      WORKERS: '2',
      DATABASE_URL: 'sqlite:db.sqlite3',
      ADMIN_LOGIN: 'boss',
      ADMIN_PASSWORD: 'boss-pw',
      LOG_REQUESTS: '0',
      TRUST_PROXY: '127.0.0.1',
      LOGIN_FAILURES_PER_LOGIN: '4',
    };
    const served = await serve(env, cwd);
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 20; i++) {
        statuses.push(await getOnNewConnection(port, '/lookups', { authorization: basic('boss', `guess-${i}`), 'x-forwarded-for': '203.0.113.5' }));
      }
      const checked = statuses.filter((s) => s === 401).length;
      expect(statuses.filter((s) => s !== 401 && s !== 429), statuses.join(' ')).to.deep.equal([]);
      expect(checked, statuses.join(' ')).to.be.within(2, 4);
      for (let i = 0; i < 4; i++) {
        expect(await getOnNewConnection(port, '/lookups', { authorization: basic('boss', 'boss-pw'), 'x-forwarded-for': '198.51.100.7' })).to.equal(200);
      }
    } finally {
      served.child.kill('SIGTERM');
      await served.exited;
    }
  });
});
