// Nothing is dropped silently (CONTRACT.md section 7): an element of an imported record that the
// service does not keep is reported by name with the number of records that had a value for it
// (HTTP `<not_kept>` in the 200 `<import>` answer, the command's `not kept: …` summary line);
// derived fields are never reported; `?strict=true` / `--strict` refuses such a file. Inside a
// child, the element is named `contact_item.object_zname` (child element, a dot, the field).
// Also here: what an import keeps of the old system's documents (children's timestamps,
// creator and modifier ids, as given).
import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PARSE_BATCH } from '../../src/import/parse-records.js';
import { forEachEngine, type Engine } from '../support/engines.js';
import { ADDRESS_FIELDS, childNames, CONTACT_FIELDS, ITEM_FIELDS, parseDoc } from '../support/firms.js';
import { runCli } from '../support/process.js';
import { freshIdBase, oldSystemFile, shiftedId, shiftIds } from '../support/old-system.js';
import { TestServer, type Tenant } from '../support/server.js';

/** What the old system's contacts file holds that the service does not keep, by contacts that have a value. */
const CONTACTS_NOT_KEPT = [
  { name: 'contact_address.business_file_id', records: '2' },
  { name: 'contact_item.business_file_id', records: '3' },
  { name: 'contact_item.object_zid', records: '3' },
  { name: 'contact_item.object_zname', records: '3' },
  { name: 'language_code', records: '3' },
];
/** Derived fields the files carry: never reported. */
const DERIVED = ['first_last_name', 'firm_name', 'contact_id', 'normalized_phone', 'name_soundex', 'contacts_count'];

const notKept = (text: string): { name: string; records: string }[] => {
  const elements = parseDoc(text).import?.not_kept?.element ?? [];
  return [...elements].sort((a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name));
};
const errorsIn = (text: string): string[] => parseDoc(text).errors?.error ?? [];

describe('import: what is not kept', () => {
  forEachEngine((engine) => {
    let server: TestServer;
    let databaseUrl: string;
    before(async () => {
      databaseUrl = engine.url();
      const fixed: Engine = { name: engine.name, url: () => databaseUrl };
      server = await TestServer.start(fixed);
    });
    after(() => server.stop());

    const importFile = (t: Tenant, kind: 'contacts' | 'firms', body: string, query = '') => server.as(t)(`/${t.bf}/${kind}/import.xml${query}`, { method: 'POST', body });
    const count = async (t: Tenant, table: string) => Number((await server.db(table).where('business_file_id', t.bf).count({ n: '*' }).first())?.n);
    async function files(): Promise<{ contacts: string; firms: string; base: number }> {
      const base = await freshIdBase(server.db);
      return { contacts: shiftIds(oldSystemFile('contacts-export.xml'), base), firms: shiftIds(oldSystemFile('firms-export.xml'), base), base };
    }

    it('reports model_firm_id (2 firms) for the old firms file: <not_kept> in the 200 <import> answer, empty elements not counted', async () => {
      const t = await server.tenant();
      const { firms } = await files();
      const res = await importFile(t, 'firms', firms);
      expect(res.status, res.text).to.equal(200);
      expect(res.text).to.equal(
        '<?xml version="1.0" encoding="UTF-8"?>\n<import>\n  <created>3</created>\n  <updated>0</updated>\n  <unchanged>0</unchanged>\n' +
          '  <not_kept>\n    <element>\n      <name>model_firm_id</name>\n      <records>2</records>\n    </element>\n  </not_kept>\n</import>\n',
      );
    });

    it("reports the old contacts file's extra elements, those of children as child.field, and never a derived field", async () => {
      const t = await server.tenant();
      const { contacts } = await files();
      const res = await importFile(t, 'contacts', contacts);
      expect(res.status, res.text).to.equal(200);
      expect(notKept(res.text)).to.deep.equal(CONTACTS_NOT_KEPT);
      for (const name of DERIVED) expect(res.text, name).not.to.match(new RegExp(`<name>([a-z_]+\\.)?${name}</name>`));
      // The same file again: the report is the same, every contact unchanged.
      const again = await importFile(t, 'contacts', contacts);
      expect(parseDoc(again.text).import.unchanged).to.equal('4');
      expect(notKept(again.text)).to.deep.equal(CONTACTS_NOT_KEPT);
    });

    it('reports nothing for an export of the service itself (which re-imports whole)', async () => {
      const t = await server.tenant();
      const { contacts, firms } = await files();
      await importFile(t, 'firms', firms);
      await importFile(t, 'contacts', contacts);
      const exportedFirms = (await server.as(t)(`/${t.bf}/firms/export.xml`)).text;
      const exportedContacts = (await server.as(t)(`/${t.bf}/contacts/export.xml`)).text;
      for (const [kind, body] of [['firms', exportedFirms], ['contacts', exportedContacts]] as const) {
        const res = await importFile(t, kind, body, '?strict=true');
        expect(res.status, `${kind}: ${res.text}`).to.equal(200);
        expect(notKept(res.text), kind).to.deep.equal([]);
      }
    });

    it('reports neither a list page\'s <pagination> nor root attributes: a list page imports under ?strict=true', async () => {
      const t = await server.tenant();
      const { contacts, firms } = await files();
      await importFile(t, 'firms', firms);
      await importFile(t, 'contacts', contacts);
      for (const kind of ['firms', 'contacts'] as const) {
        const page = (await server.as(t)(`/${t.bf}/${kind}.xml?per_page=2`)).text;
        expect(page).to.contain('<pagination>');
        const res = await importFile(t, kind, page, '?strict=true');
        expect(res.status, `${kind}: ${res.text}`).to.equal(200);
        expect(notKept(res.text), kind).to.deep.equal([]);
        expect(parseDoc(res.text).import.unchanged, kind).to.equal('2');
      }
    });

    it('refuses such a file with ?strict=true: 422 naming the elements, nothing written', async () => {
      const t = await server.tenant();
      const { contacts, firms } = await files();
      const f = await importFile(t, 'firms', firms, '?strict=true');
      expect(f.status).to.equal(422);
      expect(errorsIn(f.text).join('\n')).to.contain('model_firm_id');
      expect(await count(t, 'firms')).to.equal(0);
      const c = await importFile(t, 'contacts', contacts, '?strict=true');
      expect(c.status).to.equal(422);
      const all = errorsIn(c.text).join('\n');
      for (const { name } of CONTACTS_NOT_KEPT) expect(all).to.contain(name);
      expect(await count(t, 'contacts')).to.equal(0);
      expect((await importFile(t, 'firms', firms, '?strict=false')).status).to.equal(200);
    });

    it('counts the records that have a value for an unknown element (empty and nil ones are not counted)', async () => {
      const t = await server.tenant();
      const doc =
        '<contacts>\n  <contact><last_name>A</last_name><legacy_flag>1</legacy_flag><legacy_note>kept nowhere</legacy_note></contact>\n' +
        '  <contact><last_name>B</last_name><legacy_flag></legacy_flag><legacy_flag2 nil="true"/></contact>\n</contacts>\n';
      const res = await importFile(t, 'contacts', doc);
      expect(res.status, res.text).to.equal(200);
      expect(notKept(res.text)).to.deep.equal([
        { name: 'legacy_flag', records: '1' },
        { name: 'legacy_note', records: '1' },
      ]);
    });

    it('counts not-kept elements and reports faults by position and line in a firms file big enough to be parsed on a worker thread', async () => {
      const t = await server.tenant();
      const n = PARSE_BATCH * 3 + 17;
      const lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<firms type="array">'];
      let withModel = 0;
      for (let i = 1; i <= n; i++) {
        lines.push('  <firm>', `    <name>Firm ${i}</name>`);
        if (i % 3 === 0) {
          lines.push(`    <model_firm_id>${i}</model_firm_id>`);
          withModel++;
        }
        lines.push(`    <remote_id>BIG-${i}</remote_id>`, '  </firm>');
      }
      lines.push('</firms>', '');
      const good = lines.join('\n');
      const startLine = (k: number) => {
        let seen = 0;
        return lines.findIndex((l) => l === '  <firm>' && ++seen === k) + 1;
      };
      const malformed = PARSE_BATCH + 3;
      const invalid = PARSE_BATCH * 3 + 5;
      const broken = lines
        .map((l, i) => (i + 1 === startLine(malformed) + 1 ? `    <name>Firm ${malformed}</nom>` : i + 1 === startLine(invalid) + 1 ? '    <name></name>' : l))
        .join('\n');
      const refused = await importFile(t, 'firms', broken);
      expect(refused.status).to.equal(422);
      const errors = errorsIn(refused.text);
      expect(errors).to.have.length(2);
      expect(errors[0]).to.match(new RegExp(`^Firm ${malformed} \\(line ${startLine(malformed)}\\): Malformed XML at line ${startLine(malformed) + 1}, column \\d+`));
      expect(errors[1]).to.equal(`Firm ${invalid} (line ${startLine(invalid)}): Name can't be blank`);
      expect(await count(t, 'firms')).to.equal(0);
      const res = await importFile(t, 'firms', good);
      expect(res.status, res.text).to.equal(200);
      expect(parseDoc(res.text).import.created).to.equal(String(n));
      expect(notKept(res.text)).to.deep.equal([{ name: 'model_firm_id', records: String(withModel) }]);
    });

    it("keeps what the old system's documents carry: ids, children's timestamps, creator and modifier ids as given, v2 order", async () => {
      const t = await server.tenant();
      const { contacts, base } = await files();
      expect((await importFile(t, 'contacts', contacts)).status).to.equal(200);
      const shown = await server.as(t)(`/${t.bf}/contacts/${shiftedId(4512301, base)}.xml`);
      expect(shown.status).to.equal(200);
      expect(childNames(shown.text, 'contact')).to.deep.equal(CONTACT_FIELDS);
      expect(childNames(shown.text, 'contact_address')).to.deep.equal(ADDRESS_FIELDS);
      expect(childNames(shown.text, 'contact_item')).to.deep.equal(ITEM_FIELDS);
      const c = parseDoc(shown.text).contact[0];
      expect(c).to.deep.include({
        first_last_name: 'Hélène Lefèvre-Dumas',
        language: 'fr',
        contact_type2: 'partner',
        contact_origin: 'Salon 2011',
        keywords: 'vin, export, Côtes-du-Rhône',
        reference: 'C-0012',
        accounting_ref: '411LEFEVRE',
        project_id: '5512',
        batch: '17 jan 12 @ 15:12:02',
        batch_kind: 'CSV',
        creator_id: '77',
        modifier_id: '78',
        created_at: '17-01-2012-15-14',
        updated_at: '29-10-2014-17-20',
        firm_name: '',
      });
      const a = c.contact_addresses.contact_address[0];
      expect(a).to.deep.include({ id: String(shiftedId(912001, base)), contact_id: c.id, street_number: '12', additional_info: 'Bâtiment B, 3ᵉ étage', country_iso_3166_a3: 'FRA', created_at: '17-01-2012-15-14', updated_at: '07-02-2012-16-13' });
      const [phone, email] = c.contact_items.contact_item;
      expect(phone).to.deep.include({ id: String(shiftedId(733001, base)), normalized_phone: '0478123456', creator_id: '77', modifier_id: '77', created_at: '17-01-2012-15-14', updated_at: '29-10-2014-17-20' });
      expect(email).to.deep.include({ normalized_phone: '', creator_id: '77', modifier_id: '', updated_at: '17-01-2012-15-14' });
      const other = parseDoc((await server.as(t)(`/${t.bf}/contacts/${shiftedId(4512302, base)}.xml`)).text).contact[0];
      expect(other.contact_items.contact_item[0].normalized_phone).to.equal('+33612345678');
    });

    it("prints the command's summary line `not kept: …` and refuses the file with --strict (exit 1, nothing written)", async () => {
      const cwd = mkdtempSync(join(tmpdir(), 'contacts-not-kept-'));
      const env = { DATABASE_URL: databaseUrl };
      const t = await server.tenant();
      const { contacts, firms } = await files();
      writeFileSync(join(cwd, 'firms.xml'), firms);
      writeFileSync(join(cwd, 'contacts.xml'), contacts);
      const strict = await runCli(['import', 'firms.xml', '--business-file', String(t.bf), '--strict'], env, cwd);
      expect(strict.code).to.equal(1);
      expect(strict.stdout + strict.stderr).to.contain('model_firm_id');
      expect(await count(t, 'firms')).to.equal(0);
      const f = await runCli(['import', 'firms.xml', '--business-file', String(t.bf)], env, cwd);
      expect(f.code, f.stderr).to.equal(0);
      expect(f.stdout).to.contain('not kept: model_firm_id (2 firms)');
      const c = await runCli(['import', 'contacts.xml', '--business-file', String(t.bf)], env, cwd);
      expect(c.code, c.stderr).to.equal(0);
      const line = c.stdout.split('\n').find((l) => l.includes('not kept: ')) ?? '';
      for (const { name, records } of CONTACTS_NOT_KEPT) expect(line).to.contain(`${name} (${records} contacts)`);
      expect(line).to.contain('language_code (3 contacts)');
      for (const name of DERIVED) expect(line).not.to.contain(name);
    });
  });
});
