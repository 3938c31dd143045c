import { expect } from 'chai';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateContacts, renderContact } from '../../fixtures/generate.js';
import { PARSE_BATCH } from '../../src/import/parse-records.js';
import { LIST_CLOSE, LIST_OPEN } from '../support/contact-codec.js';
import { errorsOf, parseXml } from '../support/contacts.js';
import { forEachEngine } from '../support/engines.js';
import { runCli } from '../support/process.js';
import { TestServer, type Tenant } from '../support/server.js';

const fixture = (name: string) => readFileSync(join('fixtures/import', name), 'utf8');

describe('bulk import and export', () => {
  forEachEngine((engine) => {
    let server: TestServer;
    before(async () => {
      server = await TestServer.start(engine);
    });
    after(() => server.stop());

    /** Ids are global keys: each file starts past every id already in the database. */
    async function freshFirstId(): Promise<number> {
      let max = 0;
      for (const table of ['contacts', 'contact_addresses', 'contact_items']) max = Math.max(max, Number((await server.db(table).max({ m: 'id' }).first())?.m ?? 0));
      return max + 1000;
    }

    async function generated(count: number, ids = true): Promise<string> {
      const firstId = await freshFirstId();
      let doc = LIST_OPEN;
      for (const c of generateContacts(count, { seed: 7, firstId })) doc += renderContact(c, ids);
      return doc + LIST_CLOSE;
    }

    const importFile = (t: Tenant, body: string, query = '') => server.as(t)(`/${t.bf}/contacts/import.xml${query}`, { method: 'POST', body });
    const exportFile = async (t: Tenant) => {
      const res = await server.as(t)(`/${t.bf}/contacts/export.xml`);
      expect(res.status).to.equal(200);
      expect(res.headers.get('content-type')).to.equal('application/xml; charset=utf-8');
      return res.text;
    };
    const count = async (t: Tenant) => Number((await server.db('contacts').where('business_file_id', t.bf).count({ n: '*' }).first())?.n);

    it('round-trips: a generated file imports, exports byte-identical, and re-imports as unchanged without duplicates', async () => {
      const doc = await generated(250);
      const a = await server.tenant();
      const res = await importFile(a, doc);
      expect(res.status, res.text).to.equal(200);
      expect(res.text).to.equal('<?xml version="1.0" encoding="UTF-8"?>\n<import>\n  <created>250</created>\n  <updated>0</updated>\n  <unchanged>0</unchanged>\n  <not_kept></not_kept>\n</import>\n');
      const exported = await exportFile(a);
      expect(exported).to.equal(doc);
      // Re-import: nothing changes, nothing is duplicated.
      const again = await importFile(a, exported);
      expect(parseXml(again.text).import).to.deep.equal({ created: '0', updated: '0', unchanged: '250', not_kept: '' });
      expect(await count(a)).to.equal(250);
      expect(await exportFile(a)).to.equal(doc);
    });

    it('keys contacts without <id> by remote_id, and creates those with neither', async () => {
      const t = await server.tenant();
      const first = await importFile(t, fixture('remote-ids-only.xml'));
      expect(first.status, first.text).to.equal(200);
      const created = Number(parseXml(first.text).import.created);
      expect(created).to.be.greaterThan(0);
      const again = await importFile(t, fixture('remote-ids-only.xml'));
      expect(parseXml(again.text).import).to.deep.equal({ created: '0', updated: '0', unchanged: String(created), not_kept: '' });
      const changed = fixture('remote-ids-only.xml').replace(/<last_name>([^<]*)<\/last_name>/, '<last_name>$1 changed</last_name>');
      expect(parseXml((await importFile(t, changed)).text).import.updated).to.equal('1');
      const noKeys = await importFile(t, fixture('no-keys.xml'));
      expect(noKeys.status).to.equal(200);
      const n = Number(parseXml(noKeys.text).import.created);
      expect(parseXml((await importFile(t, fixture('no-keys.xml'))).text).import.created).to.equal(String(n));
    });

    it('reads a list page as an import file: root attributes and <pagination> are ignored', async () => {
      const t = await server.tenant();
      const res = await importFile(t, fixture('with-pagination.xml').replace(/<id>(\d+)<\/id>/g, (_, id) => `<id>${Number(id) + 5_000_000 + t.bf * 1000}</id>`));
      expect(res.status, res.text).to.equal(200);
      expect(Number(parseXml(res.text).import.created)).to.be.greaterThan(0);
    });

    it('writes nothing when one contact is invalid, and reports every invalid contact with its position and line', async () => {
      const t = await server.tenant();
      const doc = (await generated(5)).split('\n');
      // Blank the last name of contacts 2 and 4, and give contact 4 a bad email too.
      let seen = 0;
      const lines = doc.map((line) => {
        if (line.startsWith('  <contact>')) seen++;
        if ((seen === 2 || seen === 4) && line.startsWith('    <last_name>')) return '    <last_name></last_name>';
        if (seen === 4 && line.startsWith('    <firm_id>')) return '    <firm_id>12abc</firm_id>';
        return line;
      });
      const startLine = (n: number) => lines.findIndex((l, i) => l.startsWith('  <contact>') && lines.slice(0, i + 1).filter((x) => x.startsWith('  <contact>')).length === n) + 1;
      const res = await importFile(t, lines.join('\n'));
      expect(res.status).to.equal(422);
      expect(errorsOf(res.text)).to.deep.equal([
        `Contact 2 (line ${startLine(2)}): Last name can't be blank`,
        `Contact 4 (line ${startLine(4)}): Last name can't be blank`,
        `Contact 4 (line ${startLine(4)}): Firm id is not a number`,
      ]);
      expect(await count(t)).to.equal(0);
    });

    it('reports a malformed record at its line in the file, and a broken document as 400', async () => {
      const t = await server.tenant();
      const doc = '<contacts>\n  <contact><last_name>A</last_name></contact>\n  <contact>\n    <last_name>B</first_name>\n  </contact>\n</contacts>\n';
      const res = await importFile(t, doc);
      expect(res.status).to.equal(422);
      expect(errorsOf(res.text)[0]).to.match(/^Contact 2 \(line 3\): Malformed XML at line 4, column \d+/);
      for (const broken of ['<people></people>', '<!DOCTYPE x []><contacts></contacts>', '<contacts><contact><last_name>A</last_name></contact>']) {
        const r = await importFile(t, broken);
        expect(r.status, broken).to.equal(400);
      }
      expect(await count(t)).to.equal(0);
    });

    it('reports malformed and invalid records by position and file line in a file big enough to be parsed on a worker thread', async () => {
      const t = await server.tenant();
      const lines = (await generated(PARSE_BATCH * 3 + 17)).split('\n');
      let seen = 0;
      const broken = lines.map((line) => {
        if (line.startsWith('  <contact>')) seen++;
        if (seen === PARSE_BATCH + 3 && line.startsWith('    <last_name>')) return '    <last_name>X</first_name>';
        if (seen === PARSE_BATCH * 3 + 5 && line.startsWith('    <last_name>')) return '    <last_name></last_name>';
        return line;
      });
      const startLine = (n: number) => {
        let k = 0;
        return broken.findIndex((l) => l.startsWith('  <contact>') && ++k === n) + 1;
      };
      const res = await importFile(t, broken.join('\n'));
      expect(res.status).to.equal(422);
      const errors = errorsOf(res.text);
      expect(errors).to.have.length(2);
      expect(errors[0]).to.match(new RegExp(`^Contact ${PARSE_BATCH + 3} \\(line ${startLine(PARSE_BATCH + 3)}\\): Malformed XML at line ${startLine(PARSE_BATCH + 3) + 3}, column \\d+`));
      expect(errors[1]).to.equal(`Contact ${PARSE_BATCH * 3 + 5} (line ${startLine(PARSE_BATCH * 3 + 5)}): Last name can't be blank`);
      expect(await count(t)).to.equal(0);
      // The same file mended imports whole.
      const ok = await importFile(t, lines.join('\n'));
      expect(ok.status, ok.text).to.equal(200);
      expect(await count(t)).to.equal(PARSE_BATCH * 3 + 17);
    });

    it('refuses an id that belongs to another business file, never overwriting it', async () => {
      const a = await server.tenant();
      const b = await server.tenant();
      const doc = await generated(2);
      expect((await importFile(a, doc)).status).to.equal(200);
      const before = await exportFile(a);
      const res = await importFile(b, doc.replace(/<last_name>[^<]*<\/last_name>/, '<last_name>Hijack</last_name>'));
      expect(res.status).to.equal(422);
      expect(errorsOf(res.text)[0]).to.match(/^Contact 1 \(line 3\): Id \d+ belongs to another business file$/);
      expect(await exportFile(a)).to.equal(before);
      expect(await count(b)).to.equal(0);
    });

    it('validates without writing with dry_run=true', async () => {
      const t = await server.tenant();
      const res = await importFile(t, await generated(3), '?dry_run=true');
      expect(parseXml(res.text).import.created).to.equal('3');
      expect(await count(t)).to.equal(0);
    });

    it('exports an empty business file as an empty <contacts type="array"> document', async () => {
      const t = await server.tenant();
      expect(await exportFile(t)).to.equal('<?xml version="1.0" encoding="UTF-8"?>\n<contacts type="array">\n</contacts>\n');
    });

    it('imports into a new business file and exports the same bytes through the contacts command, with a non-zero exit when anything is invalid', async () => {
      const cwd = mkdtempSync(join(tmpdir(), 'contacts-import-'));
      const env = { DATABASE_URL: engine.url() };
      const bf = 900_000 + Math.floor(Math.random() * 90_000);
      const doc = await generated(40);
      writeFileSync(join(cwd, 'good.xml'), doc);
      writeFileSync(join(cwd, 'bad.xml'), doc.replace(/<last_name>[^<]*<\/last_name>/, '<last_name></last_name>'));
      const dry = await runCli(['import', 'good.xml', '--business-file', String(bf), '--dry-run'], env, cwd);
      expect(dry.code, dry.stderr).to.equal(0);
      expect(dry.stdout).to.match(/good\.xml: created 40, updated 0, unchanged 0, invalid 0 \(40 contacts in [\d.]+ s, dry run, nothing written\)/);
      const ok = await runCli(['import', 'good.xml', '--business-file', String(bf)], env, cwd);
      expect(ok.code, ok.stderr).to.equal(0);
      const exported = await runCli(['export', '--business-file', String(bf)], env, cwd);
      expect(exported.code).to.equal(0);
      expect(exported.stdout).to.equal(doc);
      const bad = await runCli(['import', 'bad.xml', '--business-file', String(bf)], env, cwd);
      expect(bad.code).to.equal(1);
      expect(bad.stderr).to.contain("bad.xml: Contact 1 (line 3): Last name can't be blank");
      expect(bad.stdout).to.contain('invalid 1');
      expect((await runCli(['export', '--business-file', String(bf)], env, cwd)).stdout).to.equal(doc);
    });
  });
});
