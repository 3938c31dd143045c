// Partial updates (CONTRACT.md section 4): the stored contact with the input laid over it, the
// collection replacement rules, and the change set that decides whether anything is written.
import { expect } from 'chai';
import { isUnchanged } from '../../src/resources/changes.js';
import { checkContact, contactChanges, draftContactForCreate, draftContactForUpdate, type Contact, type ContactInput } from '../support/contact-codec.js';
import { contractLookups, input, readContactFixture, readContactXml, sectionTwoContact } from '../xml/helpers.js';

const lookups = contractLookups();

/** The contact the ActiveResource PUT-back fixture was read from: section 2 plus one more child each. */
function storedForWrappedFixture(): Contact {
  const c = sectionTwoContact();
  return {
    ...c,
    contact_addresses: [
      ...c.contact_addresses,
      {
        id: 8,
        contact_id: 12,
        address_type: 20,
        street_address: '2 place du Marché',
        street_address2: null,
        street_number: '2',
        street_name: 'place du Marché',
        additional_info: null,
        zip_code: '69001',
        city: 'Lyon',
        country: 'France',
        country_iso_3166_a3: 'FRA',
        created_at: new Date('2012-02-07T16:13:00Z'),
        updated_at: new Date('2012-02-07T16:13:00Z'),
      },
    ],
    contact_items: [
      ...c.contact_items,
      {
        id: 32,
        contact_id: 12,
        type_id: 554,
        value: '+33600000000',
        normalized_phone: '+33600000000',
        creator_id: 1,
        modifier_id: null,
        created_at: new Date('2014-10-29T17:20:00Z'),
        updated_at: new Date('2014-10-29T17:20:00Z'),
      },
    ],
  };
}

/** The stored address 7 of the section 2 contact as draft text. */
const ADDRESS_7 = {
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

/** The stored item 31 of the section 2 contact as draft text. */
const ITEM_31 = { type_id: '24', value: '01 23 45 67 89' };

function update(current: Contact, read: ContactInput) {
  const { draft, errors } = draftContactForUpdate(current, read);
  return {
    draft,
    errors,
    checked: checkContact(draft, lookups, [...read.problems, ...errors]),
  };
}

describe('drafts and changes', () => {
  describe('draftForCreate', () => {
    it('fills every absent field with null', () => {
      const draft = draftContactForCreate(input({ last_name: 'Bouvet' }));
      expect(draft.fields).to.deep.equal({
        civility_label_id: null,
        last_name: 'Bouvet',
        first_name: null,
        comment: null,
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
        project_id: null,
        bank_account_id: null,
        remote_id: null,
        batch: null,
        batch_kind: null,
      });
      expect(draft.contact_addresses).to.deep.equal([]);
      expect(draft.contact_items).to.deep.equal([]);
    });

    it('ignores child ids: every child of a new contact is new', () => {
      const draft = draftContactForCreate(readContactFixture('contacts/valid/full-contact.xml'));
      expect(draft.contact_addresses).to.have.length(1);
      expect(draft.contact_addresses[0]).not.to.have.property('id');
      expect(draft.contact_items[0]).not.to.have.property('id');
    });

    it('cleans texts: trimmed, CR read as LF, blank as null', () => {
      const draft = draftContactForCreate(input({ last_name: ' B ', comment: 'a\r\nb', first_name: '   ' }));
      expect(draft.fields).to.deep.include({
        last_name: 'B',
        comment: 'a\nb',
        first_name: null,
      });
    });
  });

  describe('draftForUpdate: contact fields', () => {
    it('changes only the fields present (a PHP script PUTting one field)', () => {
      const { draft, errors } = draftContactForUpdate(sectionTwoContact(), input({ job_title: 'Head buyer' }));
      expect(errors).to.deep.equal([]);
      expect(draft.fields).to.deep.equal({
        civility_label_id: '18',
        last_name: 'Bouvet',
        first_name: 'Adèle',
        comment: null,
        job_title: 'Head buyer',
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
      });
    });

    it('clears a field that is present but empty', () => {
      const { draft } = draftContactForUpdate(sectionTwoContact(), input({ first_name: null, job_title: '', country: '  ' }));
      expect(draft.fields).to.deep.include({
        first_name: null,
        job_title: null,
        country: null,
        last_name: 'Bouvet',
      });
    });

    it('clears a field sent as nil="true"', () => {
      const { draft } = draftContactForUpdate(sectionTwoContact(), readContactXml('<contact><firm-id type="integer" nil="true"/></contact>'));
      expect(draft.fields.firm_id).to.equal(null);
      expect(draft.fields.civility_label_id).to.equal('18');
    });

    it('reports blank last_name when an update clears it', () => {
      const { checked } = update(sectionTwoContact(), input({ last_name: '' }));
      expect(checked.errors).to.deep.equal(["Last name can't be blank"]);
    });

    it('leaves both collections untouched, ids included, when they are absent', () => {
      const { draft, errors } = draftContactForUpdate(sectionTwoContact(), input({ job_title: 'x' }));
      expect(errors).to.deep.equal([]);
      expect(draft.contact_addresses).to.deep.equal([{ id: 7, fields: ADDRESS_7 }]);
      expect(draft.contact_items).to.deep.equal([{ id: 31, fields: ITEM_31 }]);
    });
  });

  describe('draftForUpdate: collections', () => {
    it('keeps a listed child with its id and updates it in place, partially', () => {
      const { draft, errors } = draftContactForUpdate(sectionTwoContact(), input({}, { contact_addresses: [{ id: '7', fields: { city: 'Lyon' } }] }));
      expect(errors).to.deep.equal([]);
      expect(draft.contact_addresses).to.deep.equal([{ id: 7, fields: { ...ADDRESS_7, city: 'Lyon' } }]);
    });

    it('creates a listed child without id', () => {
      const { draft } = draftContactForUpdate(
        sectionTwoContact(),
        input(
          {},
          {
            contact_items: [{ id: '31', fields: {} }, { fields: { type_id: '23', value: '0102030405' } }],
          },
        ),
      );
      expect(draft.contact_items).to.deep.equal([
        { id: 31, fields: ITEM_31 },
        { fields: { type_id: '23', value: '0102030405' } },
      ]);
    });

    it('treats an empty or nil <id> as no id: a new child', () => {
      const read = readContactXml(
        '<contact><contact_items><contact_item><id></id><type_id>23</type_id><value>1</value></contact_item><contact_item><id nil="true"/><type_id>23</type_id><value>2</value></contact_item></contact_items></contact>',
      );
      const { draft, errors } = draftContactForUpdate(sectionTwoContact(), read);
      expect(errors).to.deep.equal([]);
      expect(draft.contact_items).to.deep.equal([{ fields: { type_id: '23', value: '1' } }, { fields: { type_id: '23', value: '2' } }]);
    });

    it('deletes the children that are not listed', () => {
      const { draft } = draftContactForUpdate(storedForWrappedFixture(), input({}, { contact_items: [{ id: '32', fields: {} }] }));
      expect(draft.contact_items.map((c) => c.id)).to.deep.equal([32]);
      expect(draft.contact_addresses.map((c) => c.id)).to.deep.equal([7, 8]);
    });

    it('empties a collection sent as <contact-items nil="true"/>', () => {
      const { draft, errors } = draftContactForUpdate(storedForWrappedFixture(), readContactFixture('contacts/valid/nil-collection.xml'));
      expect(errors).to.deep.equal([]);
      expect(draft.contact_items).to.deep.equal([]);
      expect(draft.contact_addresses).to.deep.equal([]);
      expect(draft.fields.first_name).to.equal('Adèle');
    });

    it('reads a child id with surrounding whitespace or type="integer"', () => {
      const read = readContactXml('<contact><contact-items type="array"><contact-item><id type="integer"> 31 </id></contact-item></contact-items></contact>');
      const { draft, errors } = draftContactForUpdate(sectionTwoContact(), read);
      expect(errors).to.deep.equal([]);
      expect(draft.contact_items).to.deep.equal([{ id: 31, fields: ITEM_31 }]);
    });

    it("refuses an id that is not one of this contact's children, naming the collection", () => {
      const { checked, errors } = update(sectionTwoContact(), input({}, { contact_items: [{ id: '99', fields: { value: 'x' } }] }));
      expect(errors).to.have.length(1);
      expect(errors[0]).to.match(/^Contact items .*99/);
      expect(checked.errors).to.include(errors[0]);
    });

    it("refuses an address id used as an item id (another collection's child)", () => {
      const { errors } = draftContactForUpdate(sectionTwoContact(), input({}, { contact_items: [{ id: '7', fields: {} }] }));
      expect(errors).to.have.length(1);
      expect(errors[0]).to.match(/^Contact items /);
    });

    it('refuses the same child id listed twice', () => {
      const { errors } = draftContactForUpdate(
        sectionTwoContact(),
        input(
          {},
          {
            contact_addresses: [
              { id: '7', fields: {} },
              { id: '7', fields: { city: 'Lyon' } },
            ],
          },
        ),
      );
      expect(errors).to.have.length(1);
      expect(errors[0]).to.match(/^Contact addresses .*7/);
    });

    it('refuses ids that are not plain decimal: 0x1F, 1e1, 31abc, -31', () => {
      for (const id of ['0x1F', '3.1e1', '31abc', '-31', '31.0']) {
        const { errors } = draftContactForUpdate(sectionTwoContact(), input({}, { contact_items: [{ id, fields: {} }] }));
        expect(errors, id).to.have.length(1);
        expect(errors[0], id).to.match(/^Contact items /);
      }
    });

    it('reports every foreign id at once, with the validation messages', () => {
      const { checked } = update(
        sectionTwoContact(),
        input(
          { last_name: '' },
          {
            contact_items: [
              { id: '98', fields: {} },
              { id: '99', fields: {} },
            ],
            contact_addresses: [{ id: '1', fields: {} }],
          },
        ),
      );
      expect(checked.errors).to.have.length(4);
      expect(checked.errors).to.include("Last name can't be blank");
    });
  });

  describe('contactChanges: a write that changes nothing', () => {
    it('PUTting back the section 2 document changes nothing', () => {
      const stored = sectionTwoContact();
      const { checked, errors } = update(stored, readContactFixture('contacts/valid/full-contact.xml'));
      expect(errors).to.deep.equal([]);
      expect(checked.errors).to.equal(undefined);
      expect(isUnchanged(contactChanges(stored, checked.values!))).to.equal(true);
    });

    it('PUTting back the ActiveResource document (dasherized, nil="true", wrapped children) changes nothing', () => {
      const stored = storedForWrappedFixture();
      const { checked, errors } = update(stored, readContactFixture('contacts/valid/activeresource-update-wrapped.xml'));
      expect(errors).to.deep.equal([]);
      expect(checked.errors).to.equal(undefined);
      const changes = contactChanges(stored, checked.values!);
      expect(changes.fields).to.deep.equal({});
      expect(isUnchanged(changes)).to.equal(true);
    });

    it('PUTting a value with extra surrounding whitespace changes nothing', () => {
      const stored = sectionTwoContact();
      const { checked } = update(stored, input({ last_name: '  Bouvet\n', firm_id: ' 3 ' }));
      expect(isUnchanged(contactChanges(stored, checked.values!))).to.equal(true);
    });

    it('an empty body changes nothing', () => {
      const stored = sectionTwoContact();
      const { checked } = update(stored, readContactXml('<contact/>'));
      expect(isUnchanged(contactChanges(stored, checked.values!))).to.equal(true);
    });

    it('reports a changed field, and only that one', () => {
      const stored = sectionTwoContact();
      const { checked } = update(stored, input({ firm_id: '4', last_name: 'Bouvet' }));
      const changes = contactChanges(stored, checked.values!);
      expect(changes.fields).to.deep.equal({ firm_id: [3, 4] });
      expect(isUnchanged(changes)).to.equal(false);
    });

    it('reports a cleared field as null', () => {
      const stored = sectionTwoContact();
      const { checked } = update(stored, input({ remote_id: '' }));
      expect(contactChanges(stored, checked.values!).fields).to.deep.equal({
        remote_id: ['CONTACT_123', null],
      });
    });

    it('sorts children into insert, update and remove', () => {
      const stored = storedForWrappedFixture();
      const { checked } = update(
        stored,
        input(
          {},
          {
            contact_items: [{ id: '31', fields: { value: 'new@example.com' } }, { fields: { type_id: '430', value: 'skype.me' } }],
            contact_addresses: [
              { id: '7', fields: {} },
              { id: '8', fields: {} },
            ],
          },
        ),
      );
      const changes = contactChanges(stored, checked.values!);
      expect(changes.fields).to.deep.equal({});
      expect(changes.collections.contact_items.update).to.deep.equal([{ id: 31, type_id: 24, value: 'new@example.com' }]);
      expect(changes.collections.contact_items.insert).to.deep.equal([{ type_id: 430, value: 'skype.me' }]);
      expect(changes.collections.contact_items.remove).to.deep.equal([32]);
      expect(changes.collections.contact_addresses).to.deep.equal({
        insert: [],
        update: [],
        remove: [],
      });
    });

    it('counts removing every child as a change', () => {
      const stored = storedForWrappedFixture();
      const { checked } = update(stored, readContactFixture('contacts/valid/nil-collection.xml'));
      const changes = contactChanges(stored, checked.values!);
      expect(changes.collections.contact_items.remove).to.deep.equal([31, 32]);
      expect(changes.collections.contact_addresses.remove).to.deep.equal([7, 8]);
      expect(isUnchanged(changes)).to.equal(false);
    });
  });
});
