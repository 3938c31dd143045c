// fixtures/generate.ts: realistic bulk-import files. The generated document must be exactly the
// export format, deterministic for a seed, valid contact by contact, varied enough to exercise
// every lookup value and every kind of tricky text, and streamed in bounded memory.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { Lookups } from '../../src/contacts/types.js';
import { parseTimestamp } from '../../src/time.js';
import { parseDocument } from '../../src/xml/document.js';
import { generateContacts, renderContact, writeImportFile, type Contact, type WriteOptions } from '../../fixtures/generate.js';
import { storedNames, type DocField } from '../../src/resources/spec.js';
import { CONTACT, checkContact, draftContactForCreate, LIST_CLOSE, LIST_OPEN, readContact } from '../support/contact-codec.js';
import { contractLookups } from '../xml/helpers.js';

/** The lookup tables of CONTRACT.md section 2. */
const lookups: Lookups = contractLookups();

/** A writable that keeps what it is given, with a small buffer so backpressure happens. */
class Collector extends Writable {
  private readonly chunks: Buffer[] = [];
  constructor() {
    super({ highWaterMark: 1024 });
  }
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.chunks.push(chunk);
    setImmediate(done); // asynchronous, like a file or a socket
  }
  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

async function generate(options: WriteOptions): Promise<string> {
  const out = new Collector();
  await writeImportFile(out, options);
  out.end();
  await finished(out);
  return out.text();
}

/** The text of every `<contact>` element of a generated document, from `<contact>` to `</contact>`. */
function records(doc: string): string[] {
  const found: string[] = [];
  for (let start = doc.indexOf('  <contact>\n'); start !== -1; start = doc.indexOf('  <contact>\n', start + 1)) {
    const end = doc.indexOf('  </contact>\n', start);
    found.push(doc.slice(start + 2, end + '  </contact>'.length));
  }
  return found;
}

function readRecord(record: string) {
  const input = readContact(parseDocument(record, 'contact'));
  const checked = checkContact(draftContactForCreate(input), lookups, input.problems);
  return { input, checked };
}

/** The stored fields the v2 document added, empty. */
const V2_CONTACT_FIELDS_EMPTY = {
  language: null,
  contact_type2: null,
  contact_origin: null,
  keywords: null,
  reference: null,
  accounting_ref: null,
  accounting_ref_vendor: null,
  project_id: null,
  bank_account_id: null,
  batch: null,
  batch_kind: null,
};
const V2_ADDRESS_FIELDS_EMPTY = { street_number: null, street_name: null, additional_info: null, country_iso_3166_a3: null };

/** The stored fields (as the spec names them) a generated record carries. */
function storedOf(fields: DocField[], record: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([name]) => storedNames(fields).includes(name)));
}

const COUNT = 300;
const SEED = 20240917;

describe('fixtures/generate.ts: import file generator', function () {
  let doc: string;
  let contacts: Contact[];

  before(async () => {
    doc = await generate({ contacts: COUNT, seed: SEED });
    contacts = [...generateContacts(COUNT, { seed: SEED })];
  });

  describe('the document', () => {
    it('is a <contacts type="array"> document without <pagination>, in the export format', () => {
      expect(doc.startsWith(LIST_OPEN)).to.equal(true);
      expect(doc.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<contacts type="array">\n  <contact>\n    <id>1</id>\n')).to.equal(true);
      expect(doc.endsWith('  </contact>\n' + LIST_CLOSE)).to.equal(true);
      expect(doc).not.to.include('<pagination>');
      expect(doc).not.to.include('\r');
      expect(records(doc)).to.have.length(COUNT);
      expect(() => parseDocument(doc, 'contacts')).not.to.throw();
    });

    it('is byte-identical across two runs with the same seed, and differs with another seed', async () => {
      const again = await generate({ contacts: COUNT, seed: SEED });
      expect(Buffer.from(again).equals(Buffer.from(doc))).to.equal(true);
      expect(await generate({ contacts: COUNT, seed: SEED + 1 })).not.to.equal(doc);
    });

    it('is the generated contacts rendered one after the other (streaming changes nothing)', () => {
      expect(doc).to.equal(LIST_OPEN + contacts.map((c) => renderContact(c)).join('') + LIST_CLOSE);
    });

    it('is in Unicode NFC, as a careful client would send it', () => {
      expect(doc.normalize('NFC') === doc).to.equal(true);
    });
  });

  describe('every record', () => {
    it('parses as a <contact> and passes validation with no error', () => {
      const failures: string[] = [];
      records(doc).forEach((record, index) => {
        const { checked } = readRecord(record);
        if (checked.errors) failures.push(`contact ${index + 1}: ${checked.errors.join('; ')}`);
      });
      expect(failures).to.deep.equal([]);
    });

    it('reads back to the values it was written from (nothing trimmed, lost or altered)', () => {
      records(doc).forEach((record, index) => {
        const c = contacts[index];
        const { input, checked } = readRecord(record);
        const v = checked.values!;
        expect(input.kept.id).to.equal(String(c.id));
        expect(parseTimestamp(input.kept.created_at!)!.getTime()).to.equal(c.created_at.getTime());
        expect(parseTimestamp(input.kept.updated_at!)!.getTime()).to.equal(c.updated_at.getTime());
        // Every stored field of the generated contact and its children; the v2 ones it leaves out read back empty.
        expect({
          ...v,
          contact_addresses: v.contact_addresses.map((a, i) => ({ id: Number(input.contact_addresses![i].id), ...a })),
          contact_items: v.contact_items.map((item, i) => ({ id: Number(input.contact_items![i].id), ...item })),
        }).to.deep.equal(
          {
            ...V2_CONTACT_FIELDS_EMPTY,
            ...storedOf(CONTACT.fields, c),
            contact_addresses: c.contact_addresses.map((a) => ({ id: a.id, ...V2_ADDRESS_FIELDS_EMPTY, ...storedOf(CONTACT.collections[0].fields, a) })),
            contact_items: c.contact_items.map((item) => ({ id: item.id, ...storedOf(CONTACT.collections[1].fields, item) })),
          },
          `contact ${index + 1}`,
        );
      });
    });

    it('has timestamps at whole minutes, in 2005–2024, created_at ≤ updated_at', () => {
      for (const c of contacts) {
        for (const t of [c.created_at, c.updated_at]) {
          expect(t.getTime() % 60_000).to.equal(0);
          expect(t.getTime()).to.be.within(Date.UTC(2005, 0, 1), Date.UTC(2024, 11, 31, 23, 59));
        }
        expect(c.created_at.getTime()).to.be.at.most(c.updated_at.getTime());
      }
      expect(contacts.some((c) => c.created_at.getTime() === c.updated_at.getTime())).to.equal(true);
      expect(contacts.some((c) => c.created_at.getTime() < c.updated_at.getTime())).to.equal(true);
    });
  });

  describe('coverage', () => {
    const set = <T>(values: T[]) => [...new Set(values)];

    it('uses every civility, contact type, address type and item type, and leaves some empty', () => {
      expect(set(contacts.map((c) => c.civility_label_id))).to.have.members([17, 18, 19, null]);
      expect(set(contacts.map((c) => c.contact_type))).to.have.members(['client', 'prospect', 'supplier', 'press', 'partner', 'staff', 'perso', 'other', null]);
      expect(set(contacts.flatMap((c) => c.contact_addresses.map((a) => a.address_type)))).to.have.members([20, 21, 22]);
      expect(set(contacts.flatMap((c) => c.contact_items.map((i) => i.type_id)))).to.have.members([23, 25, 28, 554, 471, 24, 26, 27, 88, 430, 431, 432, 433, 457]);
    });

    it('has 0–3 addresses and 0–5 items per contact, every count used', () => {
      expect(set(contacts.map((c) => c.contact_addresses.length))).to.have.members([0, 1, 2, 3]);
      expect(set(contacts.map((c) => c.contact_items.length))).to.have.members([0, 1, 2, 3, 4, 5]);
    });

    it('has firm ids, empty or positive', () => {
      expect(contacts.some((c) => c.firm_id === null)).to.equal(true);
      expect(contacts.filter((c) => c.firm_id !== null).every((c) => Number.isInteger(c.firm_id) && c.firm_id! > 0)).to.equal(true);
      expect(contacts.some((c) => c.firm_id !== null)).to.equal(true);
    });

    it('has the tricky text: accents, apostrophes, ampersands, < >, emoji, newlines, leading zeros, +', () => {
      expect(doc).to.match(/<first_name>[^<]*[éèëïöüçåøłñ][^<]*<\/first_name>/i);
      for (const name of ['Adèle', 'Zoë', 'Bjørn', 'Łukasz', 'José']) expect(contacts.some((c) => c.first_name === name), name).to.equal(true);
      expect(doc).to.match(/<last_name>[^<]*'[^<]*<\/last_name>/);
      expect(doc).to.match(/<job_department>[^<]*&amp;[^<]*<\/job_department>/);
      expect(doc).to.match(/<comment>[^<]*(&lt;|&gt;)[^<]*<\/comment>/);
      expect(doc).to.match(/<comment>[^<]*\p{Extended_Pictographic}[^<]*<\/comment>/u);
      expect(doc).to.match(/<comment>[^<]*\n[^<]*<\/comment>/);
      expect(doc).to.match(/<zip_code>0\d+<\/zip_code>/);
      expect(doc).to.include('<zip_code>00100</zip_code>');
      expect(doc).to.match(/<value>\+\d{10,}<\/value>/);
      expect(doc).not.to.match(/&#|&quot;|&apos;/); // only & < > are escaped
    });

    it('gives email item types valid addresses and messenger types messenger ids', () => {
      const EMAIL = /^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$/;
      const items = contacts.flatMap((c) => c.contact_items);
      for (const item of items.filter((i) => i.type_id === 27 || i.type_id === 28)) expect(item.value).to.match(EMAIL);
      for (const item of items.filter((i) => i.type_id === 430)) expect(item.value).to.match(/^(live:)?[a-z0-9._]+$/);
      for (const item of items.filter((i) => i.type_id === 457)) expect(item.value).to.match(/^\d{8,9}$/);
    });

    it('already covers every lookup value and kind of text in a file of 20 contacts', async () => {
      const small = [...generateContacts(20, { seed: 99 })];
      expect(new Set(small.map((c) => c.civility_label_id)).size).to.equal(4);
      expect(new Set(small.map((c) => c.contact_type)).size).to.equal(9);
      expect(new Set(small.flatMap((c) => c.contact_addresses.map((a) => a.address_type))).size).to.equal(3);
      expect(new Set(small.flatMap((c) => c.contact_items.map((i) => i.type_id))).size).to.equal(14);
      const text = await generate({ contacts: 20, seed: 99 });
      expect(text).to.match(/&amp;/);
      expect(text).to.match(/\p{Extended_Pictographic}/u);
      expect(text).to.match(/<zip_code>0\d+<\/zip_code>/);
      expect(text).to.match(/<value>\+\d+<\/value>/);
      expect(text).to.match(/<last_name>[^<]*'[^<]*<\/last_name>/);
    });
  });

  describe('ids and keys', () => {
    it('numbers contacts, addresses and items sequentially from the first id, unique across the file', () => {
      const ids = (text: string, parent: string) =>
        [...text.matchAll(new RegExp(`<${parent}>\\n *<id>(\\d+)</id>`, 'g'))].map((m) => Number(m[1]));
      const check = (list: number[], first: number) => {
        expect(new Set(list).size).to.equal(list.length);
        expect(list).to.deep.equal(list.map((_, i) => first + i));
      };
      check(ids(doc, 'contact'), 1);
      check(ids(doc, 'contact_address'), 1);
      check(ids(doc, 'contact_item'), 1);
      expect(ids(doc, 'contact')).to.have.length(COUNT);
      expect(doc.match(/<id>/g)!.length).to.equal(COUNT + contacts.reduce((n, c) => n + c.contact_addresses.length + c.contact_items.length, 0));
    });

    it('starts every sequence at --first-id', async () => {
      const text = await generate({ contacts: 10, seed: SEED, firstId: 5000 });
      const all = [...generateContacts(10, { seed: SEED, firstId: 5000 })];
      expect(all.map((c) => c.id)).to.deep.equal([...Array(10).keys()].map((i) => 5000 + i));
      expect(all.flatMap((c) => c.contact_addresses.map((a) => a.id))[0]).to.equal(5000);
      expect(all.flatMap((c) => c.contact_items.map((i) => i.id))[0]).to.equal(5000);
      expect(text).to.include('<id>5000</id>');
      expect(Math.min(...[...text.matchAll(/<id>(\d+)<\/id>/g)].map((m) => Number(m[1])))).to.equal(5000);
    });

    it('gives about half the contacts a unique remote_id, the others an empty one', () => {
      const remote = [...doc.matchAll(/<remote_id>([^<]*)<\/remote_id>/g)].map((m) => m[1]);
      expect(remote).to.have.length(COUNT);
      const given = remote.filter((r) => r !== '');
      expect(new Set(given).size).to.equal(given.length);
      expect(given.length / COUNT).to.be.within(0.35, 0.65);
      for (const r of given) expect(r).to.match(/^CRM-\d{6,}$/);
    });

    it('writes no <id> at all with ids: false, and the records still validate', async () => {
      const text = await generate({ contacts: 100, seed: SEED, ids: false });
      expect(text).not.to.include('<id>');
      expect(text).to.equal(LIST_OPEN + [...generateContacts(100, { seed: SEED })].map((c) => renderContact(c, false)).join('') + LIST_CLOSE);
      for (const record of records(text)) {
        const { input, checked } = readRecord(record);
        expect(checked.errors).to.equal(undefined);
        expect(input.id).to.equal(undefined);
      }
      expect(text).to.match(/<remote_id>CRM-\d+<\/remote_id>/);
      expect(text).to.include('<remote_id></remote_id>');
    });
  });

  describe('the command', () => {
    const run = (args: string[]) =>
      spawnSync(process.execPath, ['--import', 'tsx', 'fixtures/generate.ts', ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    let dir: string;
    before(() => (dir = mkdtempSync(path.join(tmpdir(), 'generator-'))));
    after(() => rmSync(dir, { recursive: true, force: true }));

    it('writes the same document to standard output and to --out FILE as in-process', async () => {
      const expected = await generate({ contacts: 40, seed: 7, firstId: 100, ids: false });
      const stdout = run(['--contacts', '40', '--seed', '7', '--first-id', '100', '--no-ids']);
      expect(stdout.status, stdout.stderr).to.equal(0);
      expect(stdout.stdout).to.equal(expected);
      expect(stdout.stderr).to.equal(''); // no progress when standard error is not a terminal
      const file = path.join(dir, 'out.xml');
      const written = run(['--contacts', '40', '--seed', '7', '--first-id', '100', '--no-ids', '--out', file]);
      expect(written.status, written.stderr).to.equal(0);
      expect(written.stdout).to.equal('');
      expect(readFileSync(file, 'utf8')).to.equal(expected);
      expect(readdirSync(dir)).to.deep.equal(['out.xml']);
    });

    it('refuses bad arguments with exit code 2 and the usage', () => {
      for (const args of [[], ['--contacts', 'ten'], ['--contacts', '5', '--seed', '-1'], ['--contacts', '5', '--first-id', '0'], ['--contacts', '5', '--bogus']]) {
        const result = run(args);
        expect(result.status, args.join(' ')).to.equal(2);
        expect(result.stdout).to.equal('');
        expect(result.stderr).to.include('Usage: npm run fixtures');
      }
    });
  });

  describe('memory', () => {
    // Measured in a process of its own: the suite's process carries every earlier spec's heap
    // (it stood at about 500 MB in CI), which makes its RSS say little about this loop.
    it('streams 200,000 contacts to /dev/null with RSS growing by less than 100 MB', function () {
      this.timeout(120_000);
      const probe = `
        import { createWriteStream } from 'node:fs';
        import { once } from 'node:events';
        import { finished } from 'node:stream/promises';
        import { writeImportFile } from './fixtures/generate.ts';
        const before = process.memoryUsage().rss;
        let peak = before;
        const started = Date.now();
        const out = createWriteStream('/dev/null');
        await once(out, 'open');
        const { contacts, bytes } = await writeImportFile(out, { contacts: 200_000, seed: 3, onProgress: () => (peak = Math.max(peak, process.memoryUsage().rss)) });
        out.end();
        await finished(out);
        const after = process.memoryUsage().rss;
        console.log(JSON.stringify({ contacts, bytes, before, peak: Math.max(peak, after), after, ms: Date.now() - started }));`;
      const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', probe], { encoding: 'utf8' });
      expect(result.status, result.stderr).to.equal(0);
      const { contacts: written, bytes, before, peak, after, ms } = JSON.parse(result.stdout);
      const mb = (n: number) => Math.round(n / 1024 / 1024);
      console.log(`      200,000 contacts, ${mb(bytes)} MB in ${(ms / 1000).toFixed(1)} s; RSS ${mb(before)} → peak ${mb(peak)} → ${mb(after)} MB`);
      expect(written).to.equal(200_000);
      expect(peak - before).to.be.below(100 * 1024 * 1024);
    });
  });
});

describe('fixtures/import: hand-written import files', () => {
  const dir = path.resolve('fixtures/import');
  const read = (name: string) => readFileSync(path.join(dir, name), 'utf8');

  /** Every <contact> of a fixture: position, line of its start tag, and what reading it gives. */
  function contactsOf(name: string) {
    const text = read(name);
    return [...text.matchAll(/<contact>[\s\S]*?<\/contact>/g)].map((m, i) => {
      const line = text.slice(0, m.index).split('\n').length;
      try {
        const { input, checked } = readRecord(m[0]);
        return { position: i + 1, line, id: input.kept.id, remote_id: input.fields.remote_id, errors: checked.errors ?? [] };
      } catch (error) {
        return { position: i + 1, line, syntax: (error as Error).message, errors: [] as string[] };
      }
    });
  }
  const invalid = (name: string) => contactsOf(name).filter((c) => c.errors.length > 0 || 'syntax' in c);

  it('has valid files that parse as <contacts> documents with only valid contacts', () => {
    for (const name of ['three-contacts.xml', 'with-pagination.xml', 'remote-ids-only.xml', 'no-keys.xml']) {
      expect(() => parseDocument(read(name), 'contacts'), name).not.to.throw();
      expect(invalid(name), name).to.deep.equal([]);
    }
    expect(read('three-contacts.xml')).to.include('\n<contacts>\n');
    expect(read('with-pagination.xml')).to.include('\n<contacts type="array">\n');
    expect(read('with-pagination.xml')).to.match(/<\/pagination>\n<\/contacts>\n$/);
  });

  it('keys the valid files as their names say', () => {
    expect(contactsOf('three-contacts.xml').map((c) => c.id)).to.deep.equal(['101', '102', '103']);
    expect(contactsOf('with-pagination.xml').map((c) => c.id)).to.deep.equal(['12', '13']);
    expect(read('remote-ids-only.xml')).not.to.include('<id>');
    expect(contactsOf('remote-ids-only.xml').map((c) => c.remote_id)).to.deep.equal(['FIX-501', 'FIX-502', 'legacy:N-0003']);
    expect(read('no-keys.xml')).not.to.include('<id>');
    expect(contactsOf('no-keys.xml').map((c) => c.remote_id ?? null)).to.deep.equal([null, null, null]);
  });

  it('has one blank last name, contact 2 of 3', () => {
    expect(contactsOf('invalid/one-bad-contact-among-valid.xml')).to.have.length(3);
    expect(invalid('invalid/one-bad-contact-among-valid.xml')).to.deep.equal([
      { position: 2, line: 26, id: '602', remote_id: 'FIX-602', errors: ["Last name can't be blank"] },
    ]);
  });

  it('has several bad contacts, at positions 1, 4 and 7, each with several problems', () => {
    expect(contactsOf('invalid/several-bad-contacts.xml')).to.have.length(7);
    expect(invalid('invalid/several-bad-contacts.xml').map(({ position, line, errors }) => ({ position, line, errors }))).to.deep.equal([
      {
        position: 1,
        line: 3,
        errors: ['Civility label id is not included in the list', "Last name can't be blank", 'Contact items value is not a valid email address'],
      },
      {
        position: 4,
        line: 76,
        errors: [
          'Contact type is not included in the list',
          'Firm id is not a number',
          "Contact addresses address type can't be blank",
          'Contact addresses zip code is too long (maximum is 20 characters)',
        ],
      },
      {
        position: 7,
        line: 143,
        errors: [
          'First name is too long (maximum is 200 characters)',
          'Firm id must be greater than 0',
          'Contact items type id is not included in the list',
          "Contact items value can't be blank",
        ],
      },
    ]);
  });

  it('has a malformed record inside contact 2, the others well-formed', () => {
    expect(() => parseDocument(read('invalid/malformed-record.xml'), 'contacts')).to.throw(/line 23, column 22/);
    expect(invalid('invalid/malformed-record.xml').map((c) => [c.position, c.line, 'syntax' in c])).to.deep.equal([[2, 20, true]]);
  });

  it('has a wrong root and a DOCTYPE, around otherwise valid contacts', () => {
    expect(() => parseDocument(read('invalid/wrong-root.xml'), 'contacts')).to.throw('The root element must be <contacts>, not <people>.');
    expect(() => parseDocument(read('invalid/doctype.xml'), 'contacts')).to.throw(/line 2, column 1: DOCTYPE/);
    expect(invalid('invalid/wrong-root.xml')).to.deep.equal([]);
    expect(invalid('invalid/doctype.xml')).to.deep.equal([]);
  });
});
