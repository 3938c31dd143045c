// The XML profile of an API user (CONTRACT.md section 1): set by the operator with
// `contacts users add … --empty-integers omit|empty`. Under `omit`, every integer element
// without a value is left out of every XML document the user receives (a document, a list, the
// firm's contacts, an export); text elements are always written; JSON and errors are the same
// for both profiles; another user of the same business file keeps `<firm_id></firm_id>`.
import { expect } from 'chai';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addUser } from '../../src/auth/users.js';
import { contactXml, parseXml } from '../support/contacts.js';
import { forEachEngine, type Engine } from '../support/engines.js';
import { ADDRESS_FIELDS, childNames, CONTACT_FIELDS, FIRM_FIELDS, FIRM_INTEGER_FIELDS, firmOf, firmXml, ITEM_FIELDS } from '../support/firms.js';
import { basic } from '../support/http.js';
import { runCli } from '../support/process.js';
import { TestServer, type Tenant } from '../support/server.js';

const CONTACT_INTEGERS = ['id', 'civility_label_id', 'firm_id', 'project_id', 'bank_account_id', 'creator_id', 'modifier_id'];
const CHILD_INTEGERS = ['id', 'contact_id', 'address_type', 'type_id', 'creator_id', 'modifier_id'];
const INTEGER_ELEMENT = new RegExp(`<(${[...new Set([...CONTACT_INTEGERS, ...CHILD_INTEGERS, ...FIRM_INTEGER_FIELDS])].join('|')})><\\/\\1>`);

describe('the XML profile of an API user (--empty-integers)', () => {
  forEachEngine((engine) => {
    let server: TestServer;
    let databaseUrl: string;
    const cwd = mkdtempSync(join(tmpdir(), 'contacts-profile-'));
    before(async () => {
      databaseUrl = engine.url();
      const fixed: Engine = { name: engine.name, url: () => databaseUrl };
      server = await TestServer.start(fixed);
    });
    after(() => server.stop());

    /** A user of business file `t.bf` added by the operator with `--empty-integers profile`. */
    async function profileUser(t: Tenant, profile?: 'omit' | 'empty'): Promise<string> {
      const login = `${t.login}-${profile ?? 'default'}`;
      const password = `${profile ?? 'default'}-password`;
      const args = ['users', 'add', '--login', login, '--password', password, '--business-file', String(t.bf)];
      if (profile) args.push('--empty-integers', profile);
      const run = await runCli(args, { DATABASE_URL: databaseUrl }, cwd);
      expect(run.code, run.stderr).to.equal(0);
      return basic(login, password);
    }

    async function seed(t: Tenant): Promise<{ contactId: string; firmId: string }> {
      const firm = await server.as(t)(`/${t.bf}/firms.xml`, { method: 'POST', body: firmXml('Sparse') });
      expect(firm.status, firm.text).to.equal(201);
      const firmId = firmOf(firm.text).id;
      const contact = await server.as(t)(`/${t.bf}/contacts.xml`, {
        method: 'POST',
        body: contactXml('Sparse', `<firm_id>${firmId}</firm_id><contact_addresses><contact_address><address_type>20</address_type></contact_address></contact_addresses><contact_items><contact_item><type_id>27</type_id><value>s@example.com</value></contact_item></contact_items>`),
      });
      expect(contact.status, contact.text).to.equal(201);
      await server.as(t)(`/${t.bf}/contacts.xml`, { method: 'POST', body: contactXml('NoFirm') });
      return { contactId: parseXml(contact.text).contact[0].id, firmId };
    }

    it('leaves out of a contact, its addresses and items every integer element without a value, and writes every text element', async () => {
      const t = await server.tenant();
      const omit = await profileUser(t, 'omit');
      const { contactId } = await seed(t);
      const [, noFirm] = (parseXml((await server.as(t)(`/${t.bf}/contacts.xml`)).text).contacts.contact as { id: string }[]).map((c) => c.id);
      const res = await server.request(`/${t.bf}/contacts/${noFirm}.xml`, { auth: omit });
      expect(res.status).to.equal(200);
      expect(res.text).not.to.match(INTEGER_ELEMENT);
      expect(childNames(res.text, 'contact')).to.deep.equal(CONTACT_FIELDS.filter((f) => !['civility_label_id', 'firm_id', 'project_id', 'bank_account_id'].includes(f)));
      expect(res.text).to.contain('<first_name></first_name>');
      expect(res.text).to.contain('<firm_name></firm_name>');
      expect(res.text).to.contain('<contact_addresses></contact_addresses>');
      const full = await server.request(`/${t.bf}/contacts/${contactId}.xml`, { auth: omit });
      expect(childNames(full.text, 'contact')).to.include('firm_id');
      expect(childNames(full.text, 'contact_address')).to.deep.equal(ADDRESS_FIELDS);
      expect(childNames(full.text, 'contact_item')).to.deep.equal(ITEM_FIELDS);
      const head = await server.request(`/${t.bf}/contacts/${noFirm}.xml`, { auth: omit, method: 'HEAD' });
      expect(head.headers.get('content-length')).to.equal(String(Buffer.byteLength(res.text)));
    });

    it('keeps <firm_id></firm_id> for a user of the default profile and one added with --empty-integers empty, in the same business file', async () => {
      const t = await server.tenant();
      const empty = await profileUser(t, 'empty');
      const byDefault = await profileUser(t);
      await profileUser(t, 'omit');
      await seed(t);
      for (const auth of [t.auth, empty, byDefault]) {
        const res = await server.request(`/${t.bf}/contacts.xml`, { auth });
        expect(res.text).to.contain('<firm_id></firm_id>');
        expect(res.text).to.contain('<civility_label_id></civility_label_id>');
      }
    });

    it('applies to lists, a firm\'s contacts, exports, the short and old-style paths, and to the answers of POST and PUT', async () => {
      const t = await server.tenant();
      const omit = await profileUser(t, 'omit');
      const { contactId, firmId } = await seed(t);
      const paths = [`/${t.bf}/contacts.xml`, '/contacts.xml', `/contacts/list/${t.bf}.xml`, `/${t.bf}/contacts/export.xml`, `/${t.bf}/contacts.xml?pagination=false`, `/${t.bf}/firms/${firmId}/contacts.xml`];
      for (const path of paths) {
        const res = await server.request(path, { auth: omit });
        expect(res.status, path).to.equal(200);
        expect(res.text, path).not.to.match(INTEGER_ELEMENT);
        expect(res.text, path).to.contain('<comment></comment>');
      }
      const list = await server.request(`/${t.bf}/contacts.xml`, { auth: omit });
      expect(list.text).to.contain('<total_entries>2</total_entries>');
      const posted = await server.request(`/${t.bf}/contacts.xml`, { auth: omit, method: 'POST', body: contactXml('Posted') });
      expect(posted.status).to.equal(201);
      expect(posted.text).not.to.match(INTEGER_ELEMENT);
      const put = await server.request(`/${t.bf}/contacts/${contactId}.xml`, { auth: omit, method: 'PUT', body: '<contact><firm_id></firm_id></contact>' });
      expect(put.status).to.equal(200);
      expect(put.text).not.to.contain('<firm_id>');
      const alias = await server.request(`/contacts/show/${t.bf}/${contactId}.xml`, { auth: omit });
      expect(alias.text).not.to.contain('<firm_id>');
    });

    it('applies to firms: a firm, the list, the export, create and update answers', async () => {
      const t = await server.tenant();
      const omit = await profileUser(t, 'omit');
      const { firmId } = await seed(t);
      const one = await server.request(`/${t.bf}/firms/${firmId}.xml`, { auth: omit });
      expect(one.status).to.equal(200);
      expect(childNames(one.text, 'firm')).to.deep.equal(FIRM_FIELDS.filter((f) => !['parent_firm_id', 'project_id', 'bank_account_id'].includes(f)));
      expect(one.text).to.contain('<contacts_count>1</contacts_count>');
      expect(one.text).to.contain('<siren></siren>');
      for (const path of [`/${t.bf}/firms.xml`, `/firms/list/${t.bf}.xml`, `/firms/show/${t.bf}/${firmId}.xml`, `/${t.bf}/firms/export.xml`]) {
        const res = await server.request(path, { auth: omit });
        expect(res.status, path).to.equal(200);
        expect(res.text, path).not.to.match(INTEGER_ELEMENT);
      }
      const created = await server.request(`/${t.bf}/firms.xml`, { auth: omit, method: 'POST', body: firmXml('Omitted') });
      expect(created.status).to.equal(201);
      expect(created.text).not.to.contain('<parent_firm_id>');
      const updated = await server.request(`/${t.bf}/firms/${firmId}.xml`, { auth: omit, method: 'PUT', body: '<firm><project_id>7</project_id></firm>' });
      expect(updated.text).to.contain('<project_id>7</project_id>');
      expect(updated.text).not.to.contain('<bank_account_id>');
      // The default profile still writes them.
      expect((await server.as(t)(`/${t.bf}/firms/${firmId}.xml`)).text).to.contain('<bank_account_id></bank_account_id>');
    });

    it('never serves one profile the other\'s cached rendering, whichever reads first', async () => {
      const t = await server.tenant();
      const omit = await profileUser(t, 'omit');
      const { contactId, firmId } = await seed(t);
      const paths = [`/${t.bf}/contacts/${contactId}.xml`, `/${t.bf}/contacts.xml`, `/${t.bf}/contacts/export.xml`, `/${t.bf}/firms/${firmId}.xml`, `/${t.bf}/firms.xml`, `/${t.bf}/firms/${firmId}/contacts.xml`];
      for (let round = 0; round < 2; round++) {
        for (const path of paths) {
          const o = await server.request(path, { auth: omit });
          const e = await server.as(t)(path);
          const o2 = await server.request(path, { auth: omit });
          expect(o.text, `${path} omit`).not.to.match(INTEGER_ELEMENT);
          expect(o2.text, `${path} omit again`).to.equal(o.text);
          expect(e.text, `${path} empty`).to.match(INTEGER_ELEMENT);
        }
      }
    });

    it('leaves JSON and errors the same for both profiles', async () => {
      const t = await server.tenant();
      const omit = await profileUser(t, 'omit');
      const { contactId, firmId } = await seed(t);
      for (const path of [`/${t.bf}/contacts/${contactId}.json`, `/${t.bf}/contacts.json`, `/${t.bf}/firms/${firmId}.json`, `/${t.bf}/firms.json`]) {
        const mine = await server.request(path, { auth: omit });
        const theirs = await server.as(t)(path);
        expect(mine.text, path).to.equal(theirs.text);
      }
      expect(JSON.parse((await server.request(`/${t.bf}/firms/${firmId}.json`, { auth: omit })).text).firm.parent_firm_id).to.equal(null);
      const bad = (auth: string) => server.request(`/${t.bf}/contacts.xml`, { auth, method: 'POST', body: contactXml('', '<firm_id>x</firm_id>') });
      const a = await bad(omit);
      const b = await bad(t.auth);
      expect(a.status).to.equal(422);
      expect(a.text).to.equal(b.text);
      expect((await server.request(`/${t.bf}/contacts/999999999.xml`, { auth: omit })).text).to.equal((await server.as(t)(`/${t.bf}/contacts/999999999.xml`)).text);
    });

    it('takes a profile the operator changes for an existing user at once, on the next request', async () => {
      const t = await server.tenant();
      const login = `${t.login}-switch`;
      const add = (profile: string) => runCli(['users', 'add', '--login', login, '--password', 'switch-password', '--business-file', String(t.bf), '--empty-integers', profile], { DATABASE_URL: databaseUrl }, cwd);
      expect((await add('empty')).code).to.equal(0);
      const auth = basic(login, 'switch-password');
      await seed(t);
      expect((await server.request(`/${t.bf}/contacts.xml`, { auth })).text).to.contain('<firm_id></firm_id>');
      expect((await add('omit')).code).to.equal(0);
      expect((await server.request(`/${t.bf}/contacts.xml`, { auth })).text).not.to.contain('<firm_id></firm_id>');
      expect((await add('empty')).code).to.equal(0);
      expect((await server.request(`/${t.bf}/contacts.xml`, { auth })).text).to.contain('<firm_id></firm_id>');
    });

    it('is set by the library function too: addUser(db, login, password, bf, { emptyIntegers: "omit" })', async () => {
      const t = await server.tenant();
      await addUser(server.db, `${t.login}-lib`, 'lib-password', t.bf, { emptyIntegers: 'omit' });
      await seed(t);
      const res = await server.request(`/${t.bf}/contacts.xml`, { auth: basic(`${t.login}-lib`, 'lib-password') });
      expect(res.status).to.equal(200);
      expect(res.text).not.to.match(INTEGER_ELEMENT);
    });

    it('changes nothing when an omit-profile client PUTs back the document it read', async () => {
      const t = await server.tenant();
      const omit = await profileUser(t, 'omit');
      const { contactId, firmId } = await seed(t);
      for (const path of [`/${t.bf}/contacts/${contactId}.xml`, `/${t.bf}/firms/${firmId}.xml`]) {
        const before = await server.request(path, { auth: omit });
        const back = await server.request(path, { auth: omit, method: 'PUT', body: before.text });
        expect(back.status, back.text).to.equal(200);
        expect(back.text, path).to.equal(before.text);
        expect(back.headers.get('etag'), path).to.equal(before.headers.get('etag'));
      }
    });

    it('refuses --empty-integers with another value, adding no user', async () => {
      const t = await server.tenant();
      const login = `${t.login}-bad`;
      const run = await runCli(['users', 'add', '--login', login, '--password', 'pw-bad', '--business-file', String(t.bf), '--empty-integers', 'zero'], { DATABASE_URL: databaseUrl }, cwd);
      expect(run.code).not.to.equal(0);
      expect(run.stderr).to.contain('--empty-integers');
      expect(await server.db('users').where('login', login).first()).to.equal(undefined);
    });
  });
});
