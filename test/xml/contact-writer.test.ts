// The wire format of CONTRACT.md sections 2 and 3: golden documents written by hand from the
// contract, element order, empty elements, escaping, exact values, list pages.
import { expect } from 'chai';
import { contactDocument, contactElement, contactJsonOf, contactListDocument, contactListDocumentOf, contactListJsonOf, contactObject, readContact, type Contact, type ContactAddress, type ContactItem } from '../support/contact-codec.js';
import { parseDocument } from '../../src/xml/document.js';
import { fixtureText, sectionTwoContact } from './helpers.js';
import { CONTACT_FIELDS } from '../support/firms.js';

const DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

/** The second contact of fixtures/responses/list-page.xml: nulls, escaping, no addresses. */
function sparseContact(): Contact {
  return {
    id: 13,
    business_file_id: 1,
    civility_label_id: null,
    last_name: 'AT&T <Support>',
    first_name: null,
    first_last_name: 'AT&T <Support>',
    comment: 'Line one\nLine two',
    job_title: null,
    job_department: null,
    country: null,
    language: null,
    contact_type: null,
    contact_type2: null,
    contact_origin: null,
    keywords: null,
    reference: null,
    accounting_ref: null,
    accounting_ref_vendor: null,
    firm_id: null,
    firm_name: null,
    project_id: null,
    bank_account_id: null,
    remote_id: null,
    batch: null,
    batch_kind: null,
    creator_id: null,
    modifier_id: null,
    created_at: new Date('2019-03-05T09:07:41Z'),
    updated_at: new Date('2020-12-31T23:59:59.999Z'),
    version: 4,
    contact_addresses: [],
    contact_items: [
      item(40, 554, '+33600000000', '+33600000000', new Date('2019-03-05T09:07:41Z')),
      item(41, 430, 'att.support', null, new Date('2020-12-31T23:59:59.999Z')),
    ],
  };
}

function emptyContact(): Contact {
  return {
    ...sparseContact(),
    last_name: 'X',
    first_last_name: 'X',
    comment: null,
    contact_items: [],
  };
}

/** An address of contact 13, every field empty but those given. */
function address(id: number, fields: Partial<ContactAddress>): ContactAddress {
  return {
    id,
    contact_id: 13,
    address_type: 21,
    street_address: null,
    street_address2: null,
    street_number: null,
    street_name: null,
    additional_info: null,
    zip_code: null,
    city: null,
    country: null,
    country_iso_3166_a3: null,
    created_at: new Date('2019-03-05T09:07:00Z'),
    updated_at: new Date('2019-03-05T09:07:00Z'),
    ...fields,
  };
}

/** An item of contact 13, created by the CLI (no author) at `at`. */
function item(id: number, type_id: number, value: string, normalized_phone: string | null = null, at = new Date('2019-03-05T09:07:00Z')): ContactItem {
  return { id, contact_id: 13, type_id, value, normalized_phone, creator_id: null, modifier_id: null, created_at: at, updated_at: at };
}

/** The text of every `<name>` line of a document. */
function elementValue(xml: string, name: string): string {
  const match = new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(xml);
  if (!match) throw new Error(`no <${name}> in ${xml}`);
  return match[1];
}

describe('writing contacts as XML', () => {
  describe('golden documents', () => {
    it('writes the section 2 contact byte for byte (fixtures/responses/contact.xml)', () => {
      expect(contactDocument(sectionTwoContact())).to.equal(fixtureText('responses/contact.xml'));
    });

    it('writes a list page with two contacts and <pagination> last (fixtures/responses/list-page.xml)', () => {
      const page = contactListDocument([sectionTwoContact(), sparseContact()], {
        current_page: 2,
        total_pages: 38,
        current_page_items_count: 2,
        per_page: 2,
        total_entries: 75,
      });
      expect(page).to.equal(fixtureText('responses/list-page.xml'));
    });

    it('gives the same bytes from cached encoded elements (listDocumentOf), with and without pagination', () => {
      const contacts = [sectionTwoContact(), sparseContact()];
      const elements = contacts.map((c) => Buffer.from(contactElement(c, '  ')));
      const pagination = { current_page: 2, total_pages: 38, current_page_items_count: 2, per_page: 2, total_entries: 75 };
      expect(contactListDocumentOf(elements, pagination).toString()).to.equal(fixtureText('responses/list-page.xml'));
      expect(contactListDocumentOf(elements).toString()).to.equal(contactListDocument(contacts));
      expect(contactListDocumentOf([]).toString()).to.equal(contactListDocument([]));
    });

    it('gives JSON list and contact bodies from cached encoded objects equal to JSON.stringify of the whole', () => {
      const contacts = [sectionTwoContact(), sparseContact()];
      const objects = contacts.map((c) => contactObject(c));
      const encoded = objects.map((o) => Buffer.from(JSON.stringify(o)));
      const pagination = { current_page: 1, total_pages: 1, current_page_items_count: 2, per_page: 30, total_entries: 2 };
      expect(contactListJsonOf(encoded, pagination).toString()).to.equal(JSON.stringify({ contacts: objects, pagination }));
      expect(contactListJsonOf(encoded).toString()).to.equal(JSON.stringify({ contacts: objects }));
      expect(contactListJsonOf([]).toString()).to.equal(JSON.stringify({ contacts: [] }));
      expect(contactJsonOf(encoded[0]).toString()).to.equal(JSON.stringify({ contact: objects[0] }));
    });

    it('writes an empty page as <pagination> alone, total_pages 0 (fixtures/responses/empty-list.xml)', () => {
      const page = contactListDocument([], {
        current_page: 1,
        total_pages: 0,
        current_page_items_count: 0,
        per_page: 30,
        total_entries: 0,
      });
      expect(page).to.equal(fixtureText('responses/empty-list.xml'));
    });

    it('the golden contact.xml is the section 2 document of the contract plus the declaration', () => {
      const golden = fixtureText('responses/contact.xml');
      expect(golden.startsWith(DECLARATION)).to.equal(true);
      expect(golden.endsWith('</contact>\n')).to.equal(true);
      expect(golden).not.to.contain('\r');
    });
  });

  describe('single contact document', () => {
    it('starts with the XML declaration and a newline, and ends with a newline', () => {
      const xml = contactDocument(sectionTwoContact());
      expect(xml.startsWith(DECLARATION + '<contact>\n')).to.equal(true);
      expect(xml.endsWith('</contact>\n')).to.equal(true);
    });

    it('writes every element, in the section 2 order, even when empty', () => {
      const xml = contactDocument(emptyContact());
      const names = [...xml.matchAll(/^ *<([a-z_0-9]+)>/gm)].map((m) => m[1]);
      expect(names).to.deep.equal(['contact', ...CONTACT_FIELDS]);
    });

    it('writes null values as <tag></tag> and empty collections as <contact_addresses></contact_addresses>', () => {
      const xml = contactDocument(emptyContact());
      for (const name of [
        'civility_label_id',
        'first_name',
        'comment',
        'job_title',
        'job_department',
        'country',
        'language',
        'contact_type',
        'contact_type2',
        'contact_origin',
        'keywords',
        'reference',
        'accounting_ref',
        'accounting_ref_vendor',
        'firm_id',
        'firm_name',
        'project_id',
        'bank_account_id',
        'remote_id',
        'batch',
        'batch_kind',
        'creator_id',
        'modifier_id',
      ]) {
        expect(xml, name).to.contain(`  <${name}></${name}>\n`);
      }
      expect(xml).to.contain('  <contact_addresses></contact_addresses>\n');
      expect(xml).to.contain('  <contact_items></contact_items>\n');
      expect(xml).not.to.match(/<[a-z_0-9]+\/>/);
    });

    it('writes the children of an address and of an item in the section 2 order', () => {
      const xml = contactDocument({
        ...sectionTwoContact(),
        contact_addresses: [address(1, { contact_id: 12, address_type: 20, updated_at: new Date('2020-01-02T03:04:59Z') })],
        contact_items: [{ ...item(2, 23, 'v'), contact_id: 12, creator_id: 5, updated_at: new Date('2020-01-02T03:04:59Z') }],
      });
      expect(xml).to.contain(
        '    <contact_address>\n' +
          '      <id>1</id>\n' +
          '      <contact_id>12</contact_id>\n' +
          '      <address_type>20</address_type>\n' +
          '      <street_address></street_address>\n' +
          '      <street_address2></street_address2>\n' +
          '      <street_number></street_number>\n' +
          '      <street_name></street_name>\n' +
          '      <additional_info></additional_info>\n' +
          '      <zip_code></zip_code>\n' +
          '      <city></city>\n' +
          '      <country></country>\n' +
          '      <country_iso_3166_a3></country_iso_3166_a3>\n' +
          '      <created_at>05-03-2019-09-07</created_at>\n' +
          '      <updated_at>02-01-2020-03-04</updated_at>\n' +
          '    </contact_address>\n',
      );
      expect(xml).to.contain(
        '    <contact_item>\n' +
          '      <id>2</id>\n' +
          '      <contact_id>12</contact_id>\n' +
          '      <type_id>23</type_id>\n' +
          '      <value>v</value>\n' +
          '      <normalized_phone></normalized_phone>\n' +
          '      <creator_id>5</creator_id>\n' +
          '      <modifier_id></modifier_id>\n' +
          '      <created_at>05-03-2019-09-07</created_at>\n' +
          '      <updated_at>02-01-2020-03-04</updated_at>\n' +
          '    </contact_item>\n',
      );
    });

    it('writes no attributes at all: no type= and no nil=', () => {
      const xml = contactDocument(emptyContact()).slice(DECLARATION.length);
      expect(xml).not.to.match(/<[a-z_0-9]+ /);
      expect(xml).not.to.contain('type=');
      expect(xml).not.to.contain('nil=');
    });

    it('indents by two spaces per level', () => {
      const xml = contactDocument(sectionTwoContact());
      for (const line of xml.split('\n').slice(1, -1)) {
        const indent = /^ */.exec(line)![0].length;
        expect(indent % 2, line).to.equal(0);
      }
      expect(xml).to.contain('\n      <zip_code>00100</zip_code>\n');
    });
  });

  describe('escaping', () => {
    it('escapes &, < and > in text', () => {
      const xml = contactDocument({
        ...emptyContact(),
        last_name: 'AT&T <Support> & a > b',
      });
      expect(xml).to.contain('<last_name>AT&amp;T &lt;Support&gt; &amp; a &gt; b</last_name>');
    });

    it('escapes an already-escaped-looking value again, so it reads back unchanged', () => {
      const xml = contactDocument({
        ...emptyContact(),
        last_name: 'AT&amp;T &#233;',
      });
      expect(xml).to.contain('<last_name>AT&amp;amp;T &amp;#233;</last_name>');
    });

    it('escapes in children too', () => {
      const xml = contactDocument({
        ...emptyContact(),
        contact_addresses: [address(1, { street_address: 'R&D <b>' })],
        contact_items: [item(2, 430, 'a<b>&c')],
      });
      expect(xml).to.contain('<street_address>R&amp;D &lt;b&gt;</street_address>');
      expect(xml).to.contain('<value>a&lt;b&gt;&amp;c</value>');
    });

    it('writes quotes and apostrophes as they are', () => {
      const xml = contactDocument({
        ...emptyContact(),
        last_name: `O'Brien "Jr"`,
      });
      expect(xml).to.contain(`<last_name>O'Brien "Jr"</last_name>`);
    });

    it('writes accents, CJK and emoji as UTF-8, never as numeric references', () => {
      const xml = contactDocument({
        ...emptyContact(),
        last_name: 'Æsir-Øberg',
        first_name: 'Zoë 😀',
        comment: '日本語 ✓',
      });
      expect(xml).to.contain('<last_name>Æsir-Øberg</last_name>');
      expect(xml).to.contain('<first_name>Zoë 😀</first_name>');
      expect(xml).to.contain('<comment>日本語 ✓</comment>');
      expect(xml).not.to.contain('&#');
    });

    it('writes a multi-line comment with its newlines and tabs as they are', () => {
      const xml = contactDocument({
        ...emptyContact(),
        comment: 'a\n\tb\n\nc',
      });
      expect(xml).to.contain('<comment>a\n\tb\n\nc</comment>');
    });

    it('writes "]]>" safely', () => {
      const xml = contactDocument({ ...emptyContact(), comment: 'x ]]> y' });
      expect(xml).to.contain('<comment>x ]]&gt; y</comment>');
    });
  });

  describe('exact values', () => {
    it('keeps 00100 and +33600000000 byte for byte', () => {
      const xml = contactDocument({
        ...emptyContact(),
        contact_addresses: [address(1, { zip_code: '00100' })],
        contact_items: [item(2, 554, '+33600000000', '+33600000000')],
      });
      expect(xml).to.contain('<zip_code>00100</zip_code>');
      expect(xml).to.contain('<value>+33600000000</value>');
    });

    it('writes integers in plain decimal', () => {
      const xml = contactDocument({
        ...emptyContact(),
        id: 123456789012,
        firm_id: 9007199254740991,
        civility_label_id: 17,
      });
      expect(elementValue(xml, 'id')).to.equal('123456789012');
      expect(elementValue(xml, 'firm_id')).to.equal('9007199254740991');
      expect(elementValue(xml, 'civility_label_id')).to.equal('17');
    });

    it('writes timestamps in the legacy dd-mm-YYYY-HH-MM format, in UTC, seconds dropped', () => {
      const xml = contactDocument(sparseContact());
      expect(elementValue(xml, 'created_at')).to.equal('05-03-2019-09-07');
      expect(elementValue(xml, 'updated_at')).to.equal('31-12-2020-23-59');
    });

    it('reads back what it writes (writer → parser → reader)', () => {
      const contact: Contact = {
        ...sectionTwoContact(),
        last_name: 'AT&T <Support>',
        first_name: 'Zoë 😀',
        comment: 'Line one\n\tLine two',
        remote_id: '&amp;',
        contact_items: [item(31, 554, '+33600000000', '+33600000000'), item(32, 27, 'a&b@example.com')],
      };
      const input = readContact(parseDocument(contactDocument(contact), 'contact'));
      expect(input.problems).to.deep.equal([]);
      expect(input.fields).to.deep.include({
        last_name: 'AT&T <Support>',
        first_name: 'Zoë 😀',
        comment: 'Line one\n\tLine two',
        remote_id: '&amp;',
      });
      expect(input.contact_addresses?.[0].fields.zip_code).to.equal('00100');
      expect(input.contact_items?.map((i) => i.fields.value)).to.deep.equal(['+33600000000', 'a&b@example.com']);
    });
  });

  describe('list documents', () => {
    it('uses exactly <contacts type="array"> as the root, with no other attribute', () => {
      const page = contactListDocument([sectionTwoContact()], {
        current_page: 1,
        total_pages: 1,
        current_page_items_count: 1,
        per_page: 30,
        total_entries: 1,
      });
      expect(page.startsWith(DECLARATION + '<contacts type="array">\n')).to.equal(true);
      expect(page.endsWith('</contacts>\n')).to.equal(true);
    });

    it('puts <pagination> as the last child, after every contact', () => {
      const page = contactListDocument([sectionTwoContact(), sparseContact()], {
        current_page: 1,
        total_pages: 1,
        current_page_items_count: 2,
        per_page: 30,
        total_entries: 2,
      });
      expect(page.lastIndexOf('<pagination>')).to.be.greaterThan(page.lastIndexOf('</contact>'));
      expect(page).to.match(/<\/pagination>\n<\/contacts>\n$/);
    });

    it('leaves <pagination> out when asked (pagination=false, export)', () => {
      const page = contactListDocument([sectionTwoContact()]);
      expect(page).not.to.contain('pagination');
      expect(page).to.match(/^<\?xml version="1\.0" encoding="UTF-8"\?>\n<contacts type="array">\n  <contact>\n/);
      expect(page).to.match(/ {2}<\/contact>\n<\/contacts>\n$/);
    });

    it('writes an empty export as an empty <contacts type="array">', () => {
      expect(contactListDocument([])).to.equal(DECLARATION + '<contacts type="array">\n</contacts>\n');
    });

    it('indents each contact of a list by two more spaces than a single contact', () => {
      const single = contactDocument(sectionTwoContact()).slice(DECLARATION.length);
      const list = contactListDocument([sectionTwoContact()]);
      const indented = single
        .split('\n')
        .map((line) => (line === '' ? line : '  ' + line))
        .join('\n');
      expect(list).to.equal(DECLARATION + '<contacts type="array">\n' + indented + '</contacts>\n');
    });
  });
});
