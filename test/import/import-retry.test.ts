// An import the database refuses as a lock conflict (a deadlock victim here; on Galera also a
// certification conflict, see the cluster suite) is imported again whole, from its start: the
// answer is the one of a single import, and its events are recorded once. A real deadlock on
// MariaDB: another transaction holds contact A and then asks for contact B, which the import
// (updating B, then A) holds; the other transaction has written more rows, so InnoDB chooses
// the import as the victim.
import { expect } from 'chai';
import type { Knex } from 'knex';
import { setTimeout as sleep } from 'node:timers/promises';
import { LIST_CLOSE, LIST_OPEN } from '../support/contact-codec.js';
import { contactXml, parseXml } from '../support/contacts.js';
import { forEachEngine } from '../support/engines.js';
import { TestServer, connect, type Tenant } from '../support/server.js';

const PROBE = 'import_retry_probe';

forEachEngine((engine) => {
  if (engine.name !== 'mysql') return;
  describe('an import refused as a deadlock victim', function () {
    let server: TestServer;
    let other: Knex;
    let galera = false;
    before(async function () {
      server = await TestServer.start(engine);
      other = connect(engine.url(), () => {});
      const [rows] = (await other.raw('SELECT @@global.wsrep_on AS w')) as [{ w: number }[]];
      galera = Number(rows[0].w) === 1;
      await other.schema.dropTableIfExists(PROBE);
      await other.schema.createTable(PROBE, (t) => {
        t.increments('id');
        t.integer('v').notNullable();
      });
    });
    after(async () => {
      await other?.schema.dropTableIfExists(PROBE);
      await other?.destroy();
      await server?.stop();
    });

    it('is imported again whole: 200, both contacts as the file says, one event each', async function () {
      // Through a Galera cluster the two sessions may reach different nodes, which do not wait
      // for each other's locks (the cluster suite makes imports conflict there instead).
      if (galera) this.skip();
      const t: Tenant = await server.tenant();
      const ids: number[] = [];
      for (const name of ['Alpha', 'Beta']) {
        const res = await server.as(t)(`/${t.bf}/contacts.xml`, { method: 'POST', body: contactXml(name) });
        ids.push(Number(parseXml(res.text).contact[0].id));
      }
      const [a, b] = ids;
      const after = Number((await server.db('events').max({ m: 'id' }).first())?.m ?? 0);
      const file = `${LIST_OPEN}<contact><id>${b}</id><last_name>Beta</last_name><job_title>Imported B</job_title></contact><contact><id>${a}</id><last_name>Alpha</last_name><job_title>Imported A</job_title></contact>${LIST_CLOSE}`;

      const trx = await other.transaction();
      let answer: Promise<{ status: number; text: string }> | undefined;
      try {
        // Heavier than the import: InnoDB rolls back the transaction that changed fewer rows.
        await trx(PROBE).insert(Array.from({ length: 200 }, (_, v) => ({ v })));
        await trx('contacts').where('id', a).update({ job_title: 'Held A' });
        answer = server.as(t)(`/${t.bf}/contacts/import.xml`, { method: 'POST', body: file });
        // Wait until the import holds B (it asks for A right after: either way the cycle closes).
        for (let i = 0; ; i++) {
          const free = await other.raw('SELECT id FROM contacts WHERE id = ? FOR UPDATE NOWAIT', [b]).then(
            () => true,
            (error: { code?: string }) => {
              if (error.code !== 'ER_LOCK_WAIT_TIMEOUT') throw error;
              return false;
            },
          );
          if (!free) break;
          if (i > 400) throw new Error('the import never took contact B');
          await sleep(10);
        }
        await trx('contacts').where('id', b).update({ job_title: 'Held B' }); // closes the cycle: the import is the victim
        await trx.commit();
      } catch (error) {
        if (!trx.isCompleted()) await trx.rollback();
        throw error;
      }
      const res = await answer;
      expect(res.status, res.text).to.equal(200);
      expect(parseXml(res.text).import).to.include({ created: '0', updated: '2' });
      const rows = await server.db('contacts').whereIn('id', [a, b]).orderBy('id').select('job_title');
      expect(rows.map((r) => r.job_title)).to.deep.equal(['Imported A', 'Imported B']);
      const events = await server.db('events').where('id', '>', after).andWhere('business_file_id', t.bf).select('object_zid', 'object_action');
      expect(events.map((e) => `${e.object_action} ${e.object_zid}`).sort()).to.deep.equal([`update ${a}`, `update ${b}`].sort());
    });
  });
});
