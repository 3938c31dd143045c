// The feed's promise under concurrency: a client that polls with the last id it saw never misses
// an event and never sees one twice, while several services write to one database at once. The
// import in the mix holds early event ids in a long transaction that commits late: with ids from
// auto-increment as the feed's ids (the naive design), the poller skips its events on MySQL
// (checked by switching the feed to raw row ids: the poller missed the import's first 501 events).
import { expect } from 'chai';
import { contactXml, parseXml } from '../support/contacts.js';
import { forEachEngine, type Engine } from '../support/engines.js';
import { TestServer, type Tenant } from '../support/server.js';
import { feed, settledFeed, type JsonEvent } from './support.js';

const WRITERS = 4;
const WRITES_PER_WRITER = 30;

describe('change events: the feed under concurrent writers', () => {
  forEachEngine((engine) => {
    // On SQLite an import holds the one connection, so the writers would wait past the acquire
    // timeout (503) on a loaded machine; and SQLite has one writer anyway, so no import there.
    const IMPORTED = engine.name === 'sqlite' ? 0 : 1_200;
    let a: TestServer;
    let b: TestServer;
    before(async () => {
      a = await TestServer.start(engine, [], { events: { pollMs: 50 } });
      // Two SQLite services in one process would wait for each other's write lock synchronously
      // (better-sqlite3): on SQLite both names are one service, and SQLite has one writer anyway.
      if (engine.name === 'sqlite') {
        b = a;
        return;
      }
      const url = engine.url();
      b = await TestServer.start({ name: engine.name, url: () => url } as Engine, [], { events: { pollMs: 50 } });
    });
    after(async () => {
      await a.stop();
      if (b !== a) await b.stop();
    });

    async function writer(t: Tenant, w: number): Promise<void> {
      for (let i = 0; i < WRITES_PER_WRITER; i++) {
        const server = (w + i) % 2 ? a : b;
        const res = await server.as(t)(`/${t.bf}/contacts.xml`, { method: 'POST', body: contactXml(`W${w}-${i}`) });
        expect(res.status, res.text).to.equal(201);
        const id = parseXml(res.text).contact[0].id;
        const put = await server.as(t)(`/${t.bf}/contacts/${id}.xml`, { method: 'PUT', body: contactXml(`W${w}-${i}`, '<job_title>Changed</job_title>') });
        expect(put.status).to.equal(200);
      }
    }

    async function importer(t: Tenant): Promise<void> {
      if (IMPORTED === 0) return;
      await new Promise((r) => setTimeout(r, 30));
      const body = `<contacts>${Array.from({ length: IMPORTED }, (_, i) => contactXml(`Imported${i}`)).join('')}</contacts>`;
      const res = await b.as(t)(`/${t.bf}/contacts/import.xml`, { method: 'POST', body });
      expect(res.status, res.text).to.equal(200);
    }

    it('a poller that asks after the last id it saw gets every event exactly once, in the order of a full read', async () => {
      // API tokens: Basic auth would queue behind the bounded password checks.
      const basic = await a.tenant();
      const t = { ...basic, auth: `Bearer ${await a.token(basic.login)}` };
      let writing = true;
      const seen: JsonEvent[] = [];
      const poller = (async () => {
        for (;;) {
          const done = !writing;
          const page = await feed(a, t, `after=${seen.length ? seen[seen.length - 1].id : 0}&limit=50`);
          seen.push(...page);
          if (done && page.length === 0) return;
          if (page.length < 50) await new Promise((r) => setTimeout(r, 5));
        }
      })();
      await Promise.all([...Array.from({ length: WRITERS }, (_, w) => writer(t, w)), importer(t)]);
      writing = false;
      const full = await settledFeed(a, t);
      await poller;
      // Whatever the poller had not reached yet when writing stopped, it reads now.
      for (let page = await feed(a, t, `after=${seen[seen.length - 1].id}&limit=1000`); page.length > 0; page = await feed(a, t, `after=${seen[seen.length - 1].id}&limit=1000`)) seen.push(...page);

      expect(full).to.have.length(WRITERS * WRITES_PER_WRITER * 2 + IMPORTED);
      expect(new Set(seen.map((e) => e.id)).size, 'an event seen twice').to.equal(seen.length);
      const missed = full.filter((e) => !seen.some((s) => s.id === e.id));
      expect(missed.length, `events the poller never saw (${missed.slice(0, 3).map((e) => e.id)}…)`).to.equal(0);
      expect(seen.map((e) => e.id)).to.deep.equal(full.map((e) => e.id));
    });
  });
});
