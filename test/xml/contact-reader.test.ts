// The tolerance rules of CONTRACT.md section 4, over real documents: dasherized names, type/nil
// attributes, unknown elements, whitespace, one child or many, the three ActiveResource
// collection shapes, and values kept exactly.
import { expect } from 'chai';
import { checkContact, draftContactForCreate } from '../support/contact-codec.js';
import { contractLookups, fixtureBytes, fixtureNames, readContactFixture, readContactXml } from './helpers.js';

const SECTION_TWO_FIELDS = {
  civility_label_id: '18',
  last_name: 'Bouvet',
  first_name: 'Adèle',
  comment: null,
  job_title: 'Buyer',
  job_department: 'Purchasing',
  country: 'France',
  language: 'fr',
  contact_type: 'client',
  contact_type2: null,
  contact_origin: 'Trade fair 2011',
  keywords: 'wine, export',
  reference: 'C-0012',
  accounting_ref: '411BOUVET',
  accounting_ref_vendor: null,
  firm_id: '3',
  project_id: null,
  bank_account_id: null,
  remote_id: 'CONTACT_123',
  batch: '17 jan 12 @ 15:12:02',
  batch_kind: 'CSV',
};

const SECTION_TWO_ADDRESS = {
  address_type: '21',
  street_address: '10 rue de la Paix',
  street_address2: null,
  street_number: '10',
  street_name: 'rue de la Paix',
  additional_info: null,
  zip_code: '00100',
  city: 'Paris',
  country: 'France',
  country_iso_3166_a3: 'FRA',
};

/** The section 2 item, as read: its own fields apart from what the service keeps. */
const SECTION_TWO_ITEM = {
  id: '31',
  fields: { type_id: '24', value: '01 23 45 67 89' },
  kept: { id: '31', creator_id: '1', modifier_id: '1', created_at: '17-01-2012-15-14', updated_at: '29-10-2014-17-20' },
};

describe('reading a <contact> document', () => {
  describe('valid/full-contact.xml (the section 2 document)', () => {
    it('reads every field as text, an empty element as null', () => {
      const input = readContactFixture('contacts/valid/full-contact.xml');
      expect(input.problems).to.deep.equal([]);
      expect(input.fields).to.deep.equal(SECTION_TWO_FIELDS);
    });

    it('returns <id>, the timestamps and the authors apart from the fields (in kept), and no derived field', () => {
      const input = readContactFixture('contacts/valid/full-contact.xml');
      expect(input.kept).to.deep.equal({
        id: '12',
        creator_id: '1',
        modifier_id: '1',
        created_at: '17-01-2012-15-14',
        updated_at: '17-01-2012-15-14',
      });
      expect(input.fields).not.to.have.any.keys('id', 'created_at', 'updated_at', 'creator_id', 'modifier_id', 'first_last_name', 'firm_name');
      expect(input.notKept).to.deep.equal([]);
    });

    it('reads one address and one item, with their ids', () => {
      const input = readContactFixture('contacts/valid/full-contact.xml');
      expect(input.contact_addresses).to.deep.equal([
        { id: '7', fields: SECTION_TWO_ADDRESS, kept: { id: '7', created_at: '17-01-2012-15-14', updated_at: '07-02-2012-16-13' } },
      ]);
      expect(input.contact_items).to.deep.equal([SECTION_TWO_ITEM]);
    });
  });

  describe('valid/minimal.xml', () => {
    it('has only last_name, and leaves both collections undefined (absent, so untouched on update)', () => {
      const input = readContactFixture('contacts/valid/minimal.xml');
      expect(input).to.deep.equal({
        fields: { last_name: 'Bouvet' },
        problems: [],
        kept: {},
        notKept: [],
      });
      expect(input).not.to.have.property('contact_addresses');
      expect(input).not.to.have.property('contact_items');
    });
  });

  describe('valid/dasherized-activeresource-create.xml', () => {
    it('reads dasherized names as underscored ones and ignores type="integer"', () => {
      const input = readContactFixture('contacts/valid/dasherized-activeresource-create.xml');
      expect(input.problems).to.deep.equal([]);
      expect(input.fields).to.deep.equal(SECTION_TWO_FIELDS);
    });

    it('reads nil="true" as empty', () => {
      const input = readContactFixture('contacts/valid/dasherized-activeresource-create.xml');
      expect(input.fields.comment).to.equal(null);
      expect(input.contact_addresses?.[0].fields.street_address2).to.equal(null);
    });

    it('reads <contact-items type="array"><contact-item>… as the list of children', () => {
      const input = readContactFixture('contacts/valid/dasherized-activeresource-create.xml');
      expect(input.contact_addresses).to.deep.equal([{ fields: SECTION_TWO_ADDRESS, kept: {} }]);
      expect(input.contact_items).to.deep.equal([
        { fields: { type_id: '27', value: 'adele@example.com' }, kept: {} },
        { fields: { type_id: '471', value: '+33100000000' }, kept: {} },
      ]);
    });

    it('reads the same contact as the underscored section 2 document', () => {
      const dasherized = readContactFixture('contacts/valid/dasherized-activeresource-create.xml');
      const underscored = readContactFixture('contacts/valid/full-contact.xml');
      expect(dasherized.fields).to.deep.equal(underscored.fields);
      expect(dasherized.contact_addresses?.map((a) => a.fields)).to.deep.equal(underscored.contact_addresses?.map((a) => a.fields));
    });
  });

  describe('valid/activeresource-update-wrapped.xml', () => {
    it('unwraps <contact-items><contact-item type="array"><contact-item>…</contact-item>…', () => {
      const input = readContactFixture('contacts/valid/activeresource-update-wrapped.xml');
      expect(input.problems).to.deep.equal([]);
      expect(input.contact_items).to.deep.equal([
        SECTION_TWO_ITEM,
        {
          id: '32',
          fields: { type_id: '554', value: '+33600000000' },
          kept: { id: '32', creator_id: '1', modifier_id: null, created_at: '29-10-2014-17-20', updated_at: '29-10-2014-17-20' },
        },
      ]);
    });

    it('unwraps the addresses the same way', () => {
      const input = readContactFixture('contacts/valid/activeresource-update-wrapped.xml');
      expect(input.contact_addresses).to.deep.equal([
        { id: '7', fields: SECTION_TWO_ADDRESS, kept: { id: '7', created_at: '17-01-2012-15-14', updated_at: '07-02-2012-16-13' } },
        {
          id: '8',
          fields: {
            address_type: '20',
            street_address: '2 place du Marché',
            street_address2: null,
            street_number: '2',
            street_name: 'place du Marché',
            additional_info: null,
            zip_code: '69001',
            city: 'Lyon',
            country: 'France',
            country_iso_3166_a3: 'FRA',
          },
          kept: { id: '8', created_at: '07-02-2012-16-13', updated_at: '07-02-2012-16-13' },
        },
      ]);
    });

    it('reads the contact fields, id and timestamps of the document PUT back', () => {
      const input = readContactFixture('contacts/valid/activeresource-update-wrapped.xml');
      expect(input.fields).to.deep.equal(SECTION_TWO_FIELDS);
      expect(input.kept.id).to.equal('12');
      expect(input.kept.updated_at).to.equal('17-01-2012-15-14');
      expect(input.notKept).to.deep.equal([]);
    });

    it('unwraps a wrapper holding a single child', () => {
      const input = readContactXml(
        '<contact><contact-items><contact-item type="array"><contact-item><id>31</id><type-id>27</type-id><value>a@b.fr</value></contact-item></contact-item></contact-items></contact>',
      );
      expect(input.contact_items).to.deep.equal([{ id: '31', fields: { type_id: '27', value: 'a@b.fr' }, kept: { id: '31' } }]);
    });
  });

  describe('valid/nil-collection.xml', () => {
    it('reads <contact-items nil="true"/> as an empty set (present, so it clears on update)', () => {
      const input = readContactFixture('contacts/valid/nil-collection.xml');
      expect(input.problems).to.deep.equal([]);
      expect(input.contact_items).to.deep.equal([]);
      expect(input.contact_addresses).to.deep.equal([]);
    });

    it('reads <contact_items></contact_items>, <contact_items/> and <contact-items type="array"/> as an empty set too', () => {
      for (const xml of [
        '<contact_items></contact_items>',
        '<contact_items/>',
        '<contact-items type="array"/>',
        '<contact-items type="array">\n  </contact-items>',
      ]) {
        expect(readContactXml(`<contact>${xml}</contact>`).contact_items, xml).to.deep.equal([]);
      }
    });
  });

  describe('valid/one-child.xml', () => {
    it('reads a collection with one child as a list of one', () => {
      const input = readContactFixture('contacts/valid/one-child.xml');
      expect(input.contact_addresses).to.deep.equal([{ fields: { address_type: '20', city: 'Lyon' }, kept: {} }]);
      expect(input.contact_items).to.deep.equal([{ fields: { type_id: '23', value: '0123456789' }, kept: {} }]);
    });

    it('reads many children in document order', () => {
      const items = Array.from({ length: 5 }, (_, i) => `<contact_item><type_id>23</type_id><value>${i}</value></contact_item>`).join('');
      const input = readContactXml(`<contact><contact_items>${items}</contact_items></contact>`);
      expect(input.contact_items?.map((c) => c.fields.value)).to.deep.equal(['0', '1', '2', '3', '4']);
    });

    it('leaves out fields a child does not list (partial child update)', () => {
      const input = readContactXml('<contact><contact_items><contact_item><id>31</id><value>x@y.fr</value></contact_item></contact_items></contact>');
      expect(input.contact_items).to.deep.equal([{ id: '31', fields: { value: 'x@y.fr' }, kept: { id: '31' } }]);
    });
  });

  describe('valid/unknown-elements.xml', () => {
    it('ignores unknown elements and attributes, at every level', () => {
      const { notKept, ...input } = readContactFixture('contacts/valid/unknown-elements.xml');
      expect(input).to.deep.equal({
        fields: { last_name: 'Bouvet' },
        problems: [],
        kept: {},
        contact_addresses: [{ fields: { address_type: '21', city: 'Paris' }, kept: {} }],
        contact_items: [{ fields: { type_id: '27', value: 'adele@example.com' }, kept: {} }],
      });
      // Named, for the import's report of what it does not keep; a child's under its element name.
      expect(notKept).to.include.members(['nickname', 'tags', 'legacy:owner', 'business_file_id', 'version', 'contact_address.geo', 'contact_item.label']);
    });

    it('never copies server-side names (business_file_id, version, contact_id) or their values, only names the unknown ones', () => {
      const { notKept, ...input } = readContactFixture('contacts/valid/unknown-elements.xml');
      expect(JSON.stringify(input)).not.to.match(/business_file_id|version|contact_id|555|99/);
      expect(JSON.stringify(notKept)).not.to.match(/contact_id|555|99/);
    });
  });

  describe('valid/entities-and-char-refs.xml', () => {
    it('decodes predefined entities and character references exactly once', () => {
      const input = readContactFixture('contacts/valid/entities-and-char-refs.xml');
      expect(input.problems).to.deep.equal([]);
      expect(input.fields.last_name).to.equal('AT&T');
      expect(input.fields.first_name).to.equal('Renée Hélène');
      expect(input.fields.comment).to.equal('1 < 2 && 3 > 2, "quoted" \'single\' &amp; &lt;');
      expect(input.contact_items?.[0].fields.value).to.equal("o'brien+news@example.com");
    });

    it('keeps a CDATA section literal', () => {
      const input = readContactFixture('contacts/valid/entities-and-char-refs.xml');
      expect(input.fields.job_title).to.equal('R&D <lab>');
    });

    it('does not decode references inside CDATA: <![CDATA[AT&amp;T]]> is the text AT&amp;T', () => {
      const input = readContactXml('<contact><last_name><![CDATA[AT&amp;T]]></last_name><first_name><![CDATA[&#233;]]></first_name></contact>');
      expect(input.fields.last_name).to.equal('AT&amp;T');
      expect(input.fields.first_name).to.equal('&#233;');
    });
  });

  describe('valid/crlf-line-endings.xml', () => {
    it('really holds CRLF bytes', () => {
      expect(fixtureBytes('contacts/valid/crlf-line-endings.xml').includes(Buffer.from('line\r\nSecond'))).to.equal(true);
    });

    it('reads CRLF inside a value as a newline, keeping the blank line', () => {
      const input = readContactFixture('contacts/valid/crlf-line-endings.xml');
      expect(input.problems).to.deep.equal([]);
      expect(input.fields.comment).to.equal('First line\nSecond line\n\nFourth line');
      expect(input.contact_addresses?.[0].fields.street_address).to.equal('10 rue de la Paix\nBâtiment B');
    });

    it('reads a lone CR as a newline', () => {
      expect(readContactXml('<contact><comment>a\rb</comment></contact>').fields.comment).to.equal('a\nb');
    });
  });

  describe('valid/whitespace-around-values.xml', () => {
    it('trims whitespace around values, newlines and tabs included', () => {
      const input = readContactFixture('contacts/valid/whitespace-around-values.xml');
      expect(input.problems).to.deep.equal([]);
      expect(input.fields.civility_label_id).to.equal('18');
      expect(input.fields.last_name).to.equal('Bouvet');
      expect(input.fields.first_name).to.equal('Adèle');
      expect(input.fields.job_title).to.equal('Buyer');
      expect(input.fields.firm_id).to.equal('3');
      expect(input.fields.contact_type).to.equal('client');
      expect(input.contact_items).to.deep.equal([{ fields: { type_id: '27', value: 'adele@example.com' }, kept: {} }]);
    });

    it('keeps whitespace inside a value', () => {
      const input = readContactFixture('contacts/valid/whitespace-around-values.xml');
      expect(input.fields.comment).to.equal('First line\n      indented second line');
    });

    it('reads a whitespace-only value as empty', () => {
      const input = readContactFixture('contacts/valid/whitespace-around-values.xml');
      expect(input.fields.job_department).to.equal(null);
    });
  });

  describe('valid/leading-zeros-and-plus.xml', () => {
    it('keeps values byte for byte: 00100, +33600000000, 007, 1e5, 0x1F stay text', () => {
      const input = readContactFixture('contacts/valid/leading-zeros-and-plus.xml');
      expect(input.fields.last_name).to.equal('0042');
      expect(input.fields.remote_id).to.equal('007');
      expect(input.contact_addresses?.[0].fields.zip_code).to.equal('00100');
      expect(input.contact_items?.map((i) => i.fields.value)).to.deep.equal(['+33600000000', '0033 1 23 45 67 89', '1e5', '0x1F']);
    });
  });

  describe('valid/emoji-and-accents.xml', () => {
    it('reads accents, CJK and emoji unchanged', () => {
      const input = readContactFixture('contacts/valid/emoji-and-accents.xml');
      expect(input.fields).to.deep.equal({
        last_name: 'Æsir-Øberg',
        first_name: 'Zoë 😀',
        comment: '日本語のコメント ✓ 🎉 — naïve café',
        job_title: 'Señor Ingeniero',
      });
      expect(input.contact_addresses?.[0].fields).to.deep.equal({
        address_type: '20',
        street_address: 'Straße 1',
        city: 'Zürich',
        country: 'Schweiz',
      });
    });
  });

  describe('every valid fixture', () => {
    for (const name of fixtureNames('contacts/valid')) {
      it(`valid/${name} reads without problems and passes validation as a new contact`, () => {
        const input = readContactFixture(`contacts/valid/${name}`);
        expect(input.problems).to.deep.equal([]);
        const checked = checkContact(draftContactForCreate(input), contractLookups(), input.problems);
        expect(checked.errors).to.equal(undefined);
      });
    }
  });

  describe('shape problems (reported with the validation messages)', () => {
    it('reports a field given twice, under its humanized name', () => {
      const input = readContactXml('<contact><last_name>a</last_name><last_name>b</last_name></contact>');
      expect(input.problems).to.have.length(1);
      expect(input.problems[0]).to.match(/^Last name /);
    });

    it('reports a field given twice in two spellings (last_name and last-name) instead of keeping the last', () => {
      const input = readContactXml('<contact><last_name>a</last_name><last-name>b</last-name></contact>');
      expect(input.problems).to.have.length(1);
      expect(input.problems[0]).to.match(/^Last name /);
    });

    it('reports a child field given twice in two spellings (type_id and type-id)', () => {
      const input = readContactXml(
        '<contact><contact_items><contact_item><type_id>23</type_id><type-id>27</type-id><value>a</value></contact_item></contact_items></contact>',
      );
      expect(input.problems).to.have.length(1);
      expect(input.problems[0]).to.match(/^Contact items type id /);
    });

    it('reports elements inside a text field', () => {
      const input = readContactXml('<contact><comment>a <b>x</b> c</comment></contact>');
      expect(input.problems).to.have.length(1);
      expect(input.problems[0]).to.match(/^Comment /);
      expect(input.fields).not.to.have.property('comment');
    });

    it('reports text where a collection expects children', () => {
      const input = readContactXml('<contact><contact_items>abc</contact_items></contact>');
      expect(input.problems).to.have.length(1);
      expect(input.problems[0]).to.match(/^Contact items /);
    });

    it('reports a collection given twice', () => {
      const input = readContactXml('<contact><contact_items/><contact_items/></contact>');
      expect(input.problems).to.have.length(1);
      expect(input.problems[0]).to.match(/^Contact items /);
    });

    it('reports a collection given twice in two spellings (contact_items and contact-items)', () => {
      const input = readContactXml('<contact><contact_items/><contact-items/></contact>');
      expect(input.problems[0]).to.match(/^Contact items /);
    });

    it('reports a child field given twice, under the collection name', () => {
      const input = readContactXml('<contact><contact_items><contact_item><value>a</value><value>b</value></contact_item></contact_items></contact>');
      expect(input.problems[0]).to.match(/^Contact items value /);
    });

    it('reads an empty <contact/> as no fields at all', () => {
      expect(readContactXml('<contact/>')).to.deep.equal({
        fields: {},
        problems: [],
        kept: {},
        notKept: [],
      });
    });
  });

  describe('values never become objects', () => {
    it('ignores type hints: type="yaml", type="symbol" and type="array" on a field stay plain text', () => {
      const input = readContactXml(
        '<contact><last_name type="yaml">--- !ruby/object:Foo {}</last_name><first_name type="symbol">admin</first_name><job_title type="array">x</job_title></contact>',
      );
      expect(input.fields).to.deep.equal({
        last_name: '--- !ruby/object:Foo {}',
        first_name: 'admin',
        job_title: 'x',
      });
    });

    it('reads nil="true" as empty even when the element has text', () => {
      expect(readContactXml('<contact><comment nil="true">x</comment></contact>').fields.comment).to.equal(null);
    });

    it('reads nil="false" as a present value', () => {
      expect(readContactXml('<contact><comment nil="false">x</comment></contact>').fields.comment).to.equal('x');
    });
  });
});
