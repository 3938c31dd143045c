import { expect } from 'chai';
import { contactXml, errorsOf, parseXml } from '../support/contacts.js';
import { forEachEngine } from '../support/engines.js';
import { TestServer, type Tenant } from '../support/server.js';
import { feed } from './support.js';

describe('change events: GET /{bf}/events', () => {
  forEachEngine((engine) => {
    let server: TestServer;
    before(async () => {
      server = await TestServer.start(engine, [], { events: { pollMs: 20 } });
    });
    after(() => server.stop());

    const userIdOf = async (t: Tenant) => Number((await server.db('users').where('login', t.login).first('id')).id);
    const create = async (t: Tenant, body: string) => {
      const res = await server.as(t)(`/${t.bf}/contacts.xml`, {
        method: 'POST',
        body,
      });
      expect(res.status, res.text).to.equal(201);
      return Number(parseXml(res.text).contact[0].id);
    };
    const put = (t: Tenant, id: number, body: string) => server.as(t)(`/${t.bf}/contacts/${id}.xml`, { method: 'PUT', body });

    it('records create, update and destroy with their changes and the acting user, oldest first', async () => {
      const t = await server.tenant();
      const id = await create(t, contactXml('Bouvet', '<job_title>Buyer</job_title>'));
      expect((await put(t, id, contactXml('Bouvet', '<job_title>Head buyer</job_title>'))).status).to.equal(200);
      expect(
        (
          await server.as(t)(`/${t.bf}/contacts/${id}.xml`, {
            method: 'DELETE',
          })
        ).status,
      ).to.equal(200);
      const events = await feed(server, t);
      const user = await userIdOf(t);
      expect(events.map((e) => [e.object_action, e.object_zname, e.object_zid, e.user_id])).to.deep.equal([
        ['create', 'contacts', id, user],
        ['update', 'contacts', id, user],
        ['destroy', 'contacts', id, user],
      ]);
      expect(events[0].object_changes.last_name).to.deep.equal([null, 'Bouvet']);
      expect(events[1].object_changes).to.deep.equal({
        job_title: ['Buyer', 'Head buyer'],
      });
      expect(events[0].id).to.be.below(events[1].id);
      expect(events[1].id).to.be.below(events[2].id);
    });

    it('writes the XML of the contract', async () => {
      const t = await server.tenant();
      const id = await create(t, contactXml('Bouvet', '<job_title>Buyer</job_title>'));
      await put(t, id, contactXml('Bouvet', '<job_title>Head buyer</job_title>'));
      const res = await server.as(t)(`/${t.bf}/events.xml?after=0&limit=10`);
      expect(res.status).to.equal(200);
      expect(res.headers.get('content-type')).to.match(/^application\/xml/);
      const events = parseXml(res.text).events;
      expect(events['@_type']).to.equal('array');
      const update = events.event[1];
      expect(update.object_action).to.equal('update');
      expect(update.object_zname).to.equal('contacts');
      expect(update.object_zid).to.equal(String(id));
      expect(update.user_id).to.equal(String(await userIdOf(t)));
      expect(update.created_at).to.match(/^\d{2}-\d{2}-\d{4}-\d{2}-\d{2}$/);
      expect(update.object_changes.change).to.deep.equal({
        field: 'job_title',
        old: 'Buyer',
        new: 'Head buyer',
      });
    });

    it('records one field for a changed collection', async () => {
      const t = await server.tenant();
      const id = await create(t, contactXml('Items', '<contact_items><contact_item><type_id>27</type_id><value>a@example.com</value></contact_item></contact_items>'));
      await put(t, id, contactXml('Items', '<contact_items><contact_item><type_id>27</type_id><value>b@example.com</value></contact_item></contact_items>'));
      const [, update] = await feed(server, t);
      expect(Object.keys(update.object_changes)).to.deep.equal(['contact_items']);
      const [before, after] = update.object_changes.contact_items as {
        value: string;
      }[][];
      expect(before.map((i) => i.value)).to.deep.equal(['a@example.com']);
      expect(after.map((i) => i.value)).to.deep.equal(['b@example.com']);
    });

    it('records nothing for a write that changes nothing or fails', async () => {
      const t = await server.tenant();
      const id = await create(t, contactXml('Same', '<job_title>Buyer</job_title>'));
      expect((await put(t, id, contactXml('Same', '<job_title>Buyer</job_title>'))).status).to.equal(200);
      expect((await put(t, id, '<contact><last_name></last_name></contact>')).status).to.equal(422);
      expect(
        (
          await server.as(t)(`/${t.bf}/contacts/${id}.xml`, {
            method: 'PUT',
            body: contactXml('Stale'),
            headers: { 'If-Match': '"nope"' },
          })
        ).status,
      ).to.equal(412);
      expect(
        (
          await server.as(t)(`/${t.bf}/contacts.xml`, {
            method: 'POST',
            body: '<contact><first_name>x</first_name></contact>',
          })
        ).status,
      ).to.equal(422);
      expect((await feed(server, t)).map((e) => e.object_action)).to.deep.equal(['create']);
    });

    it('records once for an idempotent POST replayed', async () => {
      const t = await server.tenant();
      for (let i = 0; i < 2; i++) {
        const res = await server.as(t)(`/${t.bf}/contacts.xml`, {
          method: 'POST',
          body: contactXml('Once'),
          headers: { 'Idempotency-Key': 'k-1' },
        });
        expect(res.status).to.equal(201);
      }
      expect(await feed(server, t)).to.have.length(1);
    });

    it('records the writes of the old-style aliases', async () => {
      const t = await server.tenant();
      const id = await create(t, contactXml('Alias'));
      expect(
        (
          await server.as(t)(`/contacts/show/${t.bf}/${id}.xml`, {
            method: 'PUT',
            body: contactXml('Alias', '<job_title>Chef</job_title>'),
          })
        ).status,
      ).to.equal(200);
      expect(
        (
          await server.as(t)(`/contacts/show/${t.bf}/${id}.xml`, {
            method: 'DELETE',
          })
        ).status,
      ).to.equal(200);
      expect((await feed(server, t)).map((e) => e.object_action)).to.deep.equal(['create', 'update', 'destroy']);
    });

    it('records the writes of a JSON request', async () => {
      const t = await server.tenant();
      const res = await server.as(t)(`/${t.bf}/contacts.json`, {
        method: 'POST',
        body: JSON.stringify({ contact: { last_name: 'Json' } }),
        contentType: 'application/json',
      });
      expect(res.status).to.equal(201);
      const [event] = await feed(server, t);
      expect(event.object_changes.last_name).to.deep.equal([null, 'Json']);
    });

    it('records one event per created or changed contact of an import, none for unchanged ones, none for a rejected file', async () => {
      const t = await server.tenant();
      const file = (title: string) => `<contacts>${contactXml('One', '<remote_id>r1</remote_id>')}${contactXml('Two', `<remote_id>r2</remote_id><job_title>${title}</job_title>`)}</contacts>`;
      const imp = (body: string) => server.as(t)(`/${t.bf}/contacts/import.xml`, { method: 'POST', body });
      expect((await imp(file('A'))).status).to.equal(200);
      expect((await imp(file('B'))).status).to.equal(200);
      expect((await imp(`<contacts>${contactXml('Three')}<contact><last_name></last_name></contact></contacts>`)).status).to.equal(422);
      expect(
        (
          await imp(`<contacts>${contactXml('Dry')}</contacts>`).then(() =>
            server.as(t)(`/${t.bf}/contacts/import.xml?dry_run=true`, {
              method: 'POST',
              body: `<contacts>${contactXml('Four')}</contacts>`,
            }),
          )
        ).status,
      ).to.equal(200);
      const events = await feed(server, t);
      const user = await userIdOf(t);
      expect(events.map((e) => [e.object_action, e.user_id])).to.deep.equal([
        ['create', user],
        ['create', user],
        ['update', user],
        ['create', user], // Dry, imported for real
      ]);
      expect(events[2].object_changes).to.deep.equal({ job_title: ['A', 'B'] });
    });

    it('records the writes of firms too, as object_zname firms', async () => {
      const t = await server.tenant();
      const res = await server.as(t)(`/${t.bf}/firms.xml`, { method: 'POST', body: '<firm><name>ACME</name></firm>' });
      expect(res.status, res.text).to.equal(201);
      const id = Number(parseXml(res.text).firm.id);
      expect((await server.as(t)(`/${t.bf}/firms/${id}.xml`, { method: 'PUT', body: '<firm><name>ACME Corp</name></firm>' })).status).to.equal(200);
      expect((await server.as(t)(`/${t.bf}/firms/${id}.xml`, { method: 'DELETE' })).status).to.equal(200);
      const events = await feed(server, t, 'object_zname=firms');
      expect(events.map((e) => [e.object_zname, e.object_zid, e.object_action])).to.deep.equal([
        ['firms', id, 'create'],
        ['firms', id, 'update'],
        ['firms', id, 'destroy'],
      ]);
      expect(events[1].object_changes.name).to.deep.equal(['ACME', 'ACME Corp']);
      expect(await feed(server, t, 'object_zname=contacts')).to.deep.equal([]);
    });

    it('pages with after and limit, and filters by object_zname', async () => {
      const t = await server.tenant();
      for (let i = 0; i < 5; i++) await create(t, contactXml(`P${i}`));
      const all = await feed(server, t);
      expect(all).to.have.length(5);
      const page = await feed(server, t, `after=${all[1].id}&limit=2`);
      expect(page.map((e) => e.id)).to.deep.equal([all[2].id, all[3].id]);
      expect(await feed(server, t, `after=${all[4].id}`)).to.deep.equal([]);
      expect(await feed(server, t, 'object_zname=firms')).to.deep.equal([]);
      expect(await feed(server, t, 'object_zname=contacts')).to.have.length(5);
    });

    it('answers 400 for a bad after, limit or object_zname', async () => {
      const t = await server.tenant();
      for (const q of ['after=-1', 'after=x', 'limit=0', 'limit=1001', 'object_zname=users']) {
        const res = await server.as(t)(`/${t.bf}/events.xml?${q}`);
        expect(res.status, q).to.equal(400);
        expect(errorsOf(res.text)[0], q).to.match(/^Parameter /);
      }
    });

    it("shows only the business file's own events, and 403 for another's", async () => {
      const a = await server.tenant();
      const b = await server.tenant();
      await create(a, contactXml('Mine'));
      expect(await feed(server, b)).to.deep.equal([]);
      expect((await server.as(b)(`/${a.bf}/events.xml`)).status).to.equal(403);
      expect((await server.request(`/${a.bf}/events.xml`)).status).to.equal(401);
      const short = await server.as(a)('/events.json');
      expect(JSON.parse(short.text).events).to.have.length(1);
    });
  });
});
