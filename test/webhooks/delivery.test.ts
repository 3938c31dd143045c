import { expect } from 'chai';
import type { EventSettings } from '../../src/events/settings.js';
import { contactXml, parseXml } from '../support/contacts.js';
import { forEachEngine, type Engine } from '../support/engines.js';
import { TestServer, type Tenant } from '../support/server.js';
import { Receiver, verifySignature } from './receiver.js';

const FAST: Partial<EventSettings> = { allowPrivate: true, pollMs: 20, retryBaseMs: 100, retryMaxMs: 400 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits (at most 10 s) until `check` holds. */
async function until(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`still not so after ${timeoutMs} ms`);
    await sleep(25);
  }
}

describe('webhooks: delivery', () => {
  forEachEngine((engine) => {
    // Each test has its own services (with its own timings), none left running after it: every
    // service on a database delivers that database's webhooks.
    let server: TestServer;
    const receivers: Receiver[] = [];
    const logs: string[] = [];
    beforeEach(async () => {
      server = await TestServer.start(engine, logs, { events: FAST });
    });
    afterEach(async () => {
      await server.stop();
      await Promise.all(receivers.splice(0).map((r) => r.stop()));
    });
    const restart = async (events: Partial<EventSettings>) => {
      await server.stop();
      server = await TestServer.start(engine, logs, { events });
      return server;
    };

    const receiver = async () => {
      const r = await new Receiver().start();
      receivers.push(r);
      return r;
    };
    const register = async (s: TestServer, t: Tenant, url: string) => {
      const res = await s.as(t)(`/${t.bf}/webhooks.json`, { method: 'POST', body: JSON.stringify({ webhook: { url } }), contentType: 'application/json' });
      expect(res.status, res.text).to.equal(201);
      return JSON.parse(res.text).webhook as { id: number; secret: string };
    };
    const create = async (s: TestServer, t: Tenant, name: string, extra = '') => {
      const res = await s.as(t)(`/${t.bf}/contacts.xml`, { method: 'POST', body: contactXml(name, extra) });
      expect(res.status, res.text).to.equal(201);
      return Number(parseXml(res.text).contact[0].id);
    };
    const deliveries = async (t: Tenant, hook: number) => JSON.parse((await server.as(t)(`/${t.bf}/webhooks/${hook}/deliveries.json`)).text).deliveries as any[];

    it('POSTs every change, in order, in the old shape, signed per Standard Webhooks', async () => {
      const r = await receiver();
      const t = await server.tenant();
      const hook = await register(server, t, r.url);
      const id = await create(server, t, 'Bouvet', '<job_title>Buyer</job_title>');
      expect((await server.as(t)(`/${t.bf}/contacts/${id}.xml`, { method: 'PUT', body: contactXml('Bouvet', '<job_title>Head buyer</job_title>') })).status).to.equal(200);
      expect((await server.as(t)(`/${t.bf}/contacts/${id}.xml`, { method: 'DELETE' })).status).to.equal(200);
      await r.waitFor(() => r.received.length >= 3);
      await sleep(200);
      expect(r.received).to.have.length(3);
      const feed = JSON.parse((await server.as(t)(`/${t.bf}/events.json`)).text).events;
      expect(r.eventIds()).to.deep.equal(feed.map((e: { id: number }) => e.id));
      const user = Number((await server.db('users').where('login', t.login).first('id')).id);
      const [created, updated, destroyed] = r.received;
      expect(Object.keys(updated.json)).to.deep.equal(['object_action', 'object_zname', 'object_zid', 'buisness_file_id', 'business_file_id', 'user_id', 'object_changes', 'object_data', 'event_id']);
      expect(updated.json).to.deep.include({ object_action: 'update', object_zname: 'contacts', object_zid: id, buisness_file_id: t.bf, business_file_id: t.bf, user_id: user, event_id: feed[1].id });
      expect(updated.json.object_changes).to.deep.equal({ job_title: ['Buyer', 'Head buyer'] });
      expect(updated.json.object_data).to.include({ id, last_name: 'Bouvet', job_title: 'Head buyer' });
      expect(created.json.object_action).to.equal('create');
      expect(destroyed.json).to.deep.include({ object_action: 'destroy', object_zid: id });
      expect(destroyed.json.object_data).to.include({ id, job_title: 'Head buyer' }); // the last state
      for (const d of r.received) {
        expect(d.headers['content-type']).to.equal('application/json');
        expect(d.headers['webhook-id']).to.equal(String(d.json.event_id));
        expect(Math.abs(Number(d.headers['webhook-timestamp']) - Date.now() / 1000)).to.be.below(30);
        expect(d.headers['webhook-signature']).to.match(/^v1,[A-Za-z0-9+/]+=*$/);
        expect(verifySignature(hook.secret, d.headers, d.body)).to.equal(true);
        expect(verifySignature('whsec_' + Buffer.alloc(24).toString('base64'), d.headers, d.body)).to.equal(false);
      }
      await until(async () => (await deliveries(t, hook.id)).length === 3);
      const log = await deliveries(t, hook.id);
      expect(log.map((d) => [d.event_id, d.attempt, d.status, d.error])).to.deep.equal(feed.map((e: { id: number }) => [e.id, 1, 200, null]).reverse());
      expect(log[0].milliseconds).to.be.a('number');
      // The receiver's answer is not kept, nor the secret logged.
      expect(JSON.stringify(await server.db('webhook_deliveries').where('webhook_id', hook.id))).not.to.contain('must not keep');
      expect(logs.join('\n')).not.to.contain(hook.secret);
    });

    it('retries a failing endpoint with growing delays, never sending a later event first', async () => {
      const r = await receiver();
      let failures = 3;
      r.answer = () => (failures-- > 0 ? { status: 500 } : { status: 200 });
      const t = await server.tenant();
      const hook = await register(server, t, r.url);
      await create(server, t, 'First');
      await create(server, t, 'Second');
      await r.waitFor(() => r.received.length >= 5, 15_000);
      await until(async () => (await deliveries(t, hook.id)).length === 5);
      const ids = r.eventIds();
      expect(ids.slice(0, 4).every((id) => id === ids[0])).to.equal(true);
      expect(ids[4]).to.be.above(ids[0]);
      const gaps = r.received.slice(1, 4).map((d, i) => d.at - r.received[i].at);
      expect(gaps[0]).to.be.at.least(90);
      expect(gaps[1]).to.be.at.least(190);
      expect(gaps[2]).to.be.at.least(390);
      const log = await deliveries(t, hook.id);
      expect(log.map((d) => [d.attempt, d.status]).reverse()).to.deep.equal([
        [1, 500],
        [2, 500],
        [3, 500],
        [4, 200],
        [1, 200],
      ]);
    });

    it('marks an endpoint failing after the failing period, keeps its deliveries, and clears it once they succeed', async () => {
      const s = await restart({ ...FAST, retryBaseMs: 30, retryMaxMs: 60, failingAfterMs: 400 });
      try {
        const r = await receiver();
        let down = true;
        r.answer = () => ({ status: down ? 503 : 200 });
        const t = await s.tenant();
        const hook = await register(s, t, r.url);
        await create(s, t, 'Kept');
        const failing = async () => JSON.parse((await s.as(t)(`/${t.bf}/webhooks/${hook.id}.json`)).text).webhook.failing;
        const started = Date.now();
        await until(failing);
        expect(Date.now() - started).to.be.at.least(350); // not before the failing period
        const attempts = r.received.length;
        expect(attempts).to.be.at.least(3);
        down = false;
        await until(async () => !(await failing()));
        expect(r.received.length).to.be.above(attempts);
        expect(new Set(r.eventIds()).size).to.equal(1); // the same event all along, delivered in the end
      } finally {
        await s.stop();
      }
    });

    it('never lets a slow endpoint delay another endpoint or a request; a receiver past the timeout is retried', async () => {
      const s = await restart({ ...FAST, timeoutMs: 500 });
      try {
        const slow = await receiver();
        const fast = await receiver();
        slow.answer = () => ({ status: 200, delayMs: 2_000 });
        const t = await s.tenant();
        const slowHook = await register(s, t, slow.url);
        await register(s, t, fast.url);
        const started = Date.now();
        await create(s, t, 'One');
        await create(s, t, 'Two');
        expect(Date.now() - started).to.be.below(1_000);
        await fast.waitFor(() => fast.received.length === 2, 1_500);
        expect(slow.received.length).to.be.at.most(1);
        await slow.waitFor(() => slow.received.length >= 2, 5_000);
        expect(slow.eventIds()[1]).to.equal(slow.eventIds()[0]); // the same event again: the first timed out
        const log = await deliveries(t, slowHook.id);
        expect(log[log.length - 1]).to.include({ attempt: 1, status: null, error: 'timeout' });
      } finally {
        await s.stop();
      }
    });

    it('refuses at delivery time an address that became private, when private ones are not allowed', async () => {
      const s = await restart({ ...FAST, allowPrivate: false });
      try {
        const r = await receiver();
        const t = await s.tenant();
        // As if the host's DNS had changed after registration: the row points at 127.0.0.1.
        const [id] = await s
          .db('webhooks')
          .insert({ business_file_id: t.bf, url: r.url, secret: 'whsec_' + Buffer.alloc(24, 1).toString('base64'), created_at: '2026-12-06 00:00:00', delivered_through: 0 });
        await s
          .db('webhooks')
          .where('id', id)
          .update({ delivered_through: (await s.db('event_sequence').first('last_position')).last_position });
        await create(s, t, 'Inside');
        await until(async () => (await s.db('webhook_deliveries').where('webhook_id', id)).length > 0);
        expect(r.received).to.have.length(0);
        const log = await s.db('webhook_deliveries').where('webhook_id', id);
        expect(log[0]).to.include({ error: 'address not allowed' });
      } finally {
        await s.stop();
      }
    });

    it('with two services on one database, delivers each event once, in order', async () => {
      const other = await TestServer.start(fixed(engine, server), [], { events: FAST });
      try {
        const r = await receiver();
        const t = await server.tenant();
        await register(server, t, r.url);
        // Four concurrent writers, alternating between the services.
        await Promise.all(
          [0, 1, 2, 3].map(async (w) => {
            for (let i = w; i < 60; i += 4) await create(i % 2 ? server : other, t, `Both${i}`);
          }),
        );
        const feed = JSON.parse((await server.as(t)(`/${t.bf}/events.json?limit=1000`)).text).events.map((e: { id: number }) => e.id);
        expect(feed).to.have.length(60);
        await r.waitFor(() => r.received.length >= 60);
        await sleep(500);
        expect(r.eventIds()).to.deep.equal(feed);
      } finally {
        await other.stop();
      }
    });
  });
});

/** An engine whose url() is the database `server` already uses (a second service on it). */
function fixed(engine: Engine, server: TestServer): Engine {
  const url = engine.name === 'sqlite' ? `sqlite://${(server.db.client.config.connection as { filename: string }).filename}` : engine.url();
  return { name: engine.name, url: () => url };
}
