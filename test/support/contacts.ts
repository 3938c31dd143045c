// Small helpers to build and read contact XML in specs.
import { XMLParser } from 'fast-xml-parser';

export const FULL_CONTACT = `<?xml version="1.0" encoding="UTF-8"?>
<contact>
  <civility_label_id>18</civility_label_id>
  <last_name>Bouvet</last_name>
  <first_name>Adèle</first_name>
  <comment></comment>
  <job_title>Buyer</job_title>
  <job_department>Purchasing</job_department>
  <country>France</country>
  <contact_type>client</contact_type>
  <firm_id>3</firm_id>
  <remote_id>CONTACT_123</remote_id>
  <contact_addresses>
    <contact_address>
      <address_type>21</address_type>
      <street_address>10 rue de la Paix</street_address>
      <street_address2></street_address2>
      <zip_code>00100</zip_code>
      <city>Paris</city>
      <country>France</country>
    </contact_address>
  </contact_addresses>
  <contact_items>
    <contact_item>
      <type_id>27</type_id>
      <value>adele@example.com</value>
    </contact_item>
  </contact_items>
</contact>
`;

/** A minimal valid contact document with the given extra elements. */
export function contactXml(lastName: string, extra = ''): string {
  return `<contact><last_name>${lastName}</last_name>${extra}</contact>`;
}

const parser = new XMLParser({ parseTagValue: false, ignoreAttributes: false, isArray: (name) => ['contact', 'contact_address', 'contact_item', 'error'].includes(name) });

/** Parses a response for assertions (values stay text). */
export function parseXml(text: string): any {
  return parser.parse(text);
}

export function errorsOf(text: string): string[] {
  return parseXml(text).errors?.error ?? [];
}

/** The value of one element of a single-contact document. */
export function field(text: string, name: string): string {
  const contact = parseXml(text).contact[0];
  return contact[name];
}
