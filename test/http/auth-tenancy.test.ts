// Authentication and tenancy over HTTP (contract section 1): 401 with a Basic challenge, Token
// and Bearer API tokens, 403 for another business file, 404 for another business file's
// contact (never shown, never changed), the short paths, users with several business files, and
// removed users or changed passwords refused at once despite the verified-password cache.
import { expect } from 'chai';
import { addUser, removeUser } from '../../src/auth/users.js';
import { forEachEngine } from '../support/engines.js';
import { FULL_CONTACT, contactXml, errorsOf, field, parseXml } from '../support/contacts.js';
import { basic, type Response } from '../support/http.js';
import { TestServer, type Tenant } from '../support/server.js';

const XML_TYPE = 'application/xml; charset=utf-8';
const JSON_TYPE = 'application/json; charset=utf-8';
const ERRORS_START = /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<errors>\n/;
const CHALLENGE = 'Basic realm="contacts"';

function expectXmlError(res: Response, status: number): void {
  expect(res.status, res.text).to.equal(status);
  expect(res.headers.get('content-type')).to.equal(XML_TYPE);
  expect(res.text).to.match(ERRORS_START);
  expect(errorsOf(res.text), res.text).to.have.length.greaterThan(0);
}

function expectUnauthorized(res: Response): void {
  expectXmlError(res, 401);
  expect(res.headers.get('www-authenticate')).to.equal(CHALLENGE);
}

function listedIds(res: Response): string[] {
  expect(res.status, res.text).to.equal(200);
  return (parseXml(res.text).contacts.contact ?? []).map((c: { id: string }) => c.id);
}

describe('authentication and tenancy over HTTP', () => {
  forEachEngine((engine) => {
    let server: TestServer;
    let a: Tenant;
    let b: Tenant;
    /** A contact of business file A: its id, path and GET answer as A sees it. */
    let contactA: { id: string; path: string; shown: Response };

    before(async () => {
      server = await TestServer.start(engine);
      a = await server.tenant();
      b = await server.tenant();
      const res = await server.as(a)(`/${a.bf}/contacts.xml`, { method: 'POST', body: FULL_CONTACT });
      expect(res.status, res.text).to.equal(201);
      const path = res.headers.get('location') as string;
      contactA = { id: field(res.text, 'id'), path, shown: await server.as(a)(path) };
    });
    after(() => server.stop());

    /** A business file id no one uses yet. */
    async function newBusinessFileId(): Promise<number> {
      const row = await server.db('business_files').max({ m: 'id' }).first();
      return Math.max(Number(row?.m ?? 0), 1000) + 1;
    }

    async function expectAUnchanged(): Promise<void> {
      const now = await server.as(a)(contactA.path);
      expect(now.status).to.equal(200);
      expect(now.text).to.equal(contactA.shown.text);
    }

    describe('401', () => {
      it('answers 401 with a Basic challenge and an error body without credentials, on every path', async () => {
        const none = { auth: false as const };
        const r = server.as(a);
        expectUnauthorized(await r(`/${a.bf}/contacts.xml`, none));
        expectUnauthorized(await r(contactA.path, none));
        expectUnauthorized(await r('/contacts.xml', none));
        expectUnauthorized(await r(`/contacts/${contactA.id}.xml`, none));
        expectUnauthorized(await r(`/contacts/list/${a.bf}.xml`, none));
        expectUnauthorized(await r(`/contacts/show/${a.bf}/${contactA.id}.xml`, none));
        expectUnauthorized(await r('/lookups.xml', none));
        expectUnauthorized(await r(`/${a.bf}/contacts.xml`, { ...none, method: 'POST', body: contactXml('Anon') }));
        expectUnauthorized(await r(contactA.path, { ...none, method: 'PUT', body: '<contact><first_name>Anon</first_name></contact>' }));
        expectUnauthorized(await r(contactA.path, { ...none, method: 'DELETE' }));
        await expectAUnchanged();
      });

      it('answers 401 for a wrong password, an unknown login and an empty password', async () => {
        for (const auth of [basic(a.login, a.password + 'x'), basic(a.login, ''), basic(`${a.login}-nobody`, a.password), basic(a.login.toUpperCase(), a.password)]) {
          expectUnauthorized(await server.request(`/${a.bf}/contacts.xml`, { auth }));
        }
        expectUnauthorized(await server.request(contactA.path, { method: 'DELETE', auth: basic(a.login, 'wrong') }));
        await expectAUnchanged();
      });

      it('accepts a password with colons, spaces and non-ASCII characters (sent as UTF-8)', async () => {
        const t = await server.tenant();
        const password = 'pä:ss wörd:€';
        await addUser(server.db, t.login, password, t.bf);
        expect((await server.request('/contacts.xml', { auth: basic(t.login, password) })).status).to.equal(200);
        expect((await server.request('/contacts.xml', { auth: `basic ${Buffer.from(`${t.login}:${password}`).toString('base64')}` })).status).to.equal(200);
        expectUnauthorized(await server.request('/contacts.xml', { auth: basic(t.login, 'pä') }));
      });

      it('answers 401 for malformed Authorization headers', async () => {
        for (const auth of ['Basic', 'Basic ', 'Basic !!!not-base64!!!', 'Basic ' + Buffer.from('no-colon').toString('base64'), 'Basic ' + Buffer.from(`:${a.password}`).toString('base64'), 'Digest username="x"', a.password, 'Token', 'Bearer ']) {
          expectUnauthorized(await server.request(`/${a.bf}/contacts.xml`, { auth }));
        }
      });

      it('answers 401 for an unknown token, with Token and with Bearer', async () => {
        const fake = 'x'.repeat(43);
        expectUnauthorized(await server.request(`/${a.bf}/contacts.xml`, { auth: `Token ${fake}` }));
        expectUnauthorized(await server.request(`/${a.bf}/contacts.xml`, { auth: `Bearer ${fake}` }));
        // neither the stored digest of a real token nor the user's password is a token
        await server.token(a.login);
        const { token_digest: digest } = await server.db('api_tokens').join('users', 'users.id', 'api_tokens.user_id').where('users.login', a.login).select('token_digest').first();
        expectUnauthorized(await server.request(`/${a.bf}/contacts.xml`, { auth: `Bearer ${digest}` }));
        expectUnauthorized(await server.request(`/${a.bf}/contacts.xml`, { auth: `Token ${a.password}` }));
      });

      it('answers 401 in JSON on .json, and on HEAD without a body', async () => {
        const res = await server.request(`/${a.bf}/contacts.json`);
        expect(res.status).to.equal(401);
        expect(res.headers.get('www-authenticate')).to.equal(CHALLENGE);
        expect(res.headers.get('content-type')).to.equal(JSON_TYPE);
        expect(JSON.parse(res.text).errors).to.be.an('array').with.length.greaterThan(0);
        const head = await server.request(contactA.path, { method: 'HEAD' });
        expect(head.status).to.equal(401);
        expect(head.headers.get('www-authenticate')).to.equal(CHALLENGE);
        expect(head.text).to.equal('');
      });
    });

    describe('API tokens', () => {
      it('accepts Authorization: Token <t> and Bearer <t> for reading and writing', async () => {
        const token = await server.token(a.login);
        for (const scheme of ['Token', 'Bearer']) {
          const auth = `${scheme} ${token}`;
          const list = await server.request(`/${a.bf}/contacts.xml`, { auth });
          expect(listedIds(list)).to.include(contactA.id);
          const created = await server.request(`/${a.bf}/contacts.xml`, { auth, method: 'POST', body: contactXml(`Via ${scheme}`) });
          expect(created.status, created.text).to.equal(201);
          const path = created.headers.get('location') as string;
          expect(path).to.match(new RegExp(`^/${a.bf}/contacts/\\d+\\.xml$`));
          const updated = await server.request(path, { auth, method: 'PUT', body: '<contact><first_name>Tok</first_name></contact>' });
          expect(updated.status, updated.text).to.equal(200);
          expect((await server.request(path, { auth, method: 'DELETE' })).status).to.equal(200);
        }
      });

      it('gives a token the rights of its user: 403 on another business file', async () => {
        const token = await server.token(a.login);
        expectXmlError(await server.request(`/${b.bf}/contacts.xml`, { auth: `Bearer ${token}` }), 403);
        const short = await server.request('/contacts.xml', { auth: `Token ${token}` });
        expect(listedIds(short)).to.include(contactA.id);
      });
    });

    describe('403 for a business file the user does not belong to', () => {
      it('on every verb and path, changing and creating nothing', async () => {
        const contactB = await server.as(b)(`/${b.bf}/contacts.xml`, { method: 'POST', body: contactXml('Of B') });
        expect(contactB.status).to.equal(201);
        const pathB = contactB.headers.get('location') as string;
        const idB = field(contactB.text, 'id');
        const shownB = await server.as(b)(pathB);
        const asA = server.as(a);
        expectXmlError(await asA(`/${b.bf}/contacts.xml`), 403);
        expectXmlError(await asA(`/contacts/list/${b.bf}.xml`), 403);
        expectXmlError(await asA(pathB), 403);
        expectXmlError(await asA(`/contacts/show/${b.bf}/${idB}.xml`), 403);
        expectXmlError(await asA(`/${b.bf}/contacts.xml`, { method: 'POST', body: contactXml('Intruder') }), 403);
        expectXmlError(await asA(pathB, { method: 'PUT', body: '<contact><last_name>Hacked</last_name></contact>' }), 403);
        expectXmlError(await asA(pathB, { method: 'PATCH', body: '<contact><last_name>Hacked</last_name></contact>' }), 403);
        expectXmlError(await asA(pathB, { method: 'DELETE' }), 403);
        expectXmlError(await asA(`/contacts/show/${b.bf}/${idB}.xml`, { method: 'DELETE' }), 403);
        const after = await server.as(b)(pathB);
        expect(after.text).to.equal(shownB.text);
        expect(listedIds(await server.as(b)(`/${b.bf}/contacts.xml`))).to.deep.equal([idB]);
      });

      it('for a business file that does not exist, and in JSON on .json', async () => {
        const missing = (await newBusinessFileId()) + 500;
        expectXmlError(await server.as(a)(`/${missing}/contacts.xml`), 403);
        const res = await server.as(a)(`/${b.bf}/contacts.json`);
        expect(res.status).to.equal(403);
        expect(res.headers.get('content-type')).to.equal(JSON_TYPE);
        expect(JSON.parse(res.text).errors).to.be.an('array').with.length.greaterThan(0);
      });
    });

    describe('a contact of another business file is 404', () => {
      it('for GET, PUT, PATCH and DELETE by id, and stays unchanged', async () => {
        const asB = server.as(b);
        const path = `/${b.bf}/contacts/${contactA.id}.xml`;
        expectXmlError(await asB(path), 404);
        const head = await asB(path, { method: 'HEAD' });
        expect(head.status).to.equal(404);
        expect(head.text).to.equal('');
        expectXmlError(await asB(path, { method: 'PUT', body: '<contact><last_name>Hacked</last_name><contact_items></contact_items></contact>' }), 404);
        expectXmlError(await asB(path, { method: 'PATCH', body: '<contact><first_name>Hacked</first_name></contact>' }), 404);
        expectXmlError(await asB(path, { method: 'DELETE' }), 404);
        await expectAUnchanged();
      });

      it('through the short path, the old-style alias, JSON and a remote_id lookup', async () => {
        const asB = server.as(b);
        expectXmlError(await asB(`/contacts/${contactA.id}.xml`), 404);
        expectXmlError(await asB(`/contacts/${contactA.id}.xml`, { method: 'PUT', body: '<contact><last_name>Hacked</last_name></contact>' }), 404);
        expectXmlError(await asB(`/contacts/${contactA.id}.xml`, { method: 'DELETE' }), 404);
        expectXmlError(await asB(`/contacts/show/${b.bf}/${contactA.id}.xml`), 404);
        expectXmlError(await asB(`/contacts/show/${b.bf}/${contactA.id}.xml`, { method: 'PUT', body: '<contact><last_name>Hacked</last_name></contact>' }), 404);
        expectXmlError(await asB(`/contacts/show/${b.bf}/${contactA.id}.xml`, { method: 'DELETE' }), 404);
        const json = await asB(`/${b.bf}/contacts/${contactA.id}.json`);
        expect(json.status).to.equal(404);
        expect(JSON.parse(json.text).errors).to.be.an('array').with.length.greaterThan(0);
        const remoteId = field(contactA.shown.text, 'remote_id');
        expect(remoteId).to.equal('CONTACT_123');
        expectXmlError(await asB(`/${b.bf}/contacts/${remoteId}.xml?lookup_field=remote_id`), 404);
        expectXmlError(await asB(`/${b.bf}/contacts/${remoteId}.xml?lookup_field=remote_id`, { method: 'PUT', body: '<contact><last_name>Hacked</last_name></contact>' }), 404);
        expectXmlError(await asB(`/${b.bf}/contacts/${remoteId}.xml?lookup_field=remote_id`, { method: 'DELETE' }), 404);
        await expectAUnchanged();
      });

      it('does not appear in the other business file\'s list, filters or search', async () => {
        const fresh = await server.tenant();
        const asF = server.as(fresh);
        for (const query of ['', '?per_page=500', '?remote_id=CONTACT_123', '?q=bouvet', '?q=adele%40example.com', '?firm_id=3', '?contact_type=client', '?sort=last_name', '?pagination=false']) {
          const res = await asF(`/${fresh.bf}/contacts.xml${query}`);
          expect(listedIds(res), query).to.deep.equal([]);
          if (query !== '?pagination=false') expect(parseXml(res.text).contacts.pagination.total_entries, query).to.equal('0');
        }
        expect(listedIds(await asF(`/contacts/list/${fresh.bf}.xml`))).to.deep.equal([]);
        expect(listedIds(await asF('/contacts.xml'))).to.deep.equal([]);
      });

      it('cannot have its children taken over by a PUT from another business file', async () => {
        const c = parseXml(contactA.shown.text).contact[0];
        const itemId = c.contact_items.contact_item[0].id;
        const addressId = c.contact_addresses.contact_address[0].id;
        const own = await server.as(b)(`/${b.bf}/contacts.xml`, { method: 'POST', body: contactXml('Thief') });
        const path = own.headers.get('location') as string;
        const before = await server.as(b)(path);
        const res = await server.as(b)(path, {
          method: 'PUT',
          body: `<contact><contact_items><contact_item><id>${itemId}</id><type_id>23</type_id><value>stolen</value></contact_item></contact_items><contact_addresses><contact_address><id>${addressId}</id><address_type>20</address_type><city>Stolen</city></contact_address></contact_addresses></contact>`,
        });
        expect(res.status, res.text).to.equal(422);
        expect(res.text).to.match(ERRORS_START);
        for (const m of errorsOf(res.text)) expect(m).to.match(/^Contact (items|addresses) /);
        expect((await server.as(b)(path)).text).to.equal(before.text);
        await expectAUnchanged();
      });
    });

    describe('short paths act on the default business file', () => {
      it('POST /contacts.xml creates in it; GET, PUT and DELETE /contacts/{id}.xml act on it', async () => {
        const t = await server.tenant();
        const as = server.as(t);
        const created = await as('/contacts.xml', { method: 'POST', body: contactXml('Short') });
        expect(created.status, created.text).to.equal(201);
        const id = field(created.text, 'id');
        expect(created.headers.get('location')).to.equal(`/${t.bf}/contacts/${id}.xml`);
        const stored = await server.db('contacts').where('id', Number(id)).first();
        expect(Number(stored.business_file_id)).to.equal(t.bf);
        expect(listedIds(await as('/contacts.xml'))).to.deep.equal([id]);
        expect(listedIds(await as(`/${t.bf}/contacts.xml`))).to.deep.equal([id]);
        const shown = await as(`/contacts/${id}.xml`);
        expect(shown.status).to.equal(200);
        expect(field(shown.text, 'last_name')).to.equal('Short');
        const updated = await as(`/contacts/${id}.xml`, { method: 'PUT', body: '<contact><first_name>Path</first_name></contact>' });
        expect(updated.status, updated.text).to.equal(200);
        expect(field((await as(`/${t.bf}/contacts/${id}.xml`)).text, 'first_name')).to.equal('Path');
        expect((await as(`/contacts/${id}.xml`, { method: 'DELETE' })).status).to.equal(200);
        expectXmlError(await as(`/${t.bf}/contacts/${id}.xml`), 404);
      });
    });

    describe('a user with two business files', () => {
      it('uses both, the first staying the default of the short paths', async () => {
        const t = await server.tenant();
        const second = await newBusinessFileId();
        const as = server.as(t);
        expectXmlError(await as(`/${second}/contacts.xml`), 403);
        await addUser(server.db, t.login, t.password, second);
        // the new membership counts at once
        const inSecond = await as(`/${second}/contacts.xml`, { method: 'POST', body: contactXml('Second', '<remote_id>TWO</remote_id>') });
        expect(inSecond.status, inSecond.text).to.equal(201);
        const secondId = field(inSecond.text, 'id');
        expect(inSecond.headers.get('location')).to.equal(`/${second}/contacts/${secondId}.xml`);
        const inFirst = await as(`/${t.bf}/contacts.xml`, { method: 'POST', body: contactXml('First', '<remote_id>TWO</remote_id>') });
        expect(inFirst.status, inFirst.text).to.equal(201);
        const firstId = field(inFirst.text, 'id');

        expect(listedIds(await as(`/${second}/contacts.xml`))).to.deep.equal([secondId]);
        expect(listedIds(await as(`/${t.bf}/contacts.xml`))).to.deep.equal([firstId]);
        expect(listedIds(await as('/contacts.xml'))).to.deep.equal([firstId]);
        expect(listedIds(await as(`/contacts/list/${second}.xml`))).to.deep.equal([secondId]);
        // each contact only through its own business file
        expect((await as(`/${second}/contacts/${secondId}.xml`)).status).to.equal(200);
        expectXmlError(await as(`/${t.bf}/contacts/${secondId}.xml`), 404);
        expectXmlError(await as(`/contacts/${secondId}.xml`), 404);
        expectXmlError(await as(`/${second}/contacts/${firstId}.xml`), 404);
        const put = await as(`/contacts/show/${second}/${secondId}.xml`, { method: 'PUT', body: '<contact><first_name>Both</first_name></contact>' });
        expect(put.status, put.text).to.equal(200);
        // a token of that user reaches both too
        const token = await server.token(t.login);
        expect(listedIds(await server.request(`/${second}/contacts.xml`, { auth: `Bearer ${token}` }))).to.deep.equal([secondId]);
        expect(listedIds(await server.request('/contacts.xml', { auth: `Token ${token}` }))).to.deep.equal([firstId]);
      });

      it('shares a business file between two users', async () => {
        const t = await server.tenant();
        const created = await server.as(t)(`/${t.bf}/contacts.xml`, { method: 'POST', body: contactXml('Shared') });
        const id = field(created.text, 'id');
        const colleague = { login: `${t.login}-colleague`, password: 'colleague-pw-1' };
        await addUser(server.db, colleague.login, colleague.password, t.bf);
        const auth = basic(colleague.login, colleague.password);
        expect(listedIds(await server.request('/contacts.xml', { auth }))).to.deep.equal([id]);
        expect((await server.request(`/${t.bf}/contacts/${id}.xml`, { auth })).status).to.equal(200);
        // each password only for its own login
        expectUnauthorized(await server.request('/contacts.xml', { auth: basic(colleague.login, t.password) }));
        expectUnauthorized(await server.request('/contacts.xml', { auth: basic(t.login, colleague.password) }));
      });
    });

    describe('changes to users count at once (despite the verified-password cache)', () => {
      it('refuses a removed user right after a successful request, by password and by token', async () => {
        const t = await server.tenant();
        const token = await server.token(t.login);
        const path = `/${t.bf}/contacts.xml`;
        expect((await server.request(path, { auth: t.auth })).status).to.equal(200);
        expect((await server.request(path, { auth: t.auth })).status).to.equal(200); // now cached
        expect((await server.request(path, { auth: `Bearer ${token}` })).status).to.equal(200);
        expect(await removeUser(server.db, t.login)).to.equal(true);
        expectUnauthorized(await server.request(path, { auth: t.auth }));
        expectUnauthorized(await server.request('/contacts.xml', { auth: t.auth }));
        expectUnauthorized(await server.request(path, { auth: `Bearer ${token}` }));
        expectUnauthorized(await server.request(path, { method: 'POST', auth: t.auth, body: contactXml('Ghost') }));
      });

      it('refuses a removed user even when a new user takes the same login with another password', async () => {
        const t = await server.tenant();
        expect((await server.request('/contacts.xml', { auth: t.auth })).status).to.equal(200);
        await removeUser(server.db, t.login);
        await addUser(server.db, t.login, 'a-brand-new-password', t.bf);
        expectUnauthorized(await server.request('/contacts.xml', { auth: t.auth }));
        expect((await server.request('/contacts.xml', { auth: basic(t.login, 'a-brand-new-password') })).status).to.equal(200);
      });

      it('refuses the old password at once after a change, and accepts the new one', async () => {
        const t = await server.tenant();
        const path = `/${t.bf}/contacts.xml`;
        expect((await server.request(path, { auth: t.auth })).status).to.equal(200);
        expect((await server.request(path, { auth: t.auth })).status).to.equal(200); // now cached
        const newPassword = `${t.password}-changed`;
        await addUser(server.db, t.login, newPassword, t.bf);
        expectUnauthorized(await server.request(path, { auth: t.auth }));
        expectUnauthorized(await server.request(contactA.path.replace(`/${a.bf}/`, `/${t.bf}/`), { method: 'DELETE', auth: t.auth }));
        expect((await server.request(path, { auth: basic(t.login, newPassword) })).status).to.equal(200);
        expectUnauthorized(await server.request(path, { auth: t.auth }));
        // and back again: the old password works once it is the current one again
        await addUser(server.db, t.login, t.password, t.bf);
        expectUnauthorized(await server.request(path, { auth: basic(t.login, newPassword) }));
        expect((await server.request(path, { auth: t.auth })).status).to.equal(200);
      });

      it('still accepts the right password after wrong attempts', async () => {
        const t = await server.tenant();
        for (let i = 0; i < 3; i++) expectUnauthorized(await server.request('/contacts.xml', { auth: basic(t.login, `${t.password}${i}`) }));
        expect((await server.request('/contacts.xml', { auth: t.auth })).status).to.equal(200);
      });
    });
  });
});
