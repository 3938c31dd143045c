// Every rule of CONTRACT.md section 5, on drafts built from inputs (no HTTP, no database).
// Messages are Rails-style sentences starting with the humanized field name.
import { expect } from 'chai';
import { cleanText } from '../../src/resources/validate.js';
import { checkContact, draftContactForCreate, type ContactInput } from '../support/contact-codec.js';
import { contractLookups, input, readContactFixture, readContactXml, VALIDATION_FAULTS } from '../xml/helpers.js';

const lookups = contractLookups();

function check(fields: ContactInput['fields'], rest: Partial<Omit<ContactInput, 'fields'>> = {}, extraErrors: string[] = []) {
  return checkContact(draftContactForCreate(input(fields, rest)), lookups, extraErrors);
}

function errorsOf(fields: ContactInput['fields'], rest: Partial<Omit<ContactInput, 'fields'>> = {}): string[] {
  return check(fields, rest).errors ?? [];
}

function valuesOf(fields: ContactInput['fields'], rest: Partial<Omit<ContactInput, 'fields'>> = {}) {
  const checked = check(fields, rest);
  expect(checked.errors, 'no errors expected').to.equal(undefined);
  return checked.values!;
}

const address = (fields: Record<string, string | null>) => ({
  contact_addresses: [{ fields }],
});
const item = (type_id: string | null, value: string | null) => ({
  contact_items: [{ fields: { type_id, value } }],
});
const many = (n: number, s: string) => s.repeat(n);

describe('contact validation', () => {
  describe('a valid contact', () => {
    it('gives typed values: lookups and firm_id as numbers, texts trimmed, absent as null', () => {
      const values = valuesOf(
        {
          civility_label_id: ' 18 ',
          last_name: '  Bouvet ',
          first_name: 'Adèle',
          contact_type: 'client',
          firm_id: '3',
          remote_id: 'CONTACT_123',
        },
        {
          contact_addresses: [
            {
              fields: { address_type: '21', zip_code: '00100', city: 'Paris' },
            },
          ],
          contact_items: [{ fields: { type_id: '27', value: ' adele@example.com ' } }],
        },
      );
      expect(values).to.deep.equal({
        civility_label_id: 18,
        last_name: 'Bouvet',
        first_name: 'Adèle',
        comment: null,
        job_title: null,
        job_department: null,
        country: null,
        language: null,
        contact_type: 'client',
        contact_type2: null,
        contact_origin: null,
        keywords: null,
        reference: null,
        accounting_ref: null,
        accounting_ref_vendor: null,
        firm_id: 3,
        project_id: null,
        bank_account_id: null,
        remote_id: 'CONTACT_123',
        batch: null,
        batch_kind: null,
        contact_addresses: [
          {
            address_type: 21,
            street_address: null,
            street_address2: null,
            street_number: null,
            street_name: null,
            additional_info: null,
            zip_code: '00100',
            city: 'Paris',
            country: null,
            country_iso_3166_a3: null,
          },
        ],
        contact_items: [{ type_id: 27, value: 'adele@example.com' }],
      });
    });

    it('keeps text values exactly: 00100, +33600000000, 1e5 as a messenger id', () => {
      const values = valuesOf(
        { last_name: '0042' },
        {
          ...address({ address_type: '20', zip_code: '00100' }),
          contact_items: [{ fields: { type_id: '554', value: '+33600000000' } }, { fields: { type_id: '457', value: '1e5' } }],
        },
      );
      expect(values.last_name).to.equal('0042');
      expect(values.contact_addresses[0].zip_code).to.equal('00100');
      expect(values.contact_items.map((i) => i.value)).to.deep.equal(['+33600000000', '1e5']);
    });
  });

  describe('last_name', () => {
    it('is required: absent, empty, null or blank gives "Last name can\'t be blank"', () => {
      for (const fields of [{}, { last_name: '' }, { last_name: null }, { last_name: '   ' }, { last_name: '\n\t ' }]) {
        expect(errorsOf(fields), JSON.stringify(fields)).to.deep.equal(["Last name can't be blank"]);
      }
    });

    it('accepts 200 characters and refuses 201', () => {
      expect(errorsOf({ last_name: many(200, 'a') })).to.deep.equal([]);
      expect(errorsOf({ last_name: many(201, 'a') })).to.deep.equal(['Last name is too long (maximum is 200 characters)']);
    });

    it('counts an emoji as one character (200 emoji are fine, 201 are not)', () => {
      expect(errorsOf({ last_name: many(200, '😀') })).to.deep.equal([]);
      expect(errorsOf({ last_name: many(201, '😀') })).to.deep.equal(['Last name is too long (maximum is 200 characters)']);
    });

    it('counts after trimming', () => {
      expect(errorsOf({ last_name: `  ${many(200, 'a')}\n` })).to.deep.equal([]);
    });
  });

  describe('length limits', () => {
    const LIMITS: [string, number, string][] = [
      ['first_name', 200, 'First name'],
      ['job_title', 200, 'Job title'],
      ['job_department', 200, 'Job department'],
      ['country', 100, 'Country'],
      ['comment', 10_000, 'Comment'],
      ['remote_id', 100, 'Remote id'],
    ];
    for (const [field, max, label] of LIMITS) {
      it(`${field}: at most ${max} characters, emoji counted as one`, () => {
        expect(errorsOf({ last_name: 'B', [field]: many(max, 'x') }), `${max} x`).to.deep.equal([]);
        expect(errorsOf({ last_name: 'B', [field]: many(max, '😀') }), `${max} emoji`).to.deep.equal([]);
        expect(errorsOf({ last_name: 'B', [field]: many(max + 1, 'x') })).to.deep.equal([`${label} is too long (maximum is ${max} characters)`]);
        expect(errorsOf({ last_name: 'B', [field]: many(max + 1, '😀') })).to.deep.equal([`${label} is too long (maximum is ${max} characters)`]);
      });
    }

    const ADDRESS_LIMITS: [string, number][] = [
      ['street_address', 255],
      ['street_address2', 255],
      ['zip_code', 20],
      ['city', 100],
      ['country', 100],
    ];
    for (const [field, max] of ADDRESS_LIMITS) {
      it(`contact address ${field}: at most ${max} characters, emoji counted as one`, () => {
        expect(errorsOf({ last_name: 'B' }, address({ address_type: '21', [field]: many(max, 'é') }))).to.deep.equal([]);
        expect(errorsOf({ last_name: 'B' }, address({ address_type: '21', [field]: many(max, '😀') }))).to.deep.equal([]);
        const errors = errorsOf({ last_name: 'B' }, address({ address_type: '21', [field]: many(max + 1, '😀') }));
        expect(errors).to.have.length(1);
        expect(errors[0]).to.match(/^Contact addresses /);
        expect(errors[0]).to.contain(field.replace(/_/g, ' '));
        expect(errors[0]).to.contain(`maximum is ${max} characters`);
      });
    }

    it('contact item value: at most 255 characters, emoji counted as one', () => {
      expect(errorsOf({ last_name: 'B' }, item('430', many(255, '😀')))).to.deep.equal([]);
      const errors = errorsOf({ last_name: 'B' }, item('430', many(256, '😀')));
      expect(errors).to.have.length(1);
      expect(errors[0]).to.match(/^Contact items value /);
      expect(errors[0]).to.contain('maximum is 255 characters');
    });

    it('counts a value read from the zip fixture as too long', () => {
      const read = readContactFixture('contacts/invalid/too-long-zip-code.xml');
      const errors = checkContact(draftContactForCreate(read), lookups, read.problems).errors ?? [];
      expect(errors).to.have.length(1);
      expect(errors[0]).to.match(/^Contact addresses zip code /);
    });
  });

  describe('lookup values', () => {
    it('civility_label_id: empty, 17, 18 or 19', () => {
      for (const v of [null, '', '17', '18', '19']) expect(errorsOf({ last_name: 'B', civility_label_id: v }), String(v)).to.deep.equal([]);
      for (const v of ['16', '20', '21', 'Mr', 'Madam', '18.0', '1.8e1', '0x12', '18abc', '+18', '-17', '1 8']) {
        expect(errorsOf({ last_name: 'B', civility_label_id: v }), v).to.deep.equal(['Civility label id is not included in the list']);
      }
    });

    it('contact_type: empty or one of the eight types', () => {
      for (const v of [null, 'client', 'prospect', 'supplier', 'press', 'partner', 'staff', 'perso', 'other']) {
        expect(errorsOf({ last_name: 'B', contact_type: v }), String(v)).to.deep.equal([]);
      }
      for (const v of ['customer', 'vip', '1', 'toString', '__proto__', 'constructor']) {
        expect(errorsOf({ last_name: 'B', contact_type: v }), v).to.deep.equal(['Contact type is not included in the list']);
      }
    });

    it('address_type: required, 20, 21 or 22 only (not the item types: the old reference swaps the headings)', () => {
      for (const v of ['20', '21', '22']) expect(errorsOf({ last_name: 'B' }, address({ address_type: v })), v).to.deep.equal([]);
      for (const v of ['23', '27', '19', 'professional', '0x15', '2.1e1']) {
        const errors = errorsOf({ last_name: 'B' }, address({ address_type: v }));
        expect(errors, v).to.have.length(1);
        expect(errors[0], v).to.match(/^Contact addresses address type .*not included in the list/);
      }
      const blank = errorsOf({ last_name: 'B' }, address({ city: 'Paris' }));
      expect(blank).to.have.length(1);
      expect(blank[0]).to.match(/^Contact addresses address type can't be blank/);
    });

    it('type_id: required, one of the fourteen item types only (not 20–22)', () => {
      for (const v of ['23', '25', '28', '554', '471', '24', '26', '27', '88', '430', '431', '432', '433', '457']) {
        expect(errorsOf({ last_name: 'B' }, item(v, v === '27' || v === '28' ? 'a@example.com' : 'x')), v).to.deep.equal([]);
      }
      for (const v of ['20', '21', '22', '17', '1', 'email', '0x1B']) {
        const errors = errorsOf({ last_name: 'B' }, item(v, 'x'));
        expect(errors, v).to.have.length(1);
        expect(errors[0], v).to.match(/^Contact items type id .*not included in the list/);
      }
      const blank = errorsOf({ last_name: 'B' }, item(null, 'x'));
      expect(blank).to.have.length(1);
      expect(blank[0]).to.match(/^Contact items type id can't be blank/);
    });
  });

  describe('firm_id', () => {
    it('accepts empty and positive decimal integers', () => {
      expect(valuesOf({ last_name: 'B', firm_id: null }).firm_id).to.equal(null);
      expect(valuesOf({ last_name: 'B', firm_id: '' }).firm_id).to.equal(null);
      expect(valuesOf({ last_name: 'B', firm_id: '1' }).firm_id).to.equal(1);
      expect(valuesOf({ last_name: 'B', firm_id: ' 42 ' }).firm_id).to.equal(42);
      expect(valuesOf({ last_name: 'B', firm_id: '2147483648' }).firm_id).to.equal(2147483648);
    });

    it('refuses 1e5, 0x1F, 12abc and other non-decimal forms as "not a number"', () => {
      for (const v of ['1e5', '0x1F', '12abc', '3.0', '3,5', '+3', 'three', '١٢', '１２', '3 4', 'Infinity', 'NaN']) {
        expect(errorsOf({ last_name: 'B', firm_id: v }), v).to.deep.equal(['Firm id is not a number']);
      }
    });

    it('refuses 0 and negative numbers', () => {
      for (const v of ['0', '000', '-3']) {
        const errors = errorsOf({ last_name: 'B', firm_id: v });
        expect(errors, v).to.have.length(1);
        expect(errors[0], v).to.match(/^Firm id /);
      }
      expect(errorsOf({ last_name: 'B', firm_id: '0' })).to.deep.equal(['Firm id must be greater than 0']);
    });

    it('refuses a number too large to be stored exactly', () => {
      const errors = errorsOf({
        last_name: 'B',
        firm_id: '99999999999999999999',
      });
      expect(errors).to.have.length(1);
      expect(errors[0]).to.match(/^Firm id /);
    });
  });

  describe('contact item values', () => {
    it('are required', () => {
      for (const v of [null, '', '  ']) {
        const errors = errorsOf({ last_name: 'B' }, item('23', v));
        expect(errors, String(v)).to.deep.equal(["Contact items value can't be blank"]);
      }
    });

    for (const typeId of ['27', '28']) {
      it(`must be an email address for email kind ${typeId}`, () => {
        for (const v of ['adele@example.com', "o'brien+news@mail.example.co.uk", 'a.b-c_d@x-y.fr']) {
          expect(errorsOf({ last_name: 'B' }, item(typeId, v)), v).to.deep.equal([]);
        }
        for (const v of [
          'adele',
          'adele@',
          '@example.com',
          'adele@example',
          'adele at example.com',
          'a@@example.com',
          'a@b@example.com',
          'adele@example..com',
          'adele@.example.com',
          'a\n@example.com',
        ]) {
          const errors = errorsOf({ last_name: 'B' }, item(typeId, v));
          expect(errors, v).to.have.length.above(0);
          expect(
            errors.every((e) => e.startsWith('Contact items value ')),
            v,
          ).to.equal(true);
        }
        expect(errorsOf({ last_name: 'B' }, item(typeId, 'adele'))).to.deep.equal(['Contact items value is not a valid email address']);
      });
    }

    it('need not be an email address for phone, fax, cell and messenger kinds', () => {
      for (const typeId of ['23', '25', '554', '471', '24', '26', '88', '430', '431', '432', '433', '457']) {
        expect(errorsOf({ last_name: 'B' }, item(typeId, 'not an email')), typeId).to.deep.equal([]);
      }
    });
  });

  describe('control characters', () => {
    const CONTROLS = ['\u0000', '\u0001', '\u0007', '\u0008', '\u000b', '\u000c', '\u001b', '\u001f', '\u007f', '\u0085', '\u009f'];

    it('are refused in contact fields', () => {
      for (const c of CONTROLS) {
        for (const field of ['last_name', 'first_name', 'comment', 'job_title', 'job_department', 'country', 'remote_id'] as const) {
          const errors = errorsOf({ last_name: 'B', [field]: `a${c}b` });
          expect(errors, `${field} U+${c.charCodeAt(0).toString(16)}`).to.have.length(1);
          expect(errors[0]).to.match(/^[A-Z][a-z]+( [a-z]+)? contains a control character/);
        }
      }
      expect(errorsOf({ last_name: 'B', comment: 'a\u0001b' })).to.deep.equal(['Comment contains a control character (only tab and newline are allowed)']);
    });

    it('are refused in address fields and item values', () => {
      for (const c of CONTROLS) {
        const a = errorsOf({ last_name: 'B' }, address({ address_type: '21', city: `Pa${c}ris` }));
        expect(a, `city U+${c.charCodeAt(0).toString(16)}`).to.have.length(1);
        expect(a[0]).to.match(/^Contact addresses city /);
        const i = errorsOf({ last_name: 'B' }, item('430', `x${c}y`));
        expect(i, `value U+${c.charCodeAt(0).toString(16)}`).to.have.length(1);
        expect(i[0]).to.match(/^Contact items value /);
      }
    });

    it('allow tab and newline inside a value', () => {
      const values = valuesOf({ last_name: 'B', comment: 'a\tb\nc\n\nd' }, address({ address_type: '21', street_address: 'line 1\nline 2' }));
      expect(values.comment).to.equal('a\tb\nc\n\nd');
      expect(values.contact_addresses[0].street_address).to.equal('line 1\nline 2');
    });

    it('are refused with a 422 naming the field when sent as a character reference (&#1;, &#x1B;)', () => {
      const read = readContactXml('<contact><last_name>B&#1;</last_name><comment>x&#x1B;[31m</comment></contact>');
      const errors = checkContact(draftContactForCreate(read), lookups, read.problems).errors;
      expect(errors).to.deep.equal([
        'Last name contains a control character (only tab and newline are allowed)',
        'Comment contains a control character (only tab and newline are allowed)',
      ]);
    });

    it('read &#13; and &#xD; as a newline, so no stored value holds a carriage return', () => {
      const read = readContactXml('<contact><last_name>B</last_name><comment>a&#13;&#10;b&#xD;c</comment></contact>');
      const checked = checkContact(draftContactForCreate(read), lookups, read.problems);
      expect(checked.values?.comment).to.equal('a\nb\nc');
    });

    it('read a carriage return as a newline, so no stored value holds one', () => {
      const values = valuesOf({ last_name: 'B', comment: 'a\r\nb\rc' }, item('430', 'x\r\ny'));
      expect(values.comment).to.equal('a\nb\nc');
      expect(values.contact_items[0].value).to.equal('x\ny');
    });
  });

  describe('number of children', () => {
    const addresses = (n: number) => Array.from({ length: n }, () => ({ fields: { address_type: '21' } }));
    const items = (n: number) =>
      Array.from({ length: n }, (_, i) => ({
        fields: { type_id: '23', value: String(i) },
      }));

    it('accepts 100 addresses and 100 items', () => {
      expect(errorsOf({ last_name: 'B' }, { contact_addresses: addresses(100), contact_items: items(100) })).to.deep.equal([]);
    });

    it('refuses 101 addresses', () => {
      const errors = errorsOf({ last_name: 'B' }, { contact_addresses: addresses(101) });
      expect(errors).to.have.length(1);
      expect(errors[0]).to.match(/^Contact addresses .*100/);
    });

    it('refuses 101 items', () => {
      const errors = errorsOf({ last_name: 'B' }, { contact_items: items(101) });
      expect(errors).to.have.length(1);
      expect(errors[0]).to.match(/^Contact items .*100/);
    });
  });

  describe('every problem at once', () => {
    it('lists every problem of a contact and its children in one answer', () => {
      const errors = errorsOf(
        {
          civility_label_id: '99',
          last_name: '',
          first_name: many(201, 'x'),
          contact_type: 'vip',
          firm_id: '12abc',
          remote_id: many(101, 'r'),
          country: 'a\u0001',
        },
        {
          contact_addresses: [{ fields: { address_type: null, zip_code: many(21, '9') } }],
          contact_items: [{ fields: { type_id: '27', value: 'not-an-email' } }, { fields: { type_id: '21', value: null } }],
        },
      );
      expect(errors).to.include.members([
        'Civility label id is not included in the list',
        "Last name can't be blank",
        'First name is too long (maximum is 200 characters)',
        'Contact type is not included in the list',
        'Firm id is not a number',
        'Remote id is too long (maximum is 100 characters)',
        'Country contains a control character (only tab and newline are allowed)',
        'Contact items value is not a valid email address',
        "Contact items value can't be blank",
      ]);
      expect(errors.some((e) => /^Contact addresses address type can't be blank/.test(e))).to.equal(true);
      expect(errors.some((e) => /^Contact addresses zip code .*maximum is 20 characters/.test(e))).to.equal(true);
      expect(errors.some((e) => /^Contact items type id .*not included in the list/.test(e))).to.equal(true);
      expect(errors).to.have.length(12);
    });

    it('starts every message with a humanized field name and ends it as a full sentence', () => {
      const errors = errorsOf(
        {
          civility_label_id: '1',
          contact_type: 'x',
          firm_id: '0',
          job_title: many(201, 'x'),
          job_department: many(201, 'x'),
          comment: many(10_001, 'x'),
        },
        {
          ...address({
            address_type: 'x',
            street_address: many(256, 'x'),
            street_address2: many(256, 'x'),
            city: many(101, 'x'),
            country: many(101, 'x'),
          }),
        },
      );
      const prefixes = ['Civility label id ', 'Last name ', 'Contact type ', 'Firm id ', 'Job title ', 'Job department ', 'Comment ', 'Contact addresses '];
      expect(errors).to.have.length(12);
      for (const e of errors) {
        expect(
          prefixes.some((p) => e.startsWith(p)),
          e,
        ).to.equal(true);
        expect(e).to.match(/^[A-Z]/);
      }
    });

    it('lists extra errors (shape problems, foreign child ids) first, with the others', () => {
      const checked = check({ last_name: '' }, {}, ["Contact items id 99 is not one of this contact's items"]);
      expect(checked.errors).to.deep.equal(["Contact items id 99 is not one of this contact's items", "Last name can't be blank"]);
    });

    it('fails on extra errors alone', () => {
      const checked = check({ last_name: 'B' }, {}, ['Last name is given more than once']);
      expect(checked.errors).to.deep.equal(['Last name is given more than once']);
    });
  });

  describe('the well-formed invalid fixtures', () => {
    for (const name of VALIDATION_FAULTS) {
      it(`refuses invalid/${name} with messages that each start with a field name`, () => {
        const read = readContactFixture(`contacts/invalid/${name}`);
        const errors = checkContact(draftContactForCreate(read), lookups, read.problems).errors ?? [];
        expect(errors, name).to.have.length.above(0);
        for (const e of errors)
          expect(e).to.match(
            /^(Civility label id|Last name|First name|Comment|Job title|Job department|Country|Contact type|Firm id|Remote id|Contact addresses|Contact items) /,
          );
      });
    }

    it('gives the expected message for each single-fault fixture', () => {
      const expected: Record<string, string[]> = {
        'blank-last-name.xml': ["Last name can't be blank"],
        'missing-last-name.xml': ["Last name can't be blank"],
        'unknown-civility.xml': ['Civility label id is not included in the list'],
        'unknown-contact-type.xml': ['Contact type is not included in the list'],
        'firm-id-hex.xml': ['Firm id is not a number'],
        'firm-id-exponent.xml': ['Firm id is not a number'],
        'bad-email.xml': ['Contact items value is not a valid email address'],
        'missing-item-value.xml': ["Contact items value can't be blank"],
        'control-character.xml': ['Comment contains a control character (only tab and newline are allowed)'],
      };
      for (const [name, messages] of Object.entries(expected)) {
        const read = readContactFixture(`contacts/invalid/${name}`);
        expect(checkContact(draftContactForCreate(read), lookups, read.problems).errors, name).to.deep.equal(messages);
      }
    });
  });

  describe('cleanText', () => {
    it('trims, turns CR and CRLF into LF, and turns empty into null', () => {
      expect(cleanText('  a \r\n b\r ')).to.equal('a \n b');
      expect(cleanText(' \t\n')).to.equal(null);
      expect(cleanText('')).to.equal(null);
      expect(cleanText(null)).to.equal(null);
      expect(cleanText(undefined)).to.equal(null);
    });
  });
});
