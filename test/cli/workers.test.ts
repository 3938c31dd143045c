import { expect } from 'chai';
import { readFileSync, readdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { contactXml, field, parseXml } from '../support/contacts.js';
import { basic, request } from '../support/http.js';
import { freePort, serve } from '../support/process.js';

/** Pids of the direct children of `pid` (the cluster's workers), read from /proc. */
function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // /proc/PID/stat: "pid (comm) state ppid …"; comm may hold spaces, so split after ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) children.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return children;
}

describe('WORKERS=2 (node:cluster) on one SQLite file', () => {
  it('serves concurrent writes from both processes without a busy error, replaces a dead worker, and stops with 0', async function () {
    this.timeout(60_000);
    const cwd = mkdtempSync(join(tmpdir(), 'contacts-workers-'));
    const port = await freePort();
    const served = await serve({ PORT: String(port), WORKERS: '2', DATABASE_URL: 'sqlite:db.sqlite3', ADMIN_LOGIN: 'boss', ADMIN_PASSWORD: 'boss-pw', LOG_REQUESTS: '0' }, cwd);
    const base = `http://127.0.0.1:${port}`;
    const auth = basic('boss', 'boss-pw');
    try {
      expect(served.output()).to.contain('with 2 workers');
      const workers = childrenOf(served.child.pid!);
      expect(workers).to.have.length(2);

      const target = await request(base, '/1/contacts.xml', { method: 'POST', auth, body: contactXml('Shared') });
      const id = field(target.text, 'id');
      // Updates read the row before writing: without taking SQLite's write lock first, a
      // process whose snapshot went stale gets SQLITE_BUSY at once (a 500).
      const writes = await Promise.all([
        ...Array.from({ length: 40 }, (_, i) => request(base, '/1/contacts.xml', { method: 'POST', auth, body: contactXml(`Many${i}`) })),
        ...Array.from({ length: 40 }, (_, i) => request(base, `/1/contacts/${id}.xml`, { method: 'PUT', auth, body: `<contact><job_title>t${i}</job_title></contact>` })),
      ]);
      expect(writes.map((w) => w.status).filter((s) => s !== 200 && s !== 201)).to.deep.equal([]);
      const list = await request(base, '/1/contacts.xml?per_page=1', { auth });
      expect(parseXml(list.text).contacts.pagination.total_entries).to.equal('41');

      process.kill(workers[0], 'SIGKILL');
      let replaced: number[] = [];
      for (let i = 0; i < 50; i++) {
        replaced = childrenOf(served.child.pid!);
        if (replaced.length === 2 && !replaced.includes(workers[0])) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(replaced).to.have.length(2);
      expect(replaced).not.to.include(workers[0]);
      for (let i = 0; i < 6; i++) expect((await request(base, '/health')).status).to.equal(200);
    } finally {
      served.child.kill('SIGTERM');
    }
    expect(await served.exited).to.equal(0);
  });
});
