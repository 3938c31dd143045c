import { expect } from 'chai';
import { contactXml, errorsOf } from '../support/contacts.js';
import { forEachEngine } from '../support/engines.js';
import { TestServer } from '../support/server.js';
import { feed } from './support.js';

describe('change events: retention', () => {
  forEachEngine((engine) => {
    let server: TestServer;
    before(async () => {
      server = await TestServer.start(engine, [], { events: { retentionDays: 30, purgeEveryMs: 50 } });
    });
    after(() => server.stop());

    it('purges events older than EVENTS_RETENTION_DAYS in the background, and answers 410 to an after from before them', async () => {
      const t = await server.tenant();
      for (const name of ['Old', 'Older', 'New']) expect((await server.as(t)(`/${t.bf}/contacts.xml`, { method: 'POST', body: contactXml(name) })).status).to.equal(201);
      const [first, second, third] = await feed(server, t);
      const daysAgo = (d: number) => new Date(Date.now() - d * 86_400_000).toISOString().slice(0, 19).replace('T', ' ');
      await server
        .db('events')
        .whereIn('position', [first.id, second.id])
        .update({ created_at: daysAgo(31) });
      const until = Date.now() + 5_000;
      while ((await feed(server, t)).length !== 1 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      expect((await feed(server, t)).map((e) => e.id)).to.deep.equal([third.id]);

      const gone = await server.as(t)(`/${t.bf}/events.xml?after=${first.id}`);
      expect(gone.status).to.equal(410);
      expect(errorsOf(gone.text)).to.deep.equal([
        `Events after ${first.id} are no longer kept (events are kept 30 days). Read the whole list again, then ask for the events after the latest event id.`,
      ]);
      expect((await server.as(t)(`/${t.bf}/events.json?after=${first.id}`)).status).to.equal(410);
      expect((await feed(server, t, `after=${second.id}`)).map((e) => e.id)).to.deep.equal([third.id]);
      expect(await feed(server, t, `after=${third.id}`)).to.deep.equal([]);
    });
  });
});
