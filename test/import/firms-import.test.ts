// Bulk import and export of firms (CONTRACT.md sections 7 and 10): `<firms>` files over HTTP and
// through the `contacts` command, ids kept, remote_id as the key, all or nothing, re-import
// unchanged, the round trip byte-identical (into an empty database too), the root deciding
// contacts or firms, and contacts imported after their firms.
import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '../../src/db/connection.js';
import { createScratchDatabase, forEachEngine, type Engine } from '../support/engines.js';
import { childNames, FIRM_FIELDS, firmIds, firmOf, parseDoc } from '../support/firms.js';
import { runCli } from '../support/process.js';
import { freshIdBase, oldSystemFile, shiftedId, shiftIds } from '../support/old-system.js';
import { TestServer, type Tenant } from '../support/server.js';

const XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n';
const errorsIn = (text: string): string[] => parseDoc(text).errors?.error ?? [];

/** An engine whose url() is always the same database. */
const fixedEngine = (name: Engine['name'], url: string): Engine => ({ name, url: () => url });

/** A second, empty database of the engine: a new SQLite file, or a new MySQL database. */
async function emptyDatabase(engine: Engine): Promise<{ url: string; drop: () => Promise<void> }> {
  const url = engine.url();
  if (engine.name === 'sqlite') return { url, drop: async () => {} };
  return {
    url: await createScratchDatabase(url, 'contacts_test_firms_round_trip'),
    drop: async () => {
      const db = connect(url);
      await db.raw('DROP DATABASE IF EXISTS contacts_test_firms_round_trip');
      await db.destroy();
    },
  };
}

describe('bulk import and export of firms', () => {
  forEachEngine((engine) => {
    let server: TestServer;
    let databaseUrl: string;
    before(async () => {
      databaseUrl = engine.url();
      server = await TestServer.start(fixedEngine(engine.name, databaseUrl));
    });
    after(() => server.stop());

    const importFirms = (t: Tenant, body: string, query = '') => server.as(t)(`/${t.bf}/firms/import.xml${query}`, { method: 'POST', body });
    const importContacts = (t: Tenant, body: string, query = '') => server.as(t)(`/${t.bf}/contacts/import.xml${query}`, { method: 'POST', body });
    const exportFirms = async (t: Tenant, s = server) => {
      const res = await s.as(t)(`/${t.bf}/firms/export.xml`);
      expect(res.status, res.text).to.equal(200);
      expect(res.headers.get('content-type')).to.equal('application/xml; charset=utf-8');
      return res.text;
    };
    const firmCount = async (t: Tenant) => Number((await server.db('firms').where('business_file_id', t.bf).count({ n: '*' }).first())?.n);
    const counts = (text: string) => {
      const i = parseDoc(text).import;
      return { created: i.created, updated: i.updated, unchanged: i.unchanged };
    };
    /** The old system's firms file, ids moved past those in use. */
    async function oldFirms(): Promise<{ doc: string; base: number }> {
      const base = await freshIdBase(server.db);
      return { doc: shiftIds(oldSystemFile('firms-export.xml'), base), base };
    }

    it("imports the old system's firms file: ids, values, timestamps and creator ids kept; derived fields computed; 200 <import>", async () => {
      const t = await server.tenant();
      const { doc, base } = await oldFirms();
      const res = await importFirms(t, doc);
      expect(res.status, res.text).to.equal(200);
      expect(res.text.startsWith(`${XML_HEAD}<import>\n  <created>3</created>\n  <updated>0</updated>\n  <unchanged>0</unchanged>\n`)).to.equal(true);
      expect(counts(res.text)).to.deep.equal({ created: '3', updated: '0', unchanged: '0' });
      const id = shiftedId(88123, base);
      const shown = await server.as(t)(`/${t.bf}/firms/${id}.xml`);
      expect(shown.status).to.equal(200);
      expect(childNames(shown.text, 'firm')).to.deep.equal(FIRM_FIELDS);
      const f = firmOf(shown.text);
      expect(f).to.deep.include({
        id: String(id),
        name: 'Vins & Spiritueux Bérard',
        firm_type: 'supplier',
        firm_type2: 'client',
        siren: '552100554',
        tva: 'FR40552100554',
        accounting_ref: '401BERARD',
        accounting_ref_vendor: 'F-BERARD',
        parent_firm_id: String(shiftedId(88120, base)),
        project_id: '5512',
        bank_account_id: '4410',
        remote_id: 'FIRM-88123',
        batch: '17 jan 12 @ 15:12:02',
        batch_kind: 'CSV',
        name_soundex: 'V521',
        contacts_count: '0',
        creator_id: '77',
        modifier_id: '78',
        created_at: '17-01-2012-15-12',
        updated_at: '03-03-2015-09-41',
      });
      expect(firmIds(await server.as(t)(`/${t.bf}/firms.xml`))).to.deep.equal([88120, 88123, 88131].map((i) => shiftedId(i, base)));
      expect(shown.text).not.to.contain('model_firm_id');
    });

    it('re-imports the same file as unchanged, without duplicates; a changed value counts as updated', async () => {
      const t = await server.tenant();
      const { doc } = await oldFirms();
      expect((await importFirms(t, doc)).status).to.equal(200);
      const exported = await exportFirms(t);
      const again = await importFirms(t, doc);
      expect(counts(again.text)).to.deep.equal({ created: '0', updated: '0', unchanged: '3' });
      expect(await firmCount(t)).to.equal(3);
      expect(await exportFirms(t)).to.equal(exported);
      const changed = await importFirms(t, doc.replace('<siren>552100554</siren>', '<siren>552100999</siren>'));
      expect(counts(changed.text)).to.deep.equal({ created: '0', updated: '1', unchanged: '2' });
    });

    it('round-trips: export, import into an empty database, export again: byte-identical; the export re-imports as unchanged', async () => {
      const t = await server.tenant();
      const { doc } = await oldFirms();
      expect((await importFirms(t, doc)).status).to.equal(200);
      const first = await exportFirms(t);
      expect(first.startsWith(`${XML_HEAD}<firms type="array">\n  <firm>\n    <id>`)).to.equal(true);
      expect(first.endsWith('  </firm>\n</firms>\n')).to.equal(true);
      expect(first).not.to.contain('<pagination>');
      expect(counts((await importFirms(t, first)).text)).to.deep.equal({ created: '0', updated: '0', unchanged: '3' });
      const empty = await emptyDatabase(engine);
      const other = await TestServer.start(fixedEngine(engine.name, empty.url));
      try {
        const u = await other.tenant();
        const res = await other.as(u)(`/${u.bf}/firms/import.xml`, { method: 'POST', body: first });
        expect(res.status, res.text).to.equal(200);
        expect(await exportFirms(u, other)).to.equal(first);
      } finally {
        await other.stop();
        await empty.drop();
      }
    });

    it("round-trips the old system's firms and contacts together into an empty database: both exports byte-identical", async () => {
      const t = await server.tenant();
      const base = await freshIdBase(server.db);
      expect((await importFirms(t, shiftIds(oldSystemFile('firms-export.xml'), base))).status).to.equal(200);
      expect((await importContacts(t, shiftIds(oldSystemFile('contacts-export.xml'), base))).status).to.equal(200);
      const firms = await exportFirms(t);
      const contacts = (await server.as(t)(`/${t.bf}/contacts/export.xml`)).text;
      expect(contacts).to.contain('<firm_name>Vins &amp; Spiritueux Bérard</firm_name>');
      expect(contacts).to.contain('<country_iso_3166_a3>FRA</country_iso_3166_a3>');
      expect(contacts).not.to.contain('language_code');
      const empty = await emptyDatabase(engine);
      const other = await TestServer.start(fixedEngine(engine.name, empty.url));
      try {
        const u = await other.tenant();
        expect((await other.as(u)(`/${u.bf}/firms/import.xml`, { method: 'POST', body: firms })).status).to.equal(200);
        const res = await other.as(u)(`/${u.bf}/contacts/import.xml`, { method: 'POST', body: contacts });
        expect(res.status, res.text).to.equal(200);
        expect(parseDoc(res.text).import.created).to.equal('4');
        expect(await exportFirms(u, other)).to.equal(firms);
        expect((await other.as(u)(`/${u.bf}/contacts/export.xml`)).text).to.equal(contacts);
      } finally {
        await other.stop();
        await empty.drop();
      }
    });

    it('reads a firms list page as an import file: root attributes and <pagination> are ignored', async () => {
      const t = await server.tenant();
      const { doc } = await oldFirms();
      expect((await importFirms(t, doc)).status).to.equal(200);
      const page = (await server.as(t)(`/${t.bf}/firms.xml?per_page=2`)).text;
      expect(page).to.contain('<pagination>');
      const res = await importFirms(t, page);
      expect(res.status, res.text).to.equal(200);
      expect(counts(res.text)).to.deep.equal({ created: '0', updated: '0', unchanged: '2' });
    });

    it('imports a firms file and a contacts file in one command, each by its root', async () => {
      const cwd = mkdtempSync(join(tmpdir(), 'contacts-two-files-'));
      const t = await server.tenant();
      const base = await freshIdBase(server.db);
      writeFileSync(join(cwd, 'firms.xml'), shiftIds(oldSystemFile('firms-export.xml'), base));
      writeFileSync(join(cwd, 'contacts.xml'), shiftIds(oldSystemFile('contacts-export.xml'), base));
      const run = await runCli(['import', 'firms.xml', 'contacts.xml', '--business-file', String(t.bf)], { DATABASE_URL: databaseUrl }, cwd);
      expect(run.code, run.stderr).to.equal(0);
      expect(run.stdout).to.match(/firms\.xml: created 3, updated 0, unchanged 0, invalid 0/);
      expect(run.stdout).to.match(/contacts\.xml: created 4, updated 0, unchanged 0, invalid 0/);
      expect(await firmCount(t)).to.equal(3);
      const c = parseDoc((await server.as(t)(`/${t.bf}/contacts/${shiftedId(4512307, base)}.xml`)).text).contact[0];
      expect(c.firm_name).to.equal('Épicerie Fine « Chez Zoë »');
    });

    it('keys firms without <id> by remote_id, and creates those with neither', async () => {
      const t = await server.tenant();
      const doc = `<firms>\n  <firm><name>Keyed</name><remote_id>ERP-1</remote_id></firm>\n  <firm><name>Unkeyed</name></firm>\n</firms>\n`;
      expect(counts((await importFirms(t, doc)).text)).to.deep.equal({ created: '2', updated: '0', unchanged: '0' });
      expect(counts((await importFirms(t, doc)).text)).to.deep.equal({ created: '1', updated: '0', unchanged: '1' });
      expect(await firmCount(t)).to.equal(3);
      expect(counts((await importFirms(t, doc.replace('<name>Keyed</name>', '<name>Keyed 2</name>'))).text)).to.deep.equal({ created: '1', updated: '1', unchanged: '0' });
      expect(await firmCount(t)).to.equal(4);
    });

    it('writes nothing when a firm is invalid, and reports every invalid or malformed firm with its position and line', async () => {
      const t = await server.tenant();
      const doc = `<firms>\n  <firm><name>Good</name></firm>\n  <firm><name></name></firm>\n  <firm>\n    <name>Bad</nom>\n  </firm>\n  <firm><name>Typed</name><firm_type>customer</firm_type><parent_firm_id>0x1</parent_firm_id></firm>\n</firms>\n`;
      const res = await importFirms(t, doc);
      expect(res.status).to.equal(422);
      const errors = errorsIn(res.text);
      expect(errors[0]).to.equal("Firm 2 (line 3): Name can't be blank");
      expect(errors[1]).to.match(/^Firm 3 \(line 4\): Malformed XML at line 5, column \d+/);
      expect(errors.slice(2)).to.have.members(['Firm 4 (line 7): Firm type is not included in the list', 'Firm 4 (line 7): Parent firm id is not a number']);
      expect(errors).to.have.length(4);
      expect(await firmCount(t)).to.equal(0);
    });

    it('refuses a firm id that belongs to another business file, never overwriting it', async () => {
      const a = await server.tenant();
      const b = await server.tenant();
      const { doc } = await oldFirms();
      expect((await importFirms(a, doc)).status).to.equal(200);
      const before = await exportFirms(a);
      const res = await importFirms(b, doc.replace('<name>Groupe Bérard SA</name>', '<name>Hijack</name>'));
      expect(res.status).to.equal(422);
      expect(errorsIn(res.text)[0]).to.match(/^Firm 1 \(line 3\): Id \d+ belongs to another business file$/);
      expect(await exportFirms(a)).to.equal(before);
      expect(await firmCount(b)).to.equal(0);
    });

    it('answers 400 to a <firms> body on the contacts import, a <contacts> body on the firms import, a DOCTYPE and another root', async () => {
      const t = await server.tenant();
      const { doc } = await oldFirms();
      const cases: [string, string][] = [
        ['contacts', doc],
        ['firms', '<contacts><contact><last_name>A</last_name></contact></contacts>'],
        ['firms', '<!DOCTYPE firms []><firms></firms>'],
        ['firms', '<companies><firm><name>A</name></firm></companies>'],
        ['firms', '<firms><firm><name>A</name></firm>'],
      ];
      for (const [kind, body] of cases) {
        const res = await server.as(t)(`/${t.bf}/${kind}/import.xml`, { method: 'POST', body });
        expect(res.status, `${kind}: ${body.slice(0, 40)}`).to.equal(400);
        expect(res.text).to.contain('<errors>');
      }
      expect(await firmCount(t)).to.equal(0);
    });

    it('validates without writing with dry_run=true, and exports an empty business file as an empty <firms type="array">', async () => {
      const t = await server.tenant();
      const { doc } = await oldFirms();
      expect(counts((await importFirms(t, doc, '?dry_run=true')).text)).to.deep.equal({ created: '3', updated: '0', unchanged: '0' });
      expect(await firmCount(t)).to.equal(0);
      expect(await exportFirms(t)).to.equal(`${XML_HEAD}<firms type="array">\n</firms>\n`);
    });

    it('imports contacts after their firms: firm_name and contacts_count follow, a parent missing from the file is kept (README: it may come in another file), the firm itself as parent is refused', async () => {
      const t = await server.tenant();
      const base = await freshIdBase(server.db);
      expect((await importFirms(t, shiftIds(oldSystemFile('firms-export.xml'), base))).status).to.equal(200);
      const contacts = await importContacts(t, shiftIds(oldSystemFile('contacts-export.xml'), base));
      expect(contacts.status, contacts.text).to.equal(200);
      const c = parseDoc((await server.as(t)(`/${t.bf}/contacts/${shiftedId(4512302, base)}.xml`)).text).contact[0];
      expect(c.firm_name).to.equal('Vins & Spiritueux Bérard');
      expect(firmOf((await server.as(t)(`/${t.bf}/firms/${shiftedId(88123, base)}.xml`)).text).contacts_count).to.equal('2');
      expect(firmOf((await server.as(t)(`/${t.bf}/firms/${shiftedId(88131, base)}.xml`)).text).contacts_count).to.equal('1');
      const orphan = await importFirms(t, `<firms>\n  <firm><name>Orphan</name><remote_id>ORPHAN</remote_id><parent_firm_id>${base + 9_000_000}</parent_firm_id></firm>\n</firms>\n`);
      expect(orphan.status, orphan.text).to.equal(200);
      const kept = firmOf((await server.as(t)(`/${t.bf}/firms/ORPHAN.xml?lookup_field=remote_id`)).text);
      expect(kept.parent_firm_id).to.equal(String(base + 9_000_000));
      const selfId = base + 9_000_001;
      const itself = await importFirms(t, `<firms>\n  <firm><id>${selfId}</id><name>Narcissus</name><parent_firm_id>${selfId}</parent_firm_id></firm>\n</firms>\n`);
      expect(itself.status).to.equal(422);
      expect(errorsIn(itself.text)).to.deep.equal(['Firm 1 (line 2): Parent firm id cannot be the firm itself']);
    });

    it('imports and exports firms through the contacts command: the root decides, export --firms writes the firms, exit 1 when anything is invalid', async () => {
      const cwd = mkdtempSync(join(tmpdir(), 'contacts-firms-import-'));
      const env = { DATABASE_URL: databaseUrl };
      const t = await server.tenant();
      const { doc } = await oldFirms();
      writeFileSync(join(cwd, 'firms.xml'), doc);
      writeFileSync(join(cwd, 'bad.xml'), doc.replace('<name>Groupe Bérard SA</name>', '<name></name>'));
      const dry = await runCli(['import', 'firms.xml', '--business-file', String(t.bf), '--dry-run'], env, cwd);
      expect(dry.code, dry.stderr).to.equal(0);
      expect(dry.stdout).to.match(/firms\.xml: created 3, updated 0, unchanged 0, invalid 0 \(3 firms in [\d.]+ s, dry run, nothing written\)/);
      expect(await firmCount(t)).to.equal(0);
      const ok = await runCli(['import', 'firms.xml', '--business-file', String(t.bf)], env, cwd);
      expect(ok.code, ok.stderr).to.equal(0);
      expect(ok.stdout).to.match(/firms\.xml: created 3, updated 0, unchanged 0, invalid 0/);
      expect(await firmCount(t)).to.equal(3);
      const exported = await runCli(['export', '--firms', '--business-file', String(t.bf)], env, cwd);
      expect(exported.code, exported.stderr).to.equal(0);
      expect(exported.stdout).to.equal(await exportFirms(t));
      const contactsExport = await runCli(['export', '--business-file', String(t.bf)], env, cwd);
      expect(contactsExport.code, contactsExport.stderr).to.equal(0);
      expect(contactsExport.stdout).to.equal(`${XML_HEAD}<contacts type="array">\n</contacts>\n`);
      const bad = await runCli(['import', 'bad.xml', '--business-file', String(t.bf)], env, cwd);
      expect(bad.code).to.equal(1);
      expect(bad.stderr).to.contain("bad.xml: Firm 1 (line 3): Name can't be blank");
      expect(bad.stdout).to.contain('invalid 1');
      // Firms imported by the command have no API user: creator_id is the file's.
      expect(firmOf((await server.as(t)(`/${t.bf}/firms/${firmIds(await server.as(t)(`/${t.bf}/firms.xml`))[0]}.xml`)).text).creator_id).to.equal('77');
    });
  });
});
