// The whole contact document, version 2 (CONTRACT.md sections 2, 2.1, 3, 4, 5, 8): every field in
// the contract order in XML and JSON; the new stored fields kept byte for byte and validated;
// the derived fields (first_last_name, firm_name, children's contact_id, normalized_phone)
// computed and ignored on input; creator_id/modifier_id and children's timestamps kept by the
// service; q over the new text fields; a PUT-back that changes nothing; a firm rename reaching
// its contacts' documents (and ETags, not updated_at), also with the rendered-contact cache warm.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { addUser } from '../../src/auth/users.js';
import { contactXml, parseXml } from '../support/contacts.js';
import { forEachEngine } from '../support/engines.js';
import { ADDRESS_FIELDS, childNames, CONTACT_FIELDS, contactIds, firmOf, firmXml, ITEM_FIELDS, normalized, parseDoc } from '../support/firms.js';
import { basic, type Response } from '../support/http.js';
import { TestServer, type Tenant } from '../support/server.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const fixture = (path: string) => readFileSync(`fixtures/${path}`, 'utf8');
const errorsIn = (text: string): string[] => parseDoc(text).errors?.error ?? [];
const TOO_LONG = (label: string, max: number) => `${label} is too long (maximum is ${max} characters)`;
const address = (inner: string) => `<contact_addresses><contact_address><address_type>21</address_type>${inner}</contact_address></contact_addresses>`;
const item = (type: number, value: string, extra = '') => `<contact_item><type_id>${type}</type_id><value>${value}</value>${extra}</contact_item>`;

/** One problem each, in a contact that is otherwise valid. */
const CASES: { name: string; xml: string; messages: string[] }[] = [
  { name: 'a language of 21 characters', xml: `<language>${'l'.repeat(21)}</language>`, messages: [TOO_LONG('Language', 20)] },
  { name: 'a contact_origin of 256 characters', xml: `<contact_origin>${'o'.repeat(256)}</contact_origin>`, messages: [TOO_LONG('Contact origin', 255)] },
  { name: 'keywords of 1,001 characters', xml: `<keywords>${'k'.repeat(1001)}</keywords>`, messages: [TOO_LONG('Keywords', 1000)] },
  { name: 'a reference of 101 characters', xml: `<reference>${'r'.repeat(101)}</reference>`, messages: [TOO_LONG('Reference', 100)] },
  { name: 'an accounting_ref of 101 characters', xml: `<accounting_ref>${'a'.repeat(101)}</accounting_ref>`, messages: [TOO_LONG('Accounting ref', 100)] },
  { name: 'an accounting_ref_vendor of 101 characters', xml: `<accounting_ref_vendor>${'v'.repeat(101)}</accounting_ref_vendor>`, messages: [TOO_LONG('Accounting ref vendor', 100)] },
  { name: 'a batch of 101 characters', xml: `<batch>${'b'.repeat(101)}</batch>`, messages: [TOO_LONG('Batch', 100)] },
  { name: 'a batch_kind of 51 characters', xml: `<batch_kind>${'c'.repeat(51)}</batch_kind>`, messages: [TOO_LONG('Batch kind', 50)] },
  { name: 'an unknown contact_type2', xml: '<contact_type2>customer</contact_type2>', messages: ['Contact type2 is not included in the list'] },
  { name: 'a project_id 0x1F', xml: '<project_id>0x1F</project_id>', messages: ['Project id is not a number'] },
  { name: 'a project_id 1e5', xml: '<project_id>1e5</project_id>', messages: ['Project id is not a number'] },
  { name: 'a project_id 0', xml: '<project_id>0</project_id>', messages: ['Project id must be greater than 0'] },
  { name: 'a bank_account_id 12abc', xml: '<bank_account_id>12abc</bank_account_id>', messages: ['Bank account id is not a number'] },
  { name: 'a bank_account_id -1', xml: '<bank_account_id>-1</bank_account_id>', messages: ['Bank account id is not a number'] },
  { name: 'a control character in keywords', xml: '<keywords>a&#x7F;b</keywords>', messages: ['Keywords contains a control character (only tab and newline are allowed)'] },
  { name: 'a street_number of 21 characters', xml: address(`<street_number>${'1'.repeat(21)}</street_number>`), messages: [TOO_LONG('Contact addresses street number', 20)] },
  { name: 'a street_name of 256 characters', xml: address(`<street_name>${'s'.repeat(256)}</street_name>`), messages: [TOO_LONG('Contact addresses street name', 255)] },
  { name: 'an additional_info of 256 characters', xml: address(`<additional_info>${'i'.repeat(256)}</additional_info>`), messages: [TOO_LONG('Contact addresses additional info', 255)] },
  { name: 'a country_iso_3166_a3 of two letters', xml: address('<country_iso_3166_a3>FR</country_iso_3166_a3>'), messages: ['Contact addresses country iso 3166 a3 is not a three-letter code'] },
  { name: 'a country_iso_3166_a3 of four letters', xml: address('<country_iso_3166_a3>FRAN</country_iso_3166_a3>'), messages: ['Contact addresses country iso 3166 a3 is not a three-letter code'] },
  { name: 'a country_iso_3166_a3 with a digit', xml: address('<country_iso_3166_a3>F1A</country_iso_3166_a3>'), messages: ['Contact addresses country iso 3166 a3 is not a three-letter code'] },
];

/** The invalid-v2 fixtures and exactly the messages each must produce. */
const INVALID_FIXTURES: Record<string, string[]> = {
  'bad-country-iso-3166-a3.xml': ['Contact addresses country iso 3166 a3 is not a three-letter code'],
  'unknown-contact-type2.xml': ['Contact type2 is not included in the list'],
  'project-id-hex.xml': ['Project id is not a number'],
  'bank-account-id-zero.xml': ['Bank account id must be greater than 0'],
  'too-long-keywords.xml': [TOO_LONG('Keywords', 1000)],
};

describe('the contact document, version 2', () => {
  forEachEngine((engine) => {
    let server: TestServer;
    let databaseUrl: string;
    before(async () => {
      databaseUrl = engine.url();
      server = await TestServer.start({ name: engine.name, url: () => databaseUrl });
    });
    after(() => server.stop());

    async function createFirm(t: Tenant, name: string): Promise<string> {
      const res = await server.as(t)(`/${t.bf}/firms.xml`, { method: 'POST', body: firmXml(name) });
      expect(res.status, res.text).to.equal(201);
      return firmOf(res.text).id;
    }
    async function create(t: Tenant, body: string, auth?: string): Promise<{ res: Response; contact: any }> {
      const res = await server.as(t)(`/${t.bf}/contacts.xml`, { method: 'POST', body, ...(auth ? { auth } : {}) });
      expect(res.status, res.text).to.equal(201);
      return { res, contact: parseXml(res.text).contact[0] };
    }
    const show = (t: Tenant, id: string, ext = 'xml') => server.as(t)(`/${t.bf}/contacts/${id}.${ext}`);
    const put = (t: Tenant, id: string, body: string, auth?: string) => server.as(t)(`/${t.bf}/contacts/${id}.xml`, { method: 'PUT', body, ...(auth ? { auth } : {}) });
    const userId = async (login: string) => String((await server.db('users').where('login', login).first()).id);
    /** The contract's example contact (fixtures/responses/contact-v2.xml) pointing at firm `firmId`. */
    const example = (firmId: string) => fixture('responses/contact-v2.xml').replace('<firm_id>3</firm_id>', `<firm_id>${firmId}</firm_id>`);

    describe('the document', () => {
      it('matches the contract example (fixtures/responses/contact-v2.xml), ids and times aside, when that document is POSTed', async () => {
        const t = await server.tenant();
        const firmId = await createFirm(t, 'ACME');
        const { res, contact } = await create(t, example(firmId));
        expect(normalized(res.text)).to.equal(normalized(fixture('responses/contact-v2.xml')));
        expect(contact.firm_id).to.equal(firmId);
        expect(contact.creator_id).to.equal(await userId(t.login));
        expect((await show(t, contact.id)).text).to.equal(res.text);
      });

      it('writes every element, in the contract order, for the contact, its addresses and its items, empty ones as <x></x>', async () => {
        const t = await server.tenant();
        const { res } = await create(t, contactXml('Bare', `<contact_addresses>${'<contact_address><address_type>20</address_type></contact_address>'}</contact_addresses><contact_items>${item(28, 'a@example.com')}</contact_items>`));
        expect(childNames(res.text, 'contact')).to.deep.equal(CONTACT_FIELDS);
        expect(childNames(res.text, 'contact_address')).to.deep.equal(ADDRESS_FIELDS);
        expect(childNames(res.text, 'contact_item')).to.deep.equal(ITEM_FIELDS);
        expect(res.text).not.to.match(/<[a-z_0-9]+\/>/);
        expect(res.text).not.to.match(/ (type|nil)=/);
        for (const name of ['language', 'contact_type2', 'contact_origin', 'keywords', 'reference', 'accounting_ref', 'accounting_ref_vendor', 'firm_id', 'firm_name', 'project_id', 'bank_account_id', 'batch', 'batch_kind']) {
          expect(res.text, name).to.contain(`  <${name}></${name}>\n`);
        }
        const empty = await create(t, contactXml('No children'));
        expect(empty.res.text).to.contain('  <contact_addresses></contact_addresses>\n  <contact_items></contact_items>\n</contact>\n');
      });

      it('keeps the new stored fields byte for byte, and clears one sent empty', async () => {
        const t = await server.tenant();
        const fields = {
          language: 'fr_FR',
          contact_type2: 'press',
          contact_origin: 'Salon « Vinexpo » & co',
          keywords: 'vin, export,  Côtes-du-Rhône',
          reference: '00012',
          accounting_ref: '+411',
          accounting_ref_vendor: '401 0007',
          project_id: '5512',
          bank_account_id: '9007199254740991',
          batch: '17 jan 12 @ 15:12:02',
          batch_kind: 'CSV',
        };
        const escape = (v: string) => v.replace(/&/g, '&amp;').replace(/</g, '&lt;');
        const body = contactXml(
          'Stored',
          Object.entries(fields).map(([k, v]) => `<${k}>${escape(v)}</${k}>`).join('') +
            address('<street_number>012 bis</street_number><street_name>rue de l’Église</street_name><additional_info>3ᵉ étage</additional_info><country_iso_3166_a3>FRA</country_iso_3166_a3>'),
        );
        const { contact } = await create(t, body);
        for (const [k, v] of Object.entries(fields)) expect(contact[k], k).to.equal(v);
        const a = contact.contact_addresses.contact_address[0];
        expect([a.street_number, a.street_name, a.additional_info, a.country_iso_3166_a3]).to.deep.equal(['012 bis', 'rue de l’Église', '3ᵉ étage', 'FRA']);
        const cleared = parseXml((await put(t, contact.id, '<contact><keywords></keywords><project_id nil="true"/><contact_type2/></contact>')).text).contact[0];
        expect([cleared.keywords, cleared.project_id, cleared.contact_type2, cleared.reference]).to.deep.equal(['', '', '', '00012']);
      });

      it('mirrors the document in JSON: the same names in the same order, integers as numbers, empty as null, children as arrays, ISO 8601 times', async () => {
        const t = await server.tenant();
        const firmId = await createFirm(t, 'ACME');
        const { contact } = await create(t, example(firmId));
        const res = await show(t, contact.id, 'json');
        expect(res.status).to.equal(200);
        const body = JSON.parse(res.text);
        expect(Object.keys(body)).to.deep.equal(['contact']);
        const c = body.contact;
        expect(Object.keys(c)).to.deep.equal(CONTACT_FIELDS);
        expect(Object.keys(c.contact_addresses[0])).to.deep.equal(ADDRESS_FIELDS);
        expect(Object.keys(c.contact_items[0])).to.deep.equal(ITEM_FIELDS);
        expect(c.first_last_name).to.equal('Adèle Bouvet');
        expect(c.firm_id).to.equal(Number(firmId));
        expect(c.firm_name).to.equal('ACME');
        expect(c.contact_type2).to.equal(null);
        expect(c.project_id).to.equal(null);
        expect(c.creator_id).to.equal(Number(await userId(t.login)));
        expect(c.contact_addresses[0].contact_id).to.equal(Number(contact.id));
        expect(c.contact_addresses[0].country_iso_3166_a3).to.equal('FRA');
        expect(c.contact_addresses[0].street_address2).to.equal(null);
        expect(c.contact_addresses[0].created_at).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
        expect(c.contact_items[0].normalized_phone).to.equal('0123456789');
        expect(c.contact_items[0].creator_id).to.equal(Number(await userId(t.login)));
        expect(c.contact_items[0].updated_at).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
        // POST and PUT in JSON take the new fields too.
        const posted = await server.as(t)(`/${t.bf}/contacts.json`, {
          method: 'POST',
          contentType: 'application/json',
          body: JSON.stringify({ contact: { last_name: 'Json', keywords: 'k1', project_id: 4, contact_addresses: [{ address_type: 20, country_iso_3166_a3: 'BEL' }] } }),
        });
        expect(posted.status, posted.text).to.equal(201);
        const j = JSON.parse(posted.text).contact;
        expect([j.keywords, j.project_id, j.contact_addresses[0].country_iso_3166_a3, j.first_last_name]).to.deep.equal(['k1', 4, 'BEL', 'Json']);
      });
    });

    describe("the old system's single documents over the API", () => {
      it('creates from fixtures/old-system/contact.xml and firm.xml: values kept, ids, derived and kept fields and extra elements ignored', async () => {
        const t = await server.tenant();
        const me = await userId(t.login);
        const firmRes = await server.as(t)(`/${t.bf}/firms.xml`, { method: 'POST', body: fixture('old-system/firm.xml') });
        expect(firmRes.status, firmRes.text).to.equal(201);
        const f = firmOf(firmRes.text);
        expect(f).to.deep.include({ name: 'Vins & Spiritueux Bérard', siren: '552100554', tva: 'FR40552100554', bank_account_id: '4410', remote_id: 'FIRM-88123', contacts_count: '0', creator_id: me });
        expect(f.id).not.to.equal('88123');
        const body = fixture('old-system/contact.xml').replace('<firm_id>88123</firm_id>', `<firm_id>${f.id}</firm_id>`);
        const { res, contact } = await create(t, body);
        expect(childNames(res.text, 'contact')).to.deep.equal(CONTACT_FIELDS);
        expect(res.text).not.to.match(/business_file_id|object_zname|object_zid/);
        expect(contact).to.deep.include({ last_name: 'Lefèvre-Dumas', first_last_name: 'Hélène Lefèvre-Dumas', firm_name: 'Vins & Spiritueux Bérard', keywords: 'vin, export, Côtes-du-Rhône', creator_id: me, modifier_id: me });
        expect(contact.id).not.to.equal('4512301');
        expect(contact.created_at).not.to.equal('17-01-2012-15-14');
        const [phone, email] = contact.contact_items.contact_item;
        expect([phone.normalized_phone, email.normalized_phone, phone.creator_id]).to.deep.equal(['0478123456', '', me]);
        expect(contact.contact_addresses.contact_address[0]).to.deep.include({ additional_info: 'Bâtiment B, 3ᵉ étage', country_iso_3166_a3: 'FRA', contact_id: contact.id });
      });
    });

    describe('derived fields', () => {
      it('ignores derived and service-kept fields on input: first_last_name, firm_name, contact_id, normalized_phone, creator_id, modifier_id, children\'s timestamps', async () => {
        const t = await server.tenant();
        const firmId = await createFirm(t, 'Real Name');
        const { contact } = await create(
          t,
          contactXml(
            'Bouvet',
            `<first_name>Adèle</first_name><first_last_name>Wrong Name</first_last_name><firm_id>${firmId}</firm_id><firm_name>Wrong Firm</firm_name><creator_id>31337</creator_id><modifier_id>31337</modifier_id>` +
              `<contact_addresses><contact_address><contact_id>31337</contact_id><address_type>20</address_type><created_at>01-01-2001-00-00</created_at><updated_at>01-01-2001-00-00</updated_at></contact_address></contact_addresses>` +
              `<contact_items>${item(24, '01 23 45 67 89', '<contact_id>31337</contact_id><normalized_phone>999</normalized_phone><creator_id>31337</creator_id><modifier_id>31337</modifier_id><created_at>01-01-2001-00-00</created_at>')}</contact_items>`,
          ),
        );
        const me = await userId(t.login);
        expect(contact.first_last_name).to.equal('Adèle Bouvet');
        expect(contact.firm_name).to.equal('Real Name');
        expect([contact.creator_id, contact.modifier_id]).to.deep.equal([me, me]);
        const a = contact.contact_addresses.contact_address[0];
        const i = contact.contact_items.contact_item[0];
        expect(a.contact_id).to.equal(contact.id);
        expect(i.contact_id).to.equal(contact.id);
        expect(i.normalized_phone).to.equal('0123456789');
        expect([i.creator_id, i.modifier_id]).to.deep.equal([me, me]);
        expect(a.created_at).not.to.equal('01-01-2001-00-00');
        expect(a.updated_at).to.equal(contact.created_at);
        expect(i.created_at).to.equal(contact.created_at);
        // A PUT of derived fields alone changes nothing.
        const before = await show(t, contact.id);
        const res = await put(t, contact.id, '<contact><first_last_name>X</first_last_name><firm_name>Y</firm_name><creator_id>1</creator_id></contact>');
        expect(res.status).to.equal(200);
        expect(res.text).to.equal(before.text);
      });

      it('joins first and last name into first_last_name, trimmed', async () => {
        const t = await server.tenant();
        expect((await create(t, contactXml('Durand', '<first_name>Jean-Loïc</first_name>'))).contact.first_last_name).to.equal('Jean-Loïc Durand');
        expect((await create(t, contactXml('Seul'))).contact.first_last_name).to.equal('Seul');
        const { contact } = await create(t, contactXml('Two', '<first_name>One</first_name>'));
        const renamed = parseXml((await put(t, contact.id, '<contact><first_name></first_name></contact>')).text).contact[0];
        expect(renamed.first_last_name).to.equal('Two');
      });

      it('writes normalized_phone for phone, fax and cell kinds (digits, a leading + kept) and leaves it empty for email and messenger', async () => {
        const t = await server.tenant();
        const items = [
          [23, '+33 (0)1 23-45.67 89', '+330123456789'],
          [471, '01 23 45 67 89', '0123456789'],
          [24, '  04.78.12.34.56 ', '0478123456'],
          [25, 'fax: 01 99 88', '019988'],
          [26, '00 33 1 2+3', '0033123'],
          [554, '+33 6 12 34 56 78', '+33612345678'],
          [88, '06-12-34-56-78 (ext. 12)', '061234567812'],
          [28, 'a1@example.com', ''],
          [27, '+33@example.com', ''],
          [430, 'skype.123', ''],
          [457, '123456789', ''],
        ] as const;
        const { contact } = await create(t, contactXml('Phones', `<contact_items>${items.map(([type, value]) => item(type, value)).join('')}</contact_items>`));
        const got = contact.contact_items.contact_item.map((i: any) => [Number(i.type_id), i.normalized_phone]);
        expect(got).to.deep.equal(items.map(([type, , normalized]) => [type, normalized]));
        const first = contact.contact_items.contact_item[0];
        const changed = parseXml((await put(t, contact.id, `<contact><contact_items><contact_item><id>${first.id}</id><value>+1 555 0100</value></contact_item></contact_items></contact>`)).text).contact[0];
        expect(changed.contact_items.contact_item[0].normalized_phone).to.equal('+15550100');
      });

      it('recomputes normalized_phone when an item changes kind in place', async () => {
        const t = await server.tenant();
        const { contact } = await create(t, contactXml('Kinds', `<contact_items>${item(430, '+33 1 23')}</contact_items>`));
        const i = contact.contact_items.contact_item[0];
        expect(i.normalized_phone).to.equal('');
        const toPhone = parseXml((await put(t, contact.id, `<contact><contact_items><contact_item><id>${i.id}</id><type_id>23</type_id></contact_item></contact_items></contact>`)).text).contact[0];
        expect(toPhone.contact_items.contact_item[0]).to.deep.include({ id: i.id, value: '+33 1 23', normalized_phone: '+33123' });
      });

      it('gives firm_name the name of firm firm_id of this business file, empty for no firm, an unknown firm or another business file\'s firm', async () => {
        const t = await server.tenant();
        const other = await server.tenant();
        const mine = await createFirm(t, 'Mine &amp; Co');
        const theirs = await createFirm(other, 'Theirs');
        expect((await create(t, contactXml('A', `<firm_id>${mine}</firm_id>`))).contact.firm_name).to.equal('Mine & Co');
        expect((await create(t, contactXml('B'))).contact.firm_name).to.equal('');
        expect((await create(t, contactXml('C', '<firm_id>999999999</firm_id>'))).contact.firm_name).to.equal('');
        expect((await create(t, contactXml('D', `<firm_id>${theirs}</firm_id>`))).contact.firm_name).to.equal('');
        const listed = parseXml((await server.as(t)(`/${t.bf}/contacts.xml`)).text).contacts.contact.map((c: any) => c.firm_name);
        expect(listed).to.deep.equal(['Mine & Co', '', '', '']);
      });
    });

    describe('creator_id, modifier_id and the children\'s timestamps', () => {
      it('records the API user who created and who last changed the contact and each item; timestamps of a child move only when it changes', async () => {
        const t = await server.tenant();
        const second = { login: `${t.login}-second`, password: 'second-password' };
        await addUser(server.db, second.login, second.password, t.bf);
        const secondAuth = basic(second.login, second.password);
        const me = await userId(t.login);
        const them = await userId(second.login);
        const { contact } = await create(t, contactXml('Owned', `<contact_addresses><contact_address><address_type>20</address_type><city>Lyon</city></contact_address><contact_address><address_type>21</address_type><city>Paris</city></contact_address></contact_addresses><contact_items>${item(23, '0100')}${item(24, '0200')}</contact_items>`));
        const [a1, a2] = contact.contact_addresses.contact_address;
        const [i1, i2] = contact.contact_items.contact_item;
        for (const table of ['contact_addresses', 'contact_items']) await server.db(table).where('contact_id', Number(contact.id)).update({ created_at: '2012-01-17 15:14:09', updated_at: '2012-01-17 15:14:09' });
        await server.db('contacts').where('id', Number(contact.id)).update({ updated_at: '2012-01-17 15:14:09' });
        const res = await put(
          t,
          contact.id,
          `<contact><job_title>Changed</job_title>` +
            `<contact_addresses><contact_address><id>${a1.id}</id><city>Lyon</city></contact_address><contact_address><id>${a2.id}</id><city>Marseille</city></contact_address></contact_addresses>` +
            `<contact_items><contact_item><id>${i1.id}</id><value>0100</value></contact_item><contact_item><id>${i2.id}</id><value>0299</value></contact_item>${item(25, '0300')}</contact_items></contact>`,
          secondAuth,
        );
        expect(res.status, res.text).to.equal(200);
        const c = parseXml(res.text).contact[0];
        expect([c.creator_id, c.modifier_id]).to.deep.equal([me, them]);
        const [b1, b2] = c.contact_addresses.contact_address;
        expect([b1.created_at, b1.updated_at]).to.deep.equal(['17-01-2012-15-14', '17-01-2012-15-14']);
        expect(b2.created_at).to.equal('17-01-2012-15-14');
        expect(b2.updated_at).to.equal(c.updated_at);
        expect(b2.updated_at).not.to.equal('17-01-2012-15-14');
        const [j1, j2, j3] = c.contact_items.contact_item;
        expect([j1.creator_id, j1.modifier_id, j1.updated_at]).to.deep.equal([me, me, '17-01-2012-15-14']);
        expect([j2.creator_id, j2.modifier_id, j2.created_at]).to.deep.equal([me, them, '17-01-2012-15-14']);
        expect(j2.updated_at).to.equal(c.updated_at);
        expect([j3.creator_id, j3.modifier_id]).to.deep.equal([them, them]);
        expect(j3.created_at).to.equal(c.updated_at);
      });
    });

    describe('creator_id through an API token', () => {
      it('records the id of the user a Token or Bearer token belongs to, for contacts and firms', async () => {
        const t = await server.tenant();
        const token = await server.token(t.login);
        const me = await userId(t.login);
        const c = await server.request(`/${t.bf}/contacts.xml`, { method: 'POST', body: contactXml('Tokened'), auth: `Token ${token}` });
        expect(c.status).to.equal(201);
        expect(parseXml(c.text).contact[0].creator_id).to.equal(me);
        const f = await server.request(`/${t.bf}/firms.xml`, { method: 'POST', body: firmXml('Tokened'), auth: `Bearer ${token}` });
        expect(f.status).to.equal(201);
        expect(firmOf(f.text).creator_id).to.equal(me);
      });
    });

    describe('validation of the new fields (422)', () => {
      for (const c of CASES) {
        it(`rejects ${c.name}, on POST and on PUT, changing nothing`, async () => {
          const t = await server.tenant();
          const res = await server.as(t)(`/${t.bf}/contacts.xml`, { method: 'POST', body: contactXml('Valid', c.xml) });
          expect(res.status, res.text).to.equal(422);
          expect(errorsIn(res.text)).to.have.members(c.messages);
          expect(errorsIn(res.text)).to.have.length(c.messages.length);
          const { contact } = await create(t, contactXml('Valid'));
          const before = await show(t, contact.id);
          const updated = await put(t, contact.id, `<contact>${c.xml}</contact>`);
          expect(updated.status).to.equal(422);
          expect(errorsIn(updated.text)).to.have.members(c.messages);
          expect((await show(t, contact.id)).text).to.equal(before.text);
        });
      }

      for (const [file, messages] of Object.entries(INVALID_FIXTURES)) {
        it(`rejects fixtures/contacts/invalid-v2/${file}`, async () => {
          const t = await server.tenant();
          const res = await server.as(t)(`/${t.bf}/contacts.xml`, { method: 'POST', body: fixture(`contacts/invalid-v2/${file}`) });
          expect(res.status).to.equal(422);
          expect(errorsIn(res.text)).to.deep.equal(messages);
        });
      }

      it('takes the largest values and every contact type as contact_type2', async () => {
        const t = await server.tenant();
        const body = contactXml(
          'Limits',
          `<language>${'l'.repeat(20)}</language><contact_origin>${'o'.repeat(255)}</contact_origin><keywords>${'k'.repeat(1000)}</keywords><reference>${'r'.repeat(100)}</reference>` +
            `<accounting_ref>${'a'.repeat(100)}</accounting_ref><accounting_ref_vendor>${'v'.repeat(100)}</accounting_ref_vendor><batch>${'b'.repeat(100)}</batch><batch_kind>${'c'.repeat(50)}</batch_kind>` +
            address(`<street_number>${'1'.repeat(20)}</street_number><street_name>${'s'.repeat(255)}</street_name><additional_info>${'i'.repeat(255)}</additional_info><country_iso_3166_a3>ZZZ</country_iso_3166_a3>`),
        );
        await create(t, body);
        for (const type of ['client', 'prospect', 'supplier', 'press', 'partner', 'staff', 'perso', 'other']) expect((await create(t, contactXml(type, `<contact_type2>${type}</contact_type2>`))).contact.contact_type2).to.equal(type);
      });
    });

    describe('PUT back', () => {
      it('changes nothing (body, updated_at, ETag) when a v2 document read is PUT back as it is', async () => {
        const t = await server.tenant();
        const firmId = await createFirm(t, 'ACME');
        const { contact } = await create(t, example(firmId));
        const before = await show(t, contact.id);
        await sleep(1100);
        const res = await put(t, contact.id, before.text);
        expect(res.status, res.text).to.equal(200);
        expect(res.text).to.equal(before.text);
        expect(res.headers.get('etag')).to.equal(before.headers.get('etag'));
        expect((await show(t, contact.id)).text).to.equal(before.text);
      });

      it('changes nothing when ActiveResource PUTs it back dasherized, with type= and nil="true"', async () => {
        const t = await server.tenant();
        const firmId = await createFirm(t, 'ACME');
        const { contact } = await create(t, example(firmId).replace('</contact_items>', '  <contact_item><type_id>28</type_id><value>adele@example.com</value></contact_item>\n  </contact_items>'));
        const before = await show(t, contact.id);
        const integers = /<(id|civility-label-id|firm-id|project-id|bank-account-id|creator-id|modifier-id|contact-id|address-type|type-id)>/g;
        const body = before.text
          .replace(/<(\/?)([a-z0-9_]+)>/g, (_, slash: string, name: string) => `<${slash}${name.replace(/_/g, '-')}>`)
          .replace(/<([a-z0-9-]+)><\/\1>/g, '<$1 nil="true"/>')
          .replace(integers, '<$1 type="integer">')
          .replace('<contact-addresses>', '<contact-addresses type="array">')
          .replace(/<contact-items>([\s\S]*)<\/contact-items>/, '<contact-items><contact-item type="array">$1</contact-item></contact-items>');
        await sleep(1100);
        const res = await put(t, contact.id, body);
        expect(res.status, res.text).to.equal(200);
        expect(res.text).to.equal(before.text);
        expect(res.headers.get('etag')).to.equal(before.headers.get('etag'));
      });
    });

    describe('PUT back in JSON', () => {
      it('changes nothing when the JSON document read is PUT back, for a contact and a firm', async () => {
        const t = await server.tenant();
        const firmId = await createFirm(t, 'ACME');
        const { contact } = await create(t, example(firmId));
        await sleep(1100);
        for (const path of [`/${t.bf}/contacts/${contact.id}.json`, `/${t.bf}/firms/${firmId}.json`]) {
          const before = await server.as(t)(path);
          const res = await server.as(t)(path, { method: 'PUT', body: before.text, contentType: 'application/json' });
          expect(res.status, res.text).to.equal(200);
          expect(res.text, path).to.equal(before.text);
          expect(res.headers.get('etag'), path).to.equal(before.headers.get('etag'));
        }
      });
    });

    describe('a firm rename', () => {
      it("changes its contacts' firm_name and ETags, not their updated_at, also with the rendered-contact cache warm", async () => {
        const t = await server.tenant();
        const firmId = await createFirm(t, 'Old Name');
        // Imported, so that its updated_at is old from the start (no write moves it to now).
        const file = `<contacts><contact><last_name>Employee</last_name><firm_id>${firmId}</firm_id><created_at>17-01-2012-15-14</created_at><updated_at>17-01-2012-15-14</updated_at></contact></contacts>`;
        const imported = await server.as(t)(`/${t.bf}/contacts/import.xml`, { method: 'POST', body: file });
        expect(imported.status, imported.text).to.equal(200);
        const [id] = contactIds(await server.as(t)(`/${t.bf}/contacts.xml`));
        const contact = { id: String(id) };
        // Warm every cached rendering: XML, JSON, list page.
        const xml1 = await show(t, contact.id);
        await show(t, contact.id, 'json');
        await server.as(t)(`/${t.bf}/contacts.xml`);
        const xml2 = await show(t, contact.id);
        expect(xml2.text).to.equal(xml1.text);
        expect(parseXml(xml1.text).contact[0].firm_name).to.equal('Old Name');
        const renamed = await server.as(t)(`/${t.bf}/firms/${firmId}.xml`, { method: 'PUT', body: '<firm><name>New Name</name></firm>' });
        expect(renamed.status).to.equal(200);
        const after = await show(t, contact.id);
        const c = parseXml(after.text).contact[0];
        expect(c.firm_name).to.equal('New Name');
        expect(c.updated_at).to.equal('17-01-2012-15-14');
        expect(after.headers.get('etag')).not.to.equal(xml1.headers.get('etag'));
        expect(JSON.parse((await show(t, contact.id, 'json')).text).contact.firm_name).to.equal('New Name');
        expect(parseXml((await server.as(t)(`/${t.bf}/contacts.xml`)).text).contacts.contact[0].firm_name).to.equal('New Name');
        expect(parseXml((await server.as(t)(`/${t.bf}/contacts/export.xml`)).text).contacts.contact[0].firm_name).to.equal('New Name');
        // If-None-Match with the old tag is no longer a 304.
        expect((await server.as(t)(`/${t.bf}/contacts/${contact.id}.xml`, { headers: { 'If-None-Match': xml1.headers.get('etag') as string } })).status).to.equal(200);
        // A stale If-Match after the rename is refused.
        expect((await server.as(t)(`/${t.bf}/contacts/${contact.id}.xml`, { method: 'PUT', body: contactXml('X'), headers: { 'If-Match': xml1.headers.get('etag') as string } })).status).to.equal(412);
      });
    });

    describe('a firm rename seen by another service on the same database', () => {
      it("shows the new firm_name from a second service whose rendered-contact cache was warm", async () => {
        const t = await server.tenant();
        const second = await TestServer.start({ name: engine.name, url: () => databaseUrl });
        try {
          const firmId = await createFirm(t, 'Before');
          const { contact } = await create(t, contactXml('Seen', `<firm_id>${firmId}</firm_id>`));
          const warm = await second.as(t)(`/${t.bf}/contacts/${contact.id}.xml`);
          expect(parseXml(warm.text).contact[0].firm_name).to.equal('Before');
          await second.as(t)(`/${t.bf}/contacts.xml`);
          expect((await server.as(t)(`/${t.bf}/firms/${firmId}.xml`, { method: 'PUT', body: '<firm><name>After</name></firm>' })).status).to.equal(200);
          const seen = await second.as(t)(`/${t.bf}/contacts/${contact.id}.xml`);
          expect(parseXml(seen.text).contact[0].firm_name).to.equal('After');
          expect(seen.headers.get('etag')).not.to.equal(warm.headers.get('etag'));
          expect(parseXml((await second.as(t)(`/${t.bf}/contacts.xml`)).text).contacts.contact[0].firm_name).to.equal('After');
        } finally {
          await second.stop();
        }
      });
    });

    describe('q over the new text fields', () => {
      it('finds contacts by keywords, reference and the two accounting references, case-insensitively', async () => {
        const t = await server.tenant();
        const id = async (extra: string, name: string) => Number((await create(t, contactXml(name, extra))).contact.id);
        const a = await id('<keywords>vin, Côtes-du-Rhône</keywords>', 'A');
        const b = await id('<reference>C-0012</reference>', 'B');
        const c = await id('<accounting_ref>411BOUVET</accounting_ref>', 'C');
        const d = await id('<accounting_ref_vendor>401Vendor</accounting_ref_vendor>', 'D');
        const q = async (term: string) => contactIds(await server.as(t)(`/${t.bf}/contacts.xml?q=${encodeURIComponent(term)}`));
        expect(await q('CÔTES')).to.deep.equal([a]);
        expect(await q('c-001')).to.deep.equal([b]);
        expect(await q('411bouvet')).to.deep.equal([c]);
        expect(await q('401VENDOR')).to.deep.equal([d]);
        const changed = await put(t, String(b), '<contact><reference>R-77</reference></contact>');
        expect(changed.status).to.equal(200);
        expect(await q('c-001')).to.deep.equal([]);
        expect(await q('r-77')).to.deep.equal([b]);
      });
    });
  });
});
