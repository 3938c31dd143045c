import { expect } from 'chai';
import { errorsOf, parseXml } from '../support/contacts.js';
import { forEachEngine } from '../support/engines.js';
import { TestServer, type Tenant } from '../support/server.js';

const webhookXml = (url: string) => `<webhook><url>${url}</url></webhook>`;

describe('webhooks: registration', () => {
  forEachEngine((engine) => {
    describe('with WEBHOOKS_ALLOW_PRIVATE=1', () => {
      let server: TestServer;
      before(async () => {
        server = await TestServer.start(engine, [], { events: { allowPrivate: true } });
      });
      after(() => server.stop());

      const add = (t: Tenant, url: string) => server.as(t)(`/${t.bf}/webhooks.xml`, { method: 'POST', body: webhookXml(url) });

      it('answers 201 with the id, the url and the secret, shown only then', async () => {
        const t = await server.tenant();
        const res = await add(t, 'http://127.0.0.1:9/hook');
        expect(res.status, res.text).to.equal(201);
        const hook = parseXml(res.text).webhook;
        expect(hook.id).to.match(/^\d+$/);
        expect(hook.url).to.equal('http://127.0.0.1:9/hook');
        expect(hook.secret).to.match(/^whsec_[A-Za-z0-9+/]{32}$/);
        expect(res.headers.get('location')).to.equal(`/${t.bf}/webhooks/${hook.id}.xml`);
        const list = await server.as(t)(`/${t.bf}/webhooks.xml`);
        expect(list.status).to.equal(200);
        const listed = parseXml(list.text).webhooks;
        expect(listed['@_type']).to.equal('array');
        expect(listed.webhook.id).to.equal(hook.id);
        expect(list.text).not.to.contain('secret');
        expect(list.text).not.to.contain(hook.secret);
        const shown = await server.as(t)(`/${t.bf}/webhooks/${hook.id}.json`);
        expect(JSON.parse(shown.text).webhook).to.include({ id: Number(hook.id), url: 'http://127.0.0.1:9/hook', failing: false });
        expect(shown.text).not.to.contain(hook.secret);
      });

      it('registers with JSON too', async () => {
        const t = await server.tenant();
        const res = await server.as(t)(`/${t.bf}/webhooks.json`, { method: 'POST', body: JSON.stringify({ webhook: { url: 'https://127.0.0.1/h' } }), contentType: 'application/json' });
        expect(res.status).to.equal(201);
        expect(JSON.parse(res.text).webhook.secret).to.match(/^whsec_/);
      });

      it('removes one (200, then 404), and its deliveries with it', async () => {
        const t = await server.tenant();
        const id = parseXml((await add(t, 'http://127.0.0.1:9/a')).text).webhook.id;
        expect((await server.as(t)(`/${t.bf}/webhooks/${id}.xml`, { method: 'DELETE' })).status).to.equal(200);
        expect((await server.as(t)(`/${t.bf}/webhooks/${id}.xml`, { method: 'DELETE' })).status).to.equal(404);
        expect((await server.as(t)(`/${t.bf}/webhooks/${id}/deliveries.xml`)).status).to.equal(404);
        expect(parseXml((await server.as(t)(`/${t.bf}/webhooks.xml`)).text).webhooks.webhook).to.equal(undefined);
      });

      it('keeps business files apart', async () => {
        const a = await server.tenant();
        const b = await server.tenant();
        const id = parseXml((await add(a, 'http://127.0.0.1:9/a')).text).webhook.id;
        expect((await server.as(b)(`/${b.bf}/webhooks/${id}.xml`, { method: 'DELETE' })).status).to.equal(404);
        expect((await server.as(b)(`/${b.bf}/webhooks/${id}/deliveries.xml`)).status).to.equal(404);
        expect((await server.as(b)(`/${a.bf}/webhooks.xml`)).status).to.equal(403);
        expect((await server.as(b)(`/${a.bf}/webhooks.xml`, { method: 'POST', body: webhookXml('http://127.0.0.1:9/') })).status).to.equal(403);
        expect(parseXml((await server.as(b)(`/${b.bf}/webhooks.xml`)).text).webhooks.webhook).to.equal(undefined);
      });

      it('answers 422 for a missing url or one that is not http(s), and 400/415 for a bad body', async () => {
        const t = await server.tenant();
        for (const [body, message] of [
          ['<webhook></webhook>', "Url can't be blank"],
          ['<webhook><url></url></webhook>', "Url can't be blank"],
          [webhookXml('ftp://example.com/x'), 'Url must be an http or https URL'],
          [webhookXml('file:///etc/passwd'), 'Url must be an http or https URL'],
          [webhookXml('not a url'), 'Url is not a valid URL'],
          [webhookXml('http://user:pw@example.com/'), 'Url must not carry a user name or password'],
          [webhookXml(`http://example.com/${'x'.repeat(2100)}`), 'Url is too long (maximum is 2048 characters)'],
        ]) {
          const res = await server.as(t)(`/${t.bf}/webhooks.xml`, { method: 'POST', body });
          expect(res.status, body).to.equal(422);
          expect(errorsOf(res.text), body).to.deep.equal([message]);
        }
        expect((await server.as(t)(`/${t.bf}/webhooks.xml`, { method: 'POST', body: '<webhook><url>' })).status).to.equal(400);
        expect((await server.as(t)(`/${t.bf}/webhooks.xml`, { method: 'POST', body: 'url=x', contentType: 'application/x-www-form-urlencoded' })).status).to.equal(415);
      });
    });

    describe('without WEBHOOKS_ALLOW_PRIVATE', () => {
      let server: TestServer;
      before(async () => {
        server = await TestServer.start(engine, [], { events: { allowPrivate: false } });
      });
      after(() => server.stop());

      it('refuses (422) hosts on loopback, private and link-local addresses', async () => {
        const t = await server.tenant();
        for (const url of [
          'http://127.0.0.1:8080/',
          'http://localhost/',
          'http://[::1]/',
          'http://10.1.2.3/',
          'http://172.16.0.1/',
          'http://192.168.1.1/',
          'http://169.254.169.254/latest/meta-data',
          'http://[fe80::1]/',
          'http://[::ffff:127.0.0.1]/',
          'http://0.0.0.0/',
          'https://[fd00::1]/',
        ]) {
          const res = await server.as(t)(`/${t.bf}/webhooks.xml`, { method: 'POST', body: webhookXml(url) });
          expect(res.status, url).to.equal(422);
          expect(errorsOf(res.text)[0], url).to.match(/^Url host /);
        }
        expect(parseXml((await server.as(t)(`/${t.bf}/webhooks.xml`)).text).webhooks.webhook).to.equal(undefined);
      });

      it('accepts a public address', async () => {
        const t = await server.tenant();
        const res = await server.as(t)(`/${t.bf}/webhooks.xml`, { method: 'POST', body: webhookXml('https://93.184.215.14/hook') });
        expect(res.status).to.equal(201);
      });
    });
  });
});
