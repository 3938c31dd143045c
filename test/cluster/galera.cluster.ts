// The cluster suite (`npm run test:cluster`, not part of `npm test`): a throwaway 3-node MariaDB
// Galera cluster (test/support/galera.sh, HAProxy in front) and three `contacts serve` processes
// (the built command) started at once on its fresh database, process i on node i, so every
// check below crosses nodes. Needs root, mariadb-server, galera-4, haproxy, rsync, socat.
// GALERA_BASE_PORT moves the ports (default 23300; see galera.sh).
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { join, resolve } from 'node:path';
import type { Knex } from 'knex';
import { connect } from '../../src/db/connection.js';
import { LEASE_TABLE } from '../../src/db/migration-lease.js';
import { migrations } from '../../db/migrations/index.js';
import { contactXml, parseXml } from '../support/contacts.js';
import { basic, request, type RequestOptions } from '../support/http.js';
import { freePort, serve, type Served } from '../support/process.js';

const GALERA = resolve('test/support/galera.sh');
const BASE = process.env.GALERA_BASE_PORT ?? '23300';
const auth = basic('cluster-admin', 'cluster-admin-pw');

describe('on a 3-node Galera cluster', function () {
  this.timeout(180_000);
  const parent = mkdtempSync(join(tmpdir(), 'gal-'));
  chmodSync(parent, 0o755); // mariadbd runs as the mysql user
  const dir = join(parent, 'c');
  let proxyUrl: string;
  let db: Knex;
  const processes: { served: Served; url: string }[] = [];
  const via = (i: number) => (path: string, options: RequestOptions = {}) => request(processes[i % 3].url, path, { auth, ...options });

  before(async () => {
    const started = performance.now();
    proxyUrl = execFileSync(GALERA, ['start', dir, BASE], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
    const clusterMs = performance.now() - started;
    const nodeUrls = [1, 2, 3].map((n) => execFileSync(GALERA, ['node-url', dir, String(n)], { encoding: 'utf8' }).trim());
    const ports = await Promise.all([0, 1, 2].map(() => freePort()));
    const serving = performance.now();
    const served = await Promise.all(
      nodeUrls.map((url, i) =>
        serve({ PORT: String(ports[i]), HOST: '127.0.0.1', DATABASE_URL: url, ADMIN_LOGIN: 'cluster-admin', ADMIN_PASSWORD: 'cluster-admin-pw', LOG_REQUESTS: '0' }, dir),
      ),
    );
    served.forEach((s, i) => processes.push({ served: s, url: `http://127.0.0.1:${ports[i]}` }));
    process.stdout.write(`      cluster ready in ${(clusterMs / 1000).toFixed(1)} s; three processes serving ${((performance.now() - serving) / 1000).toFixed(1)} s later\n`);
    db = connect(proxyUrl, () => {});
  });

  after(async () => {
    await db?.destroy();
    for (const p of processes) {
      p.served.child.kill('SIGTERM');
      await p.served.exited;
    }
    execFileSync(GALERA, ['stop', dir], { stdio: ['ignore', 'ignore', 'inherit'] });
    if (!process.env.KEEP_GALERA_DIR) rmSync(parent, { recursive: true, force: true });
  });

  it('three processes started at once all serve; migrations ran once and no lock is left', async () => {
    for (let i = 0; i < 3; i++) {
      expect((await request(processes[i].url, '/health')).status, `process ${i + 1} /health`).to.equal(200);
      expect((await via(i)('/1/contacts.xml')).status, `process ${i + 1}`).to.equal(200);
    }
    const recorded = await db('knex_migrations').select('name'); // a migration run twice would be recorded twice
    expect(recorded.map((r) => r.name).sort()).to.deep.equal(Object.keys(migrations).sort());
    expect((await db('knex_migrations_lock').select('is_locked')).map((r) => Number(r.is_locked))).to.deep.equal([0]);
    expect(await db(LEASE_TABLE).select()).to.deep.equal([]);
  });

  it('a write answered by one process is read by the next request to another', async () => {
    for (let round = 0; round < 30; round++) {
      const created = await via(round)('/1/contacts.xml', { method: 'POST', body: contactXml(`Ryw-${round}`) });
      expect(created.status).to.equal(201);
      const id = parseXml(created.text).contact[0].id;
      const read = await via(round + 1)(`/1/contacts/${id}.xml`);
      expect(read.status, `round ${round}`).to.equal(200);
      const changed = await via(round + 1)(`/1/contacts/${id}.xml`, { method: 'PUT', body: `<contact><first_name>Changed-${round}</first_name></contact>` });
      expect(changed.status).to.equal(200);
      const again = await via(round + 2)(`/1/contacts/${id}.xml`);
      expect(parseXml(again.text).contact[0].first_name, `round ${round}`).to.equal(`Changed-${round}`);
    }
  });

  it('concurrent PUTs to one contact from different processes neither lose nor duplicate children', async () => {
    const created = await via(0)('/1/contacts.xml', {
      method: 'POST',
      body: contactXml('Contended', '<contact_items><contact_item><type_id>23</type_id><value>+0</value></contact_item></contact_items>'),
    });
    const id = parseXml(created.text).contact[0].id;
    const keptId = parseXml(created.text).contact[0].contact_items.contact_item[0].id;
    const setOf = (n: number) => [`+${n}-a`, `+${n}-b`, `+${n}-c`];
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, n) =>
        via(n)(`/1/contacts/${id}.xml`, {
          method: 'PUT',
          body:
            `<contact><contact_items><contact_item><id>${keptId}</id><value>+kept-${n}</value></contact_item>` +
            setOf(n).map((v) => `<contact_item><type_id>24</type_id><value>${v}</value></contact_item>`).join('') +
            '</contact_items></contact>',
        }),
      ),
    );
    expect(answers.map((a) => a.status)).to.deep.equal(Array(12).fill(200));
    const rows = await db('contact_items').where('contact_id', Number(id)).orderBy('id');
    expect(rows).to.have.length(4);
    expect(rows[0].id).to.equal(Number(keptId));
    const n = Number(/^\+kept-(\d+)$/.exec(rows[0].value)?.[1]);
    expect(rows.slice(1).map((r) => r.value)).to.deep.equal(setOf(n));
  });

  it('one contact per Idempotency-Key when the same POST reaches the three processes at once', async () => {
    const answers = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => via(i)('/1/contacts.xml', { method: 'POST', body: contactXml('Keyed'), headers: { 'Idempotency-Key': 'cluster-key-1' } })));
    expect(answers.map((a) => a.status)).to.deep.equal(Array(6).fill(201));
    expect(new Set(answers.map((a) => a.headers.get('location'))).size).to.equal(1);
    expect(Number((await db('contacts').where({ business_file_id: 1, last_name: 'Keyed' }).count({ n: '*' }).first())?.n)).to.equal(1);
  });

  it('a pooled connection on a Galera node waits for the cluster before reading (wsrep_sync_wait=1)', async () => {
    const [rows] = (await db.raw('SELECT @@global.wsrep_on AS wsrep_on, @@session.wsrep_sync_wait AS sync_wait')) as [{ wsrep_on: number; sync_wait: number }[]];
    expect([Number(rows[0].wsrep_on), Number(rows[0].sync_wait)]).to.deep.equal([1, 1]);
  });

  it('a node SIGKILLed under writes: never a 500, no acknowledged write lost, its process says 503 until the node rejoins', async () => {
    const statuses = new Map<string, number>();
    const acknowledged: string[] = [];
    let writing = true;
    let seq = 0;
    let longestGapMs = 0;
    // Writers on the two processes whose nodes survive, one POST at a time each.
    const writer = async (i: number) => {
      let lastOk = performance.now();
      while (writing) {
        const name = `Load-${i}-${seq++}`;
        const res = await via(i)('/1/contacts.xml', { method: 'POST', body: contactXml(name) });
        statuses.set(String(res.status), (statuses.get(String(res.status)) ?? 0) + 1);
        if (res.status === 201) {
          acknowledged.push(name);
          longestGapMs = Math.max(longestGapMs, performance.now() - lastOk);
          lastOk = performance.now();
        } else await sleep(100);
      }
    };
    const writers = [writer(0), writer(1)];
    await sleep(500);
    const killedAt = performance.now();
    execFileSync(GALERA, ['kill-node', dir, '3'], { stdio: ['ignore', 'ignore', 'inherit'] });
    await sleep(1_000);
    const onDead = await via(2)('/1/contacts.xml');
    expect(onDead.status, 'the process on the dead node').to.equal(503);
    expect((await request(processes[2].url, '/health')).status).to.equal(503);
    await sleep(7_000); // past the eviction stall
    const restarted = performance.now();
    execFileSync(GALERA, ['restart-node', dir, '3'], { stdio: ['ignore', 'ignore', 'inherit'] });
    const rejoinMs = performance.now() - restarted;
    let back = 0;
    const polling = performance.now();
    while (back !== 200 && performance.now() - polling < 15_000) {
      back = (await request(processes[2].url, '/health')).status;
      if (back !== 200) await sleep(200);
    }
    const serveAgainMs = performance.now() - killedAt;
    writing = false;
    await Promise.all(writers);
    expect(back, 'the process on the restarted node serves again').to.equal(200);
    expect((await via(2)('/1/contacts.xml?per_page=1')).status).to.equal(200);
    process.stdout.write(
      `      answers under the kill: ${JSON.stringify(Object.fromEntries(statuses))}; longest gap between acknowledged writes ${(longestGapMs / 1000).toFixed(1)} s; ` +
        `node 3 synced ${(rejoinMs / 1000).toFixed(1)} s after its restart; its process served again ${(serveAgainMs / 1000).toFixed(1)} s after the kill\n`,
    );
    expect(statuses.get('500') ?? 0, 'no 500').to.equal(0);
    expect([...statuses.keys()].every((s) => s === '201' || s === '503'), [...statuses.keys()].join()).to.equal(true);
    const stored = await db('contacts').where('business_file_id', 1).whereIn('last_name', acknowledged).select('last_name');
    expect(stored.length, 'every acknowledged write stored, once').to.equal(acknowledged.length);
    expect(new Set(stored.map((r) => r.last_name)).size).to.equal(acknowledged.length);
  });
});
