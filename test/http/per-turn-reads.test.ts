// The stamps asked for in one turn are read together, one query per business file
// (src/db/per-turn.ts, ResourceService.ref): each answer must still be its own record's, in its
// own business file, never a neighbour's, and a record that is not there is a 404. Driven
// through the service in one turn (so the batch is certain), then through HTTP with many
// requests of two tenants at once and a write among them.
import { expect } from 'chai';
import { contactXml, field } from '../support/contacts.js';
import { forEachEngine } from '../support/engines.js';
import { TestServer } from '../support/server.js';
import { loadLookups } from '../../src/contacts/lookups.js';
import { NotFoundError } from '../../src/errors.js';
import { CONTACT } from '../../src/resources/index.js';
import { ResourceService } from '../../src/resources/service.js';

forEachEngine((engine) => {
  describe(`reads shared per turn (${engine.name})`, () => {
    let server: TestServer;
    before(async () => (server = await TestServer.start(engine)));
    after(() => server.stop());

    const create = async (as: ReturnType<TestServer['as']>, bf: number, name: string) => {
      const created = await as(`/${bf}/contacts.xml`, { method: 'POST', body: contactXml(name) });
      expect(created.status, created.text).to.equal(201);
      return { id: Number(field(created.text, 'id')), etag: created.headers.get('etag') };
    };

    it('answers each stamp of one turn from its own business file, and a missing one with 404', async () => {
      const [a, b] = [await server.tenant(), await server.tenant()];
      const inA = [await create(server.as(a), a.bf, 'A1'), await create(server.as(a), a.bf, 'A2')];
      const inB = await create(server.as(b), b.bf, 'B1');
      const service = new ResourceService(server.db, CONTACT, await loadLookups(server.db));
      const asked = [
        service.ref(a.bf, { id: inA[0].id }),
        service.ref(b.bf, { id: inB.id }),
        service.ref(a.bf, { id: inA[1].id }),
        service.ref(a.bf, { id: inB.id }), // B's contact asked for in A: not there
        service.ref(b.bf, { id: inA[0].id }),
        service.ref(a.bf, { id: inA[0].id }),
      ];
      const results = await Promise.allSettled(asked);
      const ids = results.map((r) => (r.status === 'fulfilled' ? r.value.id : r.reason instanceof NotFoundError ? 404 : r.reason));
      expect(ids).to.deep.equal([inA[0].id, inB.id, inA[1].id, 404, 404, inA[0].id]);
    });

    it('answers many GETs of two tenants sent at once, a PUT among them, each with its own contact', async () => {
      const [a, b] = [await server.tenant(), await server.tenant()];
      const [asA, asB] = [server.as(a), server.as(b)];
      const ofA = [];
      const ofB = [];
      for (let i = 0; i < 6; i++) ofA.push(await create(asA, a.bf, `A${i}`));
      for (let i = 0; i < 6; i++) ofB.push(await create(asB, b.bf, `B${i}`));
      const put = await asA(`/${a.bf}/contacts/${ofA[0].id}.xml`, { method: 'PUT', body: '<contact><last_name>A0 changed</last_name></contact>' });
      expect(put.status).to.equal(200);
      for (let round = 0; round < 3; round++) {
        const answers = await Promise.all([
          ...ofA.map((c) => asA(`/${a.bf}/contacts/${c.id}.xml`)),
          ...ofB.map((c) => asB(`/${b.bf}/contacts/${c.id}.xml`)),
          ...ofB.map((c) => asA(`/${a.bf}/contacts/${c.id}.xml`)),
        ]);
        const names = answers.map((r) => (r.status === 200 ? field(r.text, 'last_name') : r.status));
        expect(names).to.deep.equal([
          'A0 changed',
          ...[1, 2, 3, 4, 5].map((i) => `A${i}`),
          ...[0, 1, 2, 3, 4, 5].map((i) => `B${i}`),
          ...ofB.map(() => 404),
        ]);
        expect(answers[0].headers.get('etag')).to.equal(put.headers.get('etag'));
      }
    });
  });
});
