// `kill -9` in the middle of `contacts import` (the built CLI): the file is wholly imported or
// not at all, never in part (CONTRACT.md section 7: all or nothing per file). Then the same file
// imports whole, and a third run finds every contact unchanged.
//
// The kill lands while the import is writing, and the spec checks that it did: on MySQL a
// READ UNCOMMITTED count sees the import's rows appear before the kill; on both engines the
// importer has read part of the file (its read offset, from /proc, on Linux), and on SQLite it
// holds the write lock. On a Galera cluster (through HAProxy) the import's rows are visible
// uncommitted only on the node its connection reached: the count is read on every node.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import type { Knex } from 'knex';
import mysql from 'mysql2/promise';
import { generateContacts, writeImportFile } from '../../fixtures/generate.js';
import { connect } from '../../src/db/connection.js';
import { migrateLatest } from '../../src/db/migrate.js';
import { engines } from '../support/engines.js';
import { CLI, runCli } from '../support/process.js';

/** Enough for an import of several seconds on two cores (about 26 MB). */
const N = 20_000;
const SEED = 11;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** How far process `pid` has read `file` (the offset of its descriptor), if /proc tells. */
function readOffset(pid: number, file: string): number | undefined {
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      let target: string;
      try {
        target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      if (target !== file) continue;
      const pos = /^pos:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8'))?.[1];
      return pos === undefined ? undefined : Number(pos);
    }
  } catch {
    return undefined;
  }
  return undefined;
}

interface Counts {
  contacts: number;
  addresses: number;
  items: number;
}

async function countsOf(db: Knex, bf: number): Promise<Counts> {
  // A count may outlast the 2 s query deadline while the server rolls the killed import back (a
  // Galera node did, through HAProxy, on two busy cores): asked again, for up to 30 s.
  const n = async (q: Knex.QueryBuilder) => {
    for (let tries = 1; ; tries++) {
      try {
        return Number((await q.clone().count({ n: '*' }).first())?.n);
      } catch (error) {
        if ((error as { code?: string }).code !== 'PROTOCOL_SEQUENCE_TIMEOUT' || tries >= 15) throw error;
      }
    }
  };
  return {
    contacts: await n(db('contacts').where('business_file_id', bf)),
    addresses: await n(db('contact_addresses').join('contacts', 'contacts.id', 'contact_addresses.contact_id').where('contacts.business_file_id', bf)),
    items: await n(db('contact_items').join('contacts', 'contacts.id', 'contact_items.contact_id').where('contacts.business_file_id', bf)),
  };
}

/** Is a write transaction open on this SQLite database (its write lock taken)? */
async function sqliteWriterActive(db: Knex): Promise<boolean> {
  // The pool has one connection, so these statements all run on it.
  await db.raw('pragma busy_timeout = 0');
  try {
    await db.raw('begin immediate');
  } catch (error) {
    if (/SQLITE_BUSY/.test(String((error as { code?: string }).code))) return true;
    throw error;
  }
  await db.raw('rollback');
  return false;
}

describe('kill -9 during `contacts import` (the built CLI)', () => {
  for (const engine of engines()) {
    describe(`on ${engine.name}`, () => {
      let dir: string;
      let url: string;
      let db: Knex;
      let bf: number;
      let file: string;
      let expected: Counts;
      const dirty: mysql.Connection[] = [];

      before(async function () {
        this.timeout(60_000);
        dir = mkdtempSync(join(tmpdir(), 'contacts-import-kill-'));
        // SQLite: a database file of its own. MySQL: the test database, a business file of its own.
        url = engine.name === 'sqlite' ? `sqlite://${join(dir, 'kill.sqlite3')}` : engine.url();
        db = connect(url, () => {});
        await migrateLatest(db);
        // Ids are kept by the import, so the file's ids start past every id already stored.
        let maxId = 0;
        for (const table of ['contacts', 'contact_addresses', 'contact_items']) maxId = Math.max(maxId, Number((await db(table).max({ m: 'id' }).first())?.m ?? 0));
        bf = Math.max(Number((await db('business_files').max({ m: 'id' }).first())?.m ?? 0), 5000) + 1;
        const firstId = maxId + 1000;
        file = realpathSync(dir) + '/import.xml';
        const out = createWriteStream(file);
        await writeImportFile(out, { contacts: N, seed: SEED, firstId });
        out.end();
        await finished(out);
        expected = { contacts: 0, addresses: 0, items: 0 };
        for (const c of generateContacts(N, { seed: SEED, firstId })) {
          expected.contacts++;
          expected.addresses += c.contact_addresses.length;
          expected.items += c.contact_items.length;
        }
        if (engine.name === 'mysql') {
          // One connection per node: new ones until each node of the cluster (one off a cluster) has one.
          const nodes = new Set<string>();
          for (let tries = 0; tries < 30; tries++) {
            const connection = await mysql.createConnection(url);
            const [[node]] = (await connection.query("SELECT @@hostname AS h, @@port AS p, @@wsrep_node_name AS n, IF(@@wsrep_on, (SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'WSREP_CLUSTER_SIZE'), 1) AS size")) as unknown as [{ h: string; p: number; n: string; size: string }[]];
            const key = `${node.h}:${node.p}/${node.n}`;
            if (nodes.has(key)) {
              await connection.end();
            } else {
              nodes.add(key);
              await connection.query('SET SESSION TRANSACTION ISOLATION LEVEL READ UNCOMMITTED');
              dirty.push(connection);
            }
            if (nodes.size >= Number(node.size)) break;
          }
        }
      });
      after(async () => {
        await Promise.all(dirty.map((connection) => connection.end()));
        await db?.destroy();
        rmSync(dir, { recursive: true, force: true }); // the file is 26 MB
      });

      /** Contacts of the business file including uncommitted ones, the most any node sees (MySQL only). */
      async function dirtyCount(): Promise<number> {
        let most = 0;
        for (const connection of dirty) {
          const [rows] = await connection.query('SELECT COUNT(*) AS n FROM contacts WHERE business_file_id = ?', [bf]);
          most = Math.max(most, Number((rows as { n: number }[])[0].n));
        }
        return most;
      }

      it(`leaves all ${N} contacts or none after SIGKILL mid-import, then imports whole, then finds all unchanged`, async function () {
        this.timeout(120_000);
        const env = { DATABASE_URL: url };
        const size = statSync(file).size;
        const child = spawn(process.execPath, [CLI, 'import', file, '--business-file', String(bf)], { cwd: dir, env: { ...process.env, ...env } });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d) => (stdout += d));
        child.stderr.on('data', (d) => (stderr += d));
        const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
        let exitedEarly = false;
        exited.then(() => (exitedEarly = true));

        // Wait until the import is well under way, writing inside its transaction.
        const started = performance.now();
        let evidence = '';
        while (!exitedEarly && performance.now() - started < 60_000) {
          await sleep(50);
          const offset = readOffset(child.pid!, file);
          const share = offset === undefined ? undefined : offset / size;
          const elapsed = performance.now() - started;
          if (share !== undefined ? share < 0.3 : elapsed < 2_000) continue;
          if (engine.name === 'mysql') {
            const seen = await dirtyCount();
            if (seen >= N * 0.2 && seen < N) evidence = `${seen} uncommitted contacts visible`;
          } else if (await sqliteWriterActive(db)) {
            evidence = 'the write lock held';
          }
          if (evidence) {
            evidence += share === undefined ? `, ${elapsed.toFixed(0)} ms in` : `, ${(share * 100).toFixed(0)} % of the file read, ${elapsed.toFixed(0)} ms in`;
            break;
          }
        }
        expect(exitedEarly, `the import ended before it could be killed: ${stdout}${stderr}`).to.equal(false);
        expect(evidence, 'never saw the import writing').not.to.equal('');
        child.kill('SIGKILL');
        const exit = await exited;
        expect(exit.signal, `exit ${JSON.stringify(exit)}: ${stdout}${stderr}`).to.equal('SIGKILL');
        expect(stdout, 'the import printed its summary: it had finished').not.to.match(/created \d+/);

        // Whole or nothing. Killed mid-transaction, it must be nothing.
        if (engine.name === 'mysql') {
          // The server rolls the dead connection's transaction back; wait until it has.
          for (let i = 0; i < 150 && (await dirtyCount()) !== 0; i++) await sleep(100);
          expect(await dirtyCount(), 'uncommitted rows still there 15 s after the kill').to.equal(0);
        }
        const afterKill = await countsOf(db, bf);
        const none = { contacts: 0, addresses: 0, items: 0 };
        expect(afterKill, `after the kill (${evidence}): neither none nor all`).to.deep.equal(afterKill.contacts === N ? expected : none);
        if (engine.name === 'sqlite') expect((await db.raw('pragma integrity_check'))[0]).to.deep.equal({ integrity_check: 'ok' });

        // Again, to completion: the whole file.
        const whole = await runCli(['import', file, '--business-file', String(bf)], env, dir);
        expect(whole.code, whole.stdout + whole.stderr).to.equal(0);
        expect(whole.stdout).to.contain(`created ${N}, updated 0, unchanged 0, invalid 0`);
        expect(await countsOf(db, bf)).to.deep.equal(expected);

        // A third run changes nothing.
        const again = await runCli(['import', file, '--business-file', String(bf)], env, dir);
        expect(again.code, again.stdout + again.stderr).to.equal(0);
        expect(again.stdout).to.contain(`created 0, updated 0, unchanged ${N}, invalid 0`);
        expect(await countsOf(db, bf)).to.deep.equal(expected);
        if (process.env.KILL_TIMINGS) process.stdout.write(`      killed with ${evidence}: ${afterKill.contacts} contacts left\n      ${whole.stdout}      ${again.stdout}`);
      });
    });
  }
});
