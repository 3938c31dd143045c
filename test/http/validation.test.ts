// Validation over HTTP (contract section 5): every rule, over POST and over PUT (a partial
// update), answered 422 with `<errors><error>…</error></errors>`, every problem at once, and a
// rejected write leaves the stored contact exactly as it was.
import { expect } from 'chai';
import { forEachEngine } from '../support/engines.js';
import { FULL_CONTACT, contactXml, errorsOf, field, parseXml } from '../support/contacts.js';
import type { Response } from '../support/http.js';
import { TestServer, type Tenant } from '../support/server.js';

const XML_TYPE = 'application/xml; charset=utf-8';
const ERRORS_START = /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<errors>\n/;

// The messages, Rails' wording: each starts with the humanized field name.
const BLANK = (label: string) => `${label} can't be blank`;
const TOO_LONG = (label: string, max: number) => `${label} is too long (maximum is ${max} characters)`;
const NOT_INCLUDED = (label: string) => `${label} is not included in the list`;
const CONTROL = (label: string) => `${label} contains a control character (only tab and newline are allowed)`;
const NOT_A_NUMBER = 'Firm id is not a number';
const NOT_POSITIVE = 'Firm id must be greater than 0';
const INVALID_EMAIL = 'Contact items value is not a valid email address';
const TAKEN = 'Remote id has already been taken';
const TOO_MANY_ADDRESSES = 'Contact addresses is too long (maximum is 100 addresses)';
const TOO_MANY_ITEMS = 'Contact items is too long (maximum is 100 items)';

/** A 422 in the contract's shape whose messages are exactly `messages` (in any order). */
function expectInvalid(res: Response, messages: string[]): void {
  expect(res.status, res.text).to.equal(422);
  expect(res.headers.get('content-type')).to.equal(XML_TYPE);
  expect(res.text).to.match(ERRORS_START);
  expect(res.text.trimEnd().endsWith('</errors>'), res.text).to.equal(true);
  expect(errorsOf(res.text)).to.have.members(messages);
  expect(errorsOf(res.text)).to.have.lengthOf(messages.length);
}

const address = (inner: string) => `<contact_addresses><contact_address>${inner}</contact_address></contact_addresses>`;
const item = (inner: string) => `<contact_items><contact_item>${inner}</contact_item></contact_items>`;
const addresses = (n: number) =>
  `<contact_addresses>${Array.from({ length: n }, (_, i) => `<contact_address><address_type>21</address_type><city>City ${i}</city></contact_address>`).join('')}</contact_addresses>`;
const items = (n: number) =>
  `<contact_items>${Array.from({ length: n }, (_, i) => `<contact_item><type_id>23</type_id><value>+3360000${String(i).padStart(4, '0')}</value></contact_item>`).join('')}</contact_items>`;

interface Case {
  name: string;
  /** Elements of the <contact>; on POST a valid <last_name> is added unless `lastName` is false. */
  xml: string;
  messages: string[];
  lastName?: false;
}

// One problem each. Used over POST (with a valid last name) and over PUT (alone: partial update).
const CASES: Case[] = [
  { name: 'an empty last_name', xml: '<last_name></last_name>', messages: [BLANK('Last name')], lastName: false },
  { name: 'a last_name of spaces only', xml: '<last_name>   \n  </last_name>', messages: [BLANK('Last name')], lastName: false },
  { name: 'a nil last_name', xml: '<last_name nil="true"/>', messages: [BLANK('Last name')], lastName: false },
  { name: 'an empty dasherized last-name', xml: '<last-name></last-name>', messages: [BLANK('Last name')], lastName: false },
  { name: 'a last_name of 201 characters', xml: `<last_name>${'a'.repeat(201)}</last_name>`, messages: [TOO_LONG('Last name', 200)], lastName: false },
  { name: 'a first_name of 201 characters', xml: `<first_name>${'b'.repeat(201)}</first_name>`, messages: [TOO_LONG('First name', 200)] },
  { name: 'a job_title of 201 characters', xml: `<job_title>${'c'.repeat(201)}</job_title>`, messages: [TOO_LONG('Job title', 200)] },
  { name: 'a job_department of 201 characters', xml: `<job_department>${'d'.repeat(201)}</job_department>`, messages: [TOO_LONG('Job department', 200)] },
  { name: 'a country of 101 characters', xml: `<country>${'e'.repeat(101)}</country>`, messages: [TOO_LONG('Country', 100)] },
  { name: 'a comment of 10,001 characters', xml: `<comment>${'f'.repeat(10_001)}</comment>`, messages: [TOO_LONG('Comment', 10000)] },
  { name: 'a remote_id of 101 characters', xml: `<remote_id>${'g'.repeat(101)}</remote_id>`, messages: [TOO_LONG('Remote id', 100)] },
  { name: 'a first_name of 201 emoji', xml: `<first_name>${'😀'.repeat(201)}</first_name>`, messages: [TOO_LONG('First name', 200)] },
  { name: 'an unknown civility_label_id (an address type)', xml: '<civility_label_id>20</civility_label_id>', messages: [NOT_INCLUDED('Civility label id')] },
  { name: 'a civility_label_id given as a label', xml: '<civility_label_id>Mr</civility_label_id>', messages: [NOT_INCLUDED('Civility label id')] },
  { name: 'an unknown contact_type', xml: '<contact_type>customer</contact_type>', messages: [NOT_INCLUDED('Contact type')] },
  { name: 'firm_id 1e5', xml: '<firm_id>1e5</firm_id>', messages: [NOT_A_NUMBER] },
  { name: 'firm_id 0x1F', xml: '<firm_id>0x1F</firm_id>', messages: [NOT_A_NUMBER] },
  { name: 'firm_id 12abc', xml: '<firm_id>12abc</firm_id>', messages: [NOT_A_NUMBER] },
  { name: 'firm_id 1.5', xml: '<firm_id>1.5</firm_id>', messages: [NOT_A_NUMBER] },
  { name: 'firm_id -3', xml: '<firm_id>-3</firm_id>', messages: [NOT_A_NUMBER] },
  { name: 'firm_id 0', xml: '<firm_id>0</firm_id>', messages: [NOT_POSITIVE] },
  { name: 'firm_id 10^20 (past the largest exact integer)', xml: '<firm_id>100000000000000000000</firm_id>', messages: ['Firm id must be less than or equal to 9007199254740991'] },
  { name: 'a civility_label_id 1.7e1', xml: '<civility_label_id>1.7e1</civility_label_id>', messages: [NOT_INCLUDED('Civility label id')] },
  { name: 'an address_type 0x15', xml: address('<address_type>0x15</address_type>'), messages: [NOT_INCLUDED('Contact addresses address type')] },
  { name: 'an item type_id 2.3e1', xml: item('<type_id>2.3e1</type_id><value>x</value>'), messages: [NOT_INCLUDED('Contact items type id')] },
  { name: 'an address without address_type', xml: address('<city>Paris</city>'), messages: [BLANK('Contact addresses address type')] },
  { name: 'an address with an empty address_type', xml: address('<address_type></address_type><city>Paris</city>'), messages: [BLANK('Contact addresses address type')] },
  { name: 'an address_type that is a contact item type (23)', xml: address('<address_type>23</address_type>'), messages: [NOT_INCLUDED('Contact addresses address type')] },
  { name: 'an address_type that is a civility (17)', xml: address('<address_type>17</address_type>'), messages: [NOT_INCLUDED('Contact addresses address type')] },
  { name: 'an address_type 21abc', xml: address('<address_type>21abc</address_type>'), messages: [NOT_INCLUDED('Contact addresses address type')] },
  { name: 'a street_address of 256 characters', xml: address(`<address_type>21</address_type><street_address>${'h'.repeat(256)}</street_address>`), messages: [TOO_LONG('Contact addresses street address', 255)] },
  { name: 'a street_address2 of 256 characters', xml: address(`<address_type>21</address_type><street_address2>${'i'.repeat(256)}</street_address2>`), messages: [TOO_LONG('Contact addresses street address2', 255)] },
  { name: 'a zip_code of 21 characters', xml: address(`<address_type>21</address_type><zip_code>${'0'.repeat(21)}</zip_code>`), messages: [TOO_LONG('Contact addresses zip code', 20)] },
  { name: 'an address city of 101 characters', xml: address(`<address_type>21</address_type><city>${'j'.repeat(101)}</city>`), messages: [TOO_LONG('Contact addresses city', 100)] },
  { name: 'an address country of 101 characters', xml: address(`<address_type>21</address_type><country>${'k'.repeat(101)}</country>`), messages: [TOO_LONG('Contact addresses country', 100)] },
  { name: 'an item without type_id', xml: item('<value>adele@example.com</value>'), messages: [BLANK('Contact items type id')] },
  { name: 'an item type_id that is an address type (21)', xml: item('<type_id>21</type_id><value>x</value>'), messages: [NOT_INCLUDED('Contact items type id')] },
  { name: 'an unknown item type_id (29)', xml: item('<type_id>29</type_id><value>x</value>'), messages: [NOT_INCLUDED('Contact items type id')] },
  { name: 'an item without value', xml: item('<type_id>23</type_id>'), messages: [BLANK('Contact items value')] },
  { name: 'an item with an empty value', xml: item('<type_id>23</type_id><value>  </value>'), messages: [BLANK('Contact items value')] },
  { name: 'an item value of 256 characters', xml: item(`<type_id>23</type_id><value>${'1'.repeat(256)}</value>`), messages: [TOO_LONG('Contact items value', 255)] },
  { name: 'a professional email (27) that is not an email', xml: item('<type_id>27</type_id><value>not an email</value>'), messages: [INVALID_EMAIL] },
  { name: 'a personal email (28) without a domain dot', xml: item('<type_id>28</type_id><value>adele@example</value>'), messages: [INVALID_EMAIL] },
  { name: 'a personal email (28) with two @', xml: item('<type_id>28</type_id><value>a@b@example.com</value>'), messages: [INVALID_EMAIL] },
  { name: 'a professional email (27) with a space', xml: item('<type_id>27</type_id><value>adele bouvet@example.com</value>'), messages: [INVALID_EMAIL] },
  { name: 'a control character (U+0001) in first_name', xml: '<first_name>A&#1;B</first_name>', messages: [CONTROL('First name')] },
  { name: 'an escape (U+001B) in comment', xml: '<comment>x&#x1B;[31m</comment>', messages: [CONTROL('Comment')] },
  { name: 'a DEL (U+007F) in job_title', xml: '<job_title>Buyer&#127;</job_title>', messages: [CONTROL('Job title')] },
  { name: 'a C1 control (U+0085) in country', xml: '<country>Fr&#x85;ance</country>', messages: [CONTROL('Country')] },
  { name: 'a vertical tab in remote_id', xml: '<remote_id>R&#x0B;1</remote_id>', messages: [CONTROL('Remote id')] },
  { name: 'a form feed in an address city', xml: address('<address_type>21</address_type><city>Pa&#12;ris</city>'), messages: [CONTROL('Contact addresses city')] },
  { name: 'a bell in an item value', xml: item('<type_id>23</type_id><value>+33&#7;600</value>'), messages: [CONTROL('Contact items value')] },
  { name: '101 addresses', xml: addresses(101), messages: [TOO_MANY_ADDRESSES] },
  { name: '101 items', xml: items(101), messages: [TOO_MANY_ITEMS] },
];

let remoteSeq = 0;
/** FULL_CONTACT with a remote_id of its own (remote ids are unique within a business file). */
function fullContact(): string {
  return FULL_CONTACT.replace('<remote_id>CONTACT_123</remote_id>', `<remote_id>R-${++remoteSeq}</remote_id>`);
}

describe('validation (422) over HTTP', () => {
  forEachEngine((engine) => {
    let server: TestServer;
    let t: Tenant;
    let req: ReturnType<TestServer['as']>;

    before(async () => {
      server = await TestServer.start(engine);
      t = await server.tenant();
      req = server.as(t);
    });
    after(() => server.stop());

    /** Creates a contact (FULL_CONTACT by default) and returns its path and GET answer. */
    async function created(body = fullContact(), tenant = t): Promise<{ path: string; id: string; shown: Response }> {
      const res = await server.as(tenant)(`/${tenant.bf}/contacts.xml`, { method: 'POST', body });
      expect(res.status, res.text).to.equal(201);
      const path = res.headers.get('location') as string;
      const shown = await server.as(tenant)(path);
      expect(shown.status).to.equal(200);
      return { path, id: field(shown.text, 'id'), shown };
    }

    /** The stored contact is byte for byte (and by ETag) what it was. */
    async function expectUnchanged(path: string, before: Response, tenant = t): Promise<void> {
      const now = await server.as(tenant)(path);
      expect(now.status).to.equal(200);
      expect(now.text).to.equal(before.text);
      expect(now.headers.get('etag')).to.equal(before.headers.get('etag'));
    }

    async function totalEntries(tenant: Tenant): Promise<number> {
      const res = await server.as(tenant)(`/${tenant.bf}/contacts.xml`);
      expect(res.status).to.equal(200);
      return Number(parseXml(res.text).contacts.pagination.total_entries);
    }

    describe('POST', () => {
      for (const c of CASES) {
        it(`rejects ${c.name}`, async () => {
          const body = c.lastName === false ? `<contact>${c.xml}</contact>` : contactXml('Valid', c.xml);
          expectInvalid(await req(`/${t.bf}/contacts.xml`, { method: 'POST', body }), c.messages);
        });
      }

      it('rejects a contact without last_name element at all', async () => {
        expectInvalid(await req(`/${t.bf}/contacts.xml`, { method: 'POST', body: '<contact><first_name>Adèle</first_name></contact>' }), [BLANK('Last name')]);
      });

      it('creates nothing when it rejects', async () => {
        const fresh = await server.tenant();
        const res = await server.as(fresh)(`/${fresh.bf}/contacts.xml`, { method: 'POST', body: contactXml('Valid', `<firm_id>12abc</firm_id>${items(2)}${addresses(2)}`) });
        expectInvalid(res, [NOT_A_NUMBER]);
        expect(await totalEntries(fresh)).to.equal(0);
        const [{ n }] = await server.db('contacts').where('business_file_id', fresh.bf).count({ n: '*' });
        expect(Number(n)).to.equal(0);
      });

      it('reports every problem at once, of the contact and of its children', async () => {
        const body = `<contact>
          <last_name></last_name>
          <first_name>${'x'.repeat(201)}</first_name>
          <civility_label_id>99</civility_label_id>
          <contact_type>nope</contact_type>
          <firm_id>0x1F</firm_id>
          <country>A&#2;B</country>
          <contact_addresses>
            <contact_address><zip_code>${'9'.repeat(21)}</zip_code></contact_address>
          </contact_addresses>
          <contact_items>
            <contact_item><type_id>27</type_id><value>nope</value></contact_item>
            <contact_item><type_id>20</type_id></contact_item>
          </contact_items>
        </contact>`;
        expectInvalid(await req(`/${t.bf}/contacts.xml`, { method: 'POST', body }), [
          BLANK('Last name'),
          TOO_LONG('First name', 200),
          NOT_INCLUDED('Civility label id'),
          NOT_INCLUDED('Contact type'),
          NOT_A_NUMBER,
          CONTROL('Country'),
          BLANK('Contact addresses address type'),
          TOO_LONG('Contact addresses zip code', 20),
          INVALID_EMAIL,
          NOT_INCLUDED('Contact items type id'),
          BLANK('Contact items value'),
        ]);
      });

      it('reports too many addresses and too many items together', async () => {
        expectInvalid(await req(`/${t.bf}/contacts.xml`, { method: 'POST', body: contactXml('Many', addresses(101) + items(101)) }), [TOO_MANY_ADDRESSES, TOO_MANY_ITEMS]);
      });

      it('accepts every value at its limit (lengths counted in characters, not bytes)', async () => {
        const body = `<contact>
          <civility_label_id>19</civility_label_id>
          <last_name>${'😀'.repeat(200)}</last_name>
          <first_name>${'é'.repeat(200)}</first_name>
          <comment>${'ü'.repeat(10_000)}</comment>
          <job_title>${'t'.repeat(200)}</job_title>
          <job_department>${'d'.repeat(200)}</job_department>
          <country>${'ß'.repeat(100)}</country>
          <contact_type>other</contact_type>
          <firm_id>9007199254740991</firm_id>
          <remote_id>${`L-${++remoteSeq}-`.padEnd(100, 'r')}</remote_id>
          ${address(`<address_type>22</address_type><street_address>${'s'.repeat(255)}</street_address><street_address2>${'ŝ'.repeat(255)}</street_address2><zip_code>${'0'.repeat(20)}</zip_code><city>${'c'.repeat(100)}</city><country>${'k'.repeat(100)}</country>`)}
          ${item(`<type_id>457</type_id><value>${'v'.repeat(255)}</value>`)}
        </contact>`;
        const res = await req(`/${t.bf}/contacts.xml`, { method: 'POST', body });
        expect(res.status, res.text).to.equal(201);
        const c = parseXml(res.text).contact[0];
        expect(c.last_name).to.equal('😀'.repeat(200));
        expect(c.first_name).to.equal('é'.repeat(200));
        expect(c.comment).to.equal('ü'.repeat(10_000));
        expect(c.country).to.equal('ß'.repeat(100));
        expect(c.firm_id).to.equal('9007199254740991');
        expect(c.remote_id).to.have.lengthOf(100);
        expect(c.contact_addresses.contact_address[0].street_address2).to.equal('ŝ'.repeat(255));
        expect(c.contact_addresses.contact_address[0].zip_code).to.equal('0'.repeat(20));
        expect(c.contact_items.contact_item[0].value).to.equal('v'.repeat(255));
      });

      it('accepts every lookup value of the tables, and empty optional lookups', async () => {
        const pairs = [
          ...['17', '18', '19'].map((civility) => [civility, 'client']),
          ...['prospect', 'supplier', 'press', 'partner', 'staff', 'perso', 'other'].map((type) => ['', type]),
          ['', ''],
        ];
        for (const [civility, type] of pairs) {
          const res = await req(`/${t.bf}/contacts.xml`, { method: 'POST', body: contactXml('Lookup', `<civility_label_id>${civility}</civility_label_id><contact_type>${type}</contact_type>`) });
          expect(res.status, `${civility}/${type}: ${res.text}`).to.equal(201);
          expect(field(res.text, 'civility_label_id')).to.equal(civility);
          expect(field(res.text, 'contact_type')).to.equal(type);
        }
        const itemTypes = [23, 25, 28, 554, 471, 24, 26, 27, 88, 430, 431, 432, 433, 457];
        const body = contactXml(
          'Lookups',
          `<contact_addresses>${[20, 21, 22].map((a) => `<contact_address><address_type>${a}</address_type></contact_address>`).join('')}</contact_addresses>` +
            `<contact_items>${itemTypes.map((ty) => `<contact_item><type_id>${ty}</type_id><value>u${ty}@example.com</value></contact_item>`).join('')}</contact_items>`,
        );
        const res = await req(`/${t.bf}/contacts.xml`, { method: 'POST', body });
        expect(res.status, res.text).to.equal(201);
        const c = parseXml(res.text).contact[0];
        expect(c.contact_addresses.contact_address.map((a: { address_type: string }) => a.address_type)).to.deep.equal(['20', '21', '22']);
        expect(c.contact_items.contact_item.map((i: { type_id: string }) => Number(i.type_id))).to.have.members(itemTypes);
      });

      it('accepts firm_id as a plain decimal (surrounding whitespace trimmed) or empty', async () => {
        let res = await req(`/${t.bf}/contacts.xml`, { method: 'POST', body: contactXml('Firm', '<firm_id> 42 </firm_id>') });
        expect(res.status, res.text).to.equal(201);
        expect(field(res.text, 'firm_id')).to.equal('42');
        res = await req(`/${t.bf}/contacts.xml`, { method: 'POST', body: contactXml('Firm', '<firm_id></firm_id>') });
        expect(res.status, res.text).to.equal(201);
        expect(res.text).to.contain('<firm_id></firm_id>');
      });

      it('accepts valid emails for the email kinds and any text for the other kinds', async () => {
        const body = contactXml(
          'Emails',
          '<contact_items>' +
            '<contact_item><type_id>27</type_id><value>adele.bouvet+work@mail.example.co.uk</value></contact_item>' +
            '<contact_item><type_id>28</type_id><value>a@b.fr</value></contact_item>' +
            '<contact_item><type_id>23</type_id><value>not an email, a phone: +33 6 00 00 00 00</value></contact_item>' +
            '<contact_item><type_id>430</type_id><value>adele.bouvet</value></contact_item>' +
            '</contact_items>',
        );
        const res = await req(`/${t.bf}/contacts.xml`, { method: 'POST', body });
        expect(res.status, res.text).to.equal(201);
        expect(parseXml(res.text).contact[0].contact_items.contact_item).to.have.lengthOf(4);
      });

      it('accepts tabs and newlines, and reads CR and CRLF as a newline', async () => {
        const body = Buffer.from(contactXml('Lines', '<comment>one\ttab\r\ntwo\rthree\nfour</comment><job_title>a\tb</job_title>'));
        const res = await req(`/${t.bf}/contacts.xml`, { method: 'POST', body });
        expect(res.status, res.text).to.equal(201);
        expect(res.text).to.contain('<comment>one\ttab\ntwo\nthree\nfour</comment>');
        expect(res.text).to.contain('<job_title>a\tb</job_title>');
        expect(res.text).not.to.contain('\r');
        const stored = await server.db('contacts').where({ business_file_id: t.bf, last_name: 'Lines' }).first();
        expect(stored.comment).to.equal('one\ttab\ntwo\nthree\nfour');
      });

      it('rejects control characters sent as raw bytes or inside CDATA, and stores nothing', async () => {
        const fresh = await server.tenant();
        const post = (body: string) => server.as(fresh)(`/${fresh.bf}/contacts.xml`, { method: 'POST', body: Buffer.from(body) });
        expectInvalid(await post('<contact><last_name>A<![CDATA[\x01]]>B</last_name></contact>'), [CONTROL('Last name')]);
        // A raw C0 byte is not even well-formed XML 1.0: 400 or 422 are both fair, never a write.
        for (const body of ['<contact><last_name>A\x01B</last_name></contact>', '<contact><last_name>Ok</last_name><comment>esc \x1b[0m</comment></contact>']) {
          const res = await post(body);
          expect(res.status, res.text).to.be.oneOf([400, 422]);
          expect(res.text).to.match(ERRORS_START);
          expect(errorsOf(res.text)).to.have.length.greaterThan(0);
        }
        expect(await totalEntries(fresh)).to.equal(0);
      });

      it('never stores a carriage return, even one sent as &#13;', async () => {
        const res = await req(`/${t.bf}/contacts.xml`, { method: 'POST', body: contactXml('CR', '<comment>x&#13;y&#xD;&#13;&#10;z</comment>') });
        if (res.status === 201) {
          expect(res.text).not.to.contain('\r');
          const stored = await server.db('contacts').where({ business_file_id: t.bf, last_name: 'CR' }).first();
          expect(stored.comment).not.to.contain('\r');
        } else {
          expectInvalid(res, [CONTROL('Comment')]);
        }
      });

      it('accepts exactly 100 addresses and 100 items', async () => {
        const res = await req(`/${t.bf}/contacts.xml`, { method: 'POST', body: contactXml('Hundred', addresses(100) + items(100)) });
        expect(res.status, res.text).to.equal(201);
        const c = parseXml(res.text).contact[0];
        expect(c.contact_addresses.contact_address).to.have.lengthOf(100);
        expect(c.contact_items.contact_item).to.have.lengthOf(100);
      });
    });

    describe('PUT (partial update)', () => {
      for (const c of CASES) {
        it(`rejects ${c.name} and changes nothing`, async () => {
          const { path, shown } = await created();
          expectInvalid(await req(path, { method: 'PUT', body: `<contact>${c.xml}</contact>` }), c.messages);
          await expectUnchanged(path, shown);
        });
      }

      it('rejects a partial update of an existing item that breaks it (email kind kept)', async () => {
        const { path, shown } = await created();
        const itemId = parseXml(shown.text).contact[0].contact_items.contact_item[0].id;
        const body = `<contact>${item(`<id>${itemId}</id><value>no longer an email</value>`)}</contact>`;
        expectInvalid(await req(path, { method: 'PUT', body }), [INVALID_EMAIL]);
        await expectUnchanged(path, shown);
      });

      it('rejects emptying the value of an existing item and the type of an existing address', async () => {
        const { path, shown } = await created();
        const c = parseXml(shown.text).contact[0];
        const body = `<contact>${item(`<id>${c.contact_items.contact_item[0].id}</id><value></value>`)}${address(`<id>${c.contact_addresses.contact_address[0].id}</id><address_type nil="true"/>`)}</contact>`;
        expectInvalid(await req(path, { method: 'PUT', body }), [BLANK('Contact items value'), BLANK('Contact addresses address type')]);
        await expectUnchanged(path, shown);
      });

      it('rejects a child <id> that is not one of this contact\'s children', async () => {
        const other = await created();
        const otherItemId = parseXml(other.shown.text).contact[0].contact_items.contact_item[0].id;
        const { path, shown } = await created();
        const res = await req(path, { method: 'PUT', body: `<contact>${item(`<id>${otherItemId}</id><type_id>23</type_id><value>stolen</value>`)}</contact>` });
        expect(res.status, res.text).to.equal(422);
        expect(res.text).to.match(ERRORS_START);
        const messages = errorsOf(res.text);
        expect(messages).to.have.lengthOf(1);
        expect(messages[0]).to.match(/^Contact items /);
        await expectUnchanged(path, shown);
        await expectUnchanged(other.path, other.shown);
      });

      it('rejects going over 100 children by adding to existing ones', async () => {
        const { path, shown } = await created(contactXml('Full', items(100)));
        const ids: string[] = parseXml(shown.text).contact[0].contact_items.contact_item.map((i: { id: string }) => i.id);
        const body = `<contact><contact_items>${ids.map((id) => `<contact_item><id>${id}</id></contact_item>`).join('')}<contact_item><type_id>23</type_id><value>one more</value></contact_item></contact_items></contact>`;
        expectInvalid(await req(path, { method: 'PUT', body }), [TOO_MANY_ITEMS]);
        await expectUnchanged(path, shown);
      });

      it('changes nothing at all when one problem is mixed with valid changes', async () => {
        const { path, shown } = await created();
        const body = `<contact>
          <first_name>Changed</first_name>
          <job_title>Changed too</job_title>
          <contact_addresses></contact_addresses>
          <contact_items>
            <contact_item><type_id>23</type_id><value>+33611111111</value></contact_item>
            <contact_item><type_id>28</type_id><value>broken@</value></contact_item>
          </contact_items>
        </contact>`;
        expectInvalid(await req(path, { method: 'PUT', body }), [INVALID_EMAIL]);
        await expectUnchanged(path, shown);
      });

      it('reports every problem at once', async () => {
        const { path, shown } = await created();
        const body = `<contact>
          <last_name/>
          <comment>${'z'.repeat(10_001)}</comment>
          <contact_type>vip</contact_type>
          <firm_id>1e5</firm_id>
          <remote_id>${'q'.repeat(101)}</remote_id>
          ${address('<address_type>27</address_type><city>Lyon&#x1F;</city>')}
        </contact>`;
        expectInvalid(await req(path, { method: 'PUT', body }), [
          BLANK('Last name'),
          TOO_LONG('Comment', 10000),
          NOT_INCLUDED('Contact type'),
          NOT_A_NUMBER,
          TOO_LONG('Remote id', 100),
          NOT_INCLUDED('Contact addresses address type'),
          CONTROL('Contact addresses city'),
        ]);
        await expectUnchanged(path, shown);
      });

      it('validates PATCH and the old-style alias path the same way', async () => {
        const { path, id, shown } = await created();
        expectInvalid(await req(path, { method: 'PATCH', body: '<contact><last_name></last_name></contact>' }), [BLANK('Last name')]);
        expectInvalid(await req(`/contacts/show/${t.bf}/${id}.xml`, { method: 'PUT', body: '<contact><firm_id>0</firm_id></contact>' }), [NOT_POSITIVE]);
        expectInvalid(await req(`/contacts/${id}.xml`, { method: 'PUT', body: '<contact><contact_type>x</contact_type></contact>' }), [NOT_INCLUDED('Contact type')]);
        await expectUnchanged(path, shown);
      });

      it('accepts values at their limits', async () => {
        const { path } = await created();
        const res = await req(path, { method: 'PUT', body: `<contact><last_name>${'😀'.repeat(200)}</last_name><comment>${'w'.repeat(10_000)}</comment><firm_id>7</firm_id></contact>` });
        expect(res.status, res.text).to.equal(200);
        expect(field(res.text, 'last_name')).to.equal('😀'.repeat(200));
        expect(field(res.text, 'firm_id')).to.equal('7');
      });

      it('leaves absent fields alone: a PUT of an unrelated valid field succeeds', async () => {
        const { path } = await created();
        const res = await req(path, { method: 'PUT', body: '<contact><job_title>Chief buyer</job_title></contact>' });
        expect(res.status, res.text).to.equal(200);
        expect(field(res.text, 'last_name')).to.equal('Bouvet');
        expect(field(res.text, 'job_title')).to.equal('Chief buyer');
      });
    });

    describe('remote_id uniqueness', () => {
      it('rejects a second contact with the same remote_id in one business file', async () => {
        const a = await server.tenant();
        const first = await server.as(a)(`/${a.bf}/contacts.xml`, { method: 'POST', body: contactXml('First', '<remote_id>SAME-1</remote_id>') });
        expect(first.status, first.text).to.equal(201);
        const second = await server.as(a)(`/${a.bf}/contacts.xml`, { method: 'POST', body: contactXml('Second', '<remote_id>SAME-1</remote_id>') });
        expectInvalid(second, [TAKEN]);
        const padded = await server.as(a)(`/${a.bf}/contacts.xml`, { method: 'POST', body: contactXml('Third', '<remote_id>  SAME-1 </remote_id>') });
        expectInvalid(padded, [TAKEN]);
        expect(await totalEntries(a)).to.equal(1);
      });

      it('allows the same remote_id in another business file', async () => {
        const a = await server.tenant();
        const b = await server.tenant();
        const inA = await server.as(a)(`/${a.bf}/contacts.xml`, { method: 'POST', body: contactXml('In A', '<remote_id>SHARED-1</remote_id>') });
        expect(inA.status, inA.text).to.equal(201);
        const inB = await server.as(b)(`/${b.bf}/contacts.xml`, { method: 'POST', body: contactXml('In B', '<remote_id>SHARED-1</remote_id>') });
        expect(inB.status, inB.text).to.equal(201);
        expect(field(inB.text, 'remote_id')).to.equal('SHARED-1');
        // and a PUT in B to a remote_id only A uses is fine too
        const other = await server.as(b)(`/${b.bf}/contacts.xml`, { method: 'POST', body: contactXml('Other B') });
        const moved = await server.as(b)(other.headers.get('location') as string, { method: 'PUT', body: '<contact><remote_id>ONLY-IN-A</remote_id></contact>' });
        expect(moved.status, moved.text).to.equal(200);
      });

      it('rejects a PUT that takes another contact\'s remote_id, and changes nothing', async () => {
        const a = await server.tenant();
        await created(contactXml('Owner', '<remote_id>OWNED</remote_id>'), a);
        const { path, shown } = await created(contactXml('Taker', '<remote_id>MINE</remote_id><first_name>Keep</first_name>'), a);
        const res = await server.as(a)(path, { method: 'PUT', body: '<contact><first_name>Changed</first_name><remote_id>OWNED</remote_id></contact>' });
        expectInvalid(res, [TAKEN]);
        await expectUnchanged(path, shown, a);
      });

      it('accepts a PUT that keeps the contact\'s own remote_id', async () => {
        const a = await server.tenant();
        const { path } = await created(contactXml('Self', '<remote_id>SELF-1</remote_id>'), a);
        const res = await server.as(a)(path, { method: 'PUT', body: '<contact><remote_id>SELF-1</remote_id><first_name>Again</first_name></contact>' });
        expect(res.status, res.text).to.equal(200);
        expect(field(res.text, 'first_name')).to.equal('Again');
      });

      it('frees a remote_id when its contact is deleted', async () => {
        const a = await server.tenant();
        const { path } = await created(contactXml('Gone', '<remote_id>FREED</remote_id>'), a);
        expect((await server.as(a)(path, { method: 'DELETE' })).status).to.equal(200);
        const res = await server.as(a)(`/${a.bf}/contacts.xml`, { method: 'POST', body: contactXml('New', '<remote_id>FREED</remote_id>') });
        expect(res.status, res.text).to.equal(201);
      });

      it('reports a taken remote_id together with the other problems of a POST', async () => {
        const a = await server.tenant();
        await created(contactXml('Owner', '<remote_id>BOTH-1</remote_id>'), a);
        const res = await server.as(a)(`/${a.bf}/contacts.xml`, { method: 'POST', body: '<contact><last_name></last_name><remote_id>BOTH-1</remote_id></contact>' });
        expectInvalid(res, [BLANK('Last name'), TAKEN]);
      });

      it('reports a taken remote_id together with the other problems of a PUT', async () => {
        const a = await server.tenant();
        await created(contactXml('Owner', '<remote_id>BOTH-2</remote_id>'), a);
        const { path, shown } = await created(contactXml('Other'), a);
        const res = await server.as(a)(path, { method: 'PUT', body: '<contact><firm_id>12abc</firm_id><remote_id>BOTH-2</remote_id></contact>' });
        expectInvalid(res, [NOT_A_NUMBER, TAKEN]);
        await expectUnchanged(path, shown, a);
      });
    });
  });
});
