// Shared helpers for the pure codec and validation specs (no HTTP, no database): fixture
// files, the contract's lookup tables, the section 2 contact, and the read pipeline.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Lookups } from '../../src/contacts/types.js';
import { decodeUtf8, parseDocument } from '../../src/xml/document.js';
import { readContact, type Contact, type ContactInput } from '../support/contact-codec.js';

/** mocha runs from the repository root. */
export const FIXTURES = path.resolve('fixtures');

export function fixtureBytes(relative: string): Buffer {
  return readFileSync(path.join(FIXTURES, relative));
}

export function fixtureText(relative: string): string {
  return readFileSync(path.join(FIXTURES, relative), 'utf8');
}

export function fixtureNames(dir: string): string[] {
  return readdirSync(path.join(FIXTURES, dir))
    .filter((f) => f.endsWith('.xml'))
    .sort();
}

/** Bytes → <contact> → ContactInput, as the HTTP layer does it. */
export function readContactBytes(bytes: Uint8Array): ReturnType<typeof readContact> {
  return readContact(parseDocument(decodeUtf8(bytes), 'contact'));
}

export function readContactXml(xml: string): ReturnType<typeof readContact> {
  return readContactBytes(Buffer.from(xml, 'utf8'));
}

export function readContactFixture(relative: string): ReturnType<typeof readContact> {
  return readContactBytes(fixtureBytes(relative));
}

/** The error `fn` throws (fails the test when it does not throw). */
export function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to throw, it returned normally');
}

/** The lookup tables exactly as CONTRACT.md section 2 lists them, in that order. */
export function contractLookups(): Lookups {
  return {
    civilityLabels: new Map([
      [17, 'Mr'],
      [18, 'Madam'],
      [19, 'Miss'],
    ]),
    contactTypes: new Map(['client', 'prospect', 'supplier', 'press', 'partner', 'staff', 'perso', 'other'].map((t) => [t, t])),
    addressTypes: new Map([
      [20, 'personal'],
      [21, 'professional'],
      [22, 'other'],
    ]),
    itemTypes: new Map([
      [23, { label: 'personal phone', kind: 'phone' }],
      [25, { label: 'personal fax', kind: 'fax' }],
      [28, { label: 'personal email', kind: 'email' }],
      [554, { label: 'personal cell phone', kind: 'cell' }],
      [471, { label: 'main professional phone', kind: 'phone' }],
      [24, { label: 'professional phone', kind: 'phone' }],
      [26, { label: 'professional fax', kind: 'fax' }],
      [27, { label: 'professional email', kind: 'email' }],
      [88, { label: 'professional cell phone', kind: 'cell' }],
      [430, { label: 'Skype', kind: 'messenger' }],
      [431, { label: 'Yahoo messenger', kind: 'messenger' }],
      [432, { label: 'MSN messenger', kind: 'messenger' }],
      [433, { label: 'AIM', kind: 'messenger' }],
      [457, { label: 'ICQ', kind: 'messenger' }],
    ]),
  };
}

/** The contact of CONTRACT.md section 2 (v2 document, every field), as stored and enriched (firm_name). */
export function sectionTwoContact(): Contact {
  return {
    id: 12,
    business_file_id: 1,
    civility_label_id: 18,
    last_name: 'Bouvet',
    first_name: 'Adèle',
    first_last_name: 'Adèle Bouvet',
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
    firm_id: 3,
    firm_name: 'ACME',
    project_id: null,
    bank_account_id: null,
    remote_id: 'CONTACT_123',
    batch: '17 jan 12 @ 15:12:02',
    batch_kind: 'CSV',
    creator_id: 1,
    modifier_id: 1,
    created_at: new Date('2012-01-17T15:14:00Z'),
    updated_at: new Date('2012-01-17T15:14:00Z'),
    version: 1,
    contact_addresses: [
      {
        id: 7,
        contact_id: 12,
        address_type: 21,
        street_address: '10 rue de la Paix',
        street_address2: null,
        street_number: '10',
        street_name: 'rue de la Paix',
        additional_info: null,
        zip_code: '00100',
        city: 'Paris',
        country: 'France',
        country_iso_3166_a3: 'FRA',
        created_at: new Date('2012-01-17T15:14:00Z'),
        updated_at: new Date('2012-02-07T16:13:00Z'),
      },
    ],
    contact_items: [
      {
        id: 31,
        contact_id: 12,
        type_id: 24,
        value: '01 23 45 67 89',
        normalized_phone: '0123456789',
        creator_id: 1,
        modifier_id: 1,
        created_at: new Date('2012-01-17T15:14:00Z'),
        updated_at: new Date('2014-10-29T17:20:00Z'),
      },
    ],
  };
}

/** A ContactInput with only the given fields (what readContact returns for a small body). */
export function input(fields: ContactInput['fields'], rest: Partial<Omit<ContactInput, 'fields'>> = {}): ContactInput {
  return { fields, problems: [], ...rest };
}

/** Well-formed documents that are refused by validation (422), not by the parser. */
export const VALIDATION_FAULTS = [
  'address-type-is-an-item-type.xml',
  'bad-email.xml',
  'blank-last-name.xml',
  'control-character.xml',
  'field-given-twice.xml',
  'firm-id-exponent.xml',
  'firm-id-hex.xml',
  'item-type-is-an-address-type.xml',
  'many-errors.xml',
  'missing-item-value.xml',
  'missing-last-name.xml',
  'too-long-zip-code.xml',
  'unknown-civility.xml',
  'unknown-contact-type.xml',
];
