// Bug (issue 15): a contact imported without <id> must be found by `q` through its children
// (emails, phones, address cities and zip codes), as one written through the API is
// (CONTRACT.md section 3: "whichever way the contact was written"). Over HTTP and the command.
import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { forEachEngine, type Engine } from '../support/engines.js';
import { parseDoc } from '../support/firms.js';
import { runCli } from '../support/process.js';
import { TestServer, type Tenant } from '../support/server.js';

const CITIES = ['Lyon', 'LYON', 'lyon 3e', 'Villeurbanne'];

/** `count` contacts without ids (some with remote ids), three in four in Lyon (in various cases). */
function file(count: number, tag: string): string {
  let doc = '<?xml version="1.0" encoding="UTF-8"?>\n<contacts type="array">\n';
  for (let i = 1; i <= count; i++) {
    const city = CITIES[i % CITIES.length];
    const remote = i % 5 === 0 ? `<remote_id>${tag}-R${i}</remote_id>` : '';
    doc +=
      `  <contact>\n    <last_name>Person${i}</last_name>\n    ${remote}\n` +
      `    <contact_addresses>\n      <contact_address>\n        <address_type>21</address_type>\n        <zip_code>${city.startsWith('Villeurbanne') ? '69100' : `6900${i % 9 + 1}`}</zip_code>\n        <city>${city}</city>\n      </contact_address>\n    </contact_addresses>\n` +
      `    <contact_items>\n      <contact_item>\n        <type_id>27</type_id>\n        <value>${tag}.person${i}@example.org</value>\n      </contact_item>\n` +
      `      <contact_item>\n        <type_id>24</type_id>\n        <value>+33 4 ${String(70000000 + i).replace(/(\d\d)(?=\d)/g, '$1 ')}</value>\n      </contact_item>\n    </contact_items>\n  </contact>\n`;
  }
  return doc + '</contacts>\n';
}

const isLyon = (i: number) => CITIES[i % CITIES.length].toLowerCase().includes('lyon');

describe('import: contacts without <id> are found by q through their children', () => {
  forEachEngine((engine) => {
    let server: TestServer;
    let databaseUrl: string;
    before(async () => {
      databaseUrl = engine.url();
      const fixed: Engine = { name: engine.name, url: () => databaseUrl };
      server = await TestServer.start(fixed);
    });
    after(() => server.stop());

    const total = async (t: Tenant, q: string) => {
      const res = await server.as(t)(`/${t.bf}/contacts.xml?per_page=500&q=${encodeURIComponent(q)}`);
      expect(res.status).to.equal(200);
      return Number(parseDoc(res.text).contacts.pagination.total_entries);
    };
    const lastNames = async (t: Tenant, q: string) => {
      const res = await server.as(t)(`/${t.bf}/contacts.xml?per_page=500&q=${encodeURIComponent(q)}`);
      const contacts = parseDoc(res.text).contacts.contact ?? [];
      return contacts.map((c: { last_name: string }) => c.last_name);
    };

    async function expectFound(t: Tenant, count: number, tag: string): Promise<void> {
      const lyon = Array.from({ length: count }, (_, k) => k + 1).filter(isLyon).length;
      expect(await total(t, 'lyon')).to.equal(lyon);
      expect(await total(t, 'LYON')).to.equal(lyon);
      expect(await total(t, 'villeurbanne')).to.equal(count - lyon);
      expect(await lastNames(t, `${tag}.person17@`)).to.deep.equal(['Person17']);
      expect(await lastNames(t, '70 00 00 42')).to.deep.equal(['Person42']);
      expect(await total(t, '69100')).to.equal(count - lyon);
      expect(await total(t, 'example.org')).to.equal(count);
    }

    it('finds every one of 200 contacts imported over HTTP without ids, by city, zip code, email and phone', async () => {
      const t = await server.tenant();
      const res = await server.as(t)(`/${t.bf}/contacts/import.xml`, { method: 'POST', body: file(200, 'http') });
      expect(res.status, res.text).to.equal(200);
      expect(parseDoc(res.text).import.created).to.equal('200');
      await expectFound(t, 200, 'http');
      // Re-imported, the remote-id ones are unchanged and still found; the others are created again.
      const again = await server.as(t)(`/${t.bf}/contacts/import.xml`, { method: 'POST', body: file(200, 'http') });
      expect(parseDoc(again.text).import.unchanged).to.equal('40');
      expect(await lastNames(t, 'http.person20@')).to.deep.equal(['Person20']);
    });

    it('finds every one of 200 contacts imported by the command without ids', async () => {
      const t = await server.tenant();
      const cwd = mkdtempSync(join(tmpdir(), 'contacts-import-search-'));
      writeFileSync(join(cwd, 'lyon.xml'), file(200, 'cli'));
      const run = await runCli(['import', 'lyon.xml', '--business-file', String(t.bf)], { DATABASE_URL: databaseUrl }, cwd);
      expect(run.code, run.stderr).to.equal(0);
      await expectFound(t, 200, 'cli');
    });

    it('finds contacts imported without ids by keywords, reference and the accounting references', async () => {
      const t = await server.tenant();
      const doc =
        '<contacts>\n  <contact><last_name>K</last_name><keywords>Côtes-du-Rhône, export</keywords></contact>\n' +
        '  <contact><last_name>R</last_name><reference>REF-0042</reference></contact>\n' +
        '  <contact><last_name>A</last_name><accounting_ref>411ZED</accounting_ref><accounting_ref_vendor>401YAK</accounting_ref_vendor></contact>\n</contacts>\n';
      expect((await server.as(t)(`/${t.bf}/contacts/import.xml`, { method: 'POST', body: doc })).status).to.equal(200);
      expect(await lastNames(t, 'CÔTES')).to.deep.equal(['K']);
      expect(await lastNames(t, 'ref-004')).to.deep.equal(['R']);
      expect(await lastNames(t, '411zed')).to.deep.equal(['A']);
      expect(await lastNames(t, '401yak')).to.deep.equal(['A']);
    });

    it('finds a contact whose children an import changed, by the new values only', async () => {
      const t = await server.tenant();
      const one = '<contacts><contact><last_name>Moved</last_name><remote_id>M-1</remote_id><contact_addresses><contact_address><address_type>20</address_type><city>Lyon</city></contact_address></contact_addresses></contact></contacts>';
      expect((await server.as(t)(`/${t.bf}/contacts/import.xml`, { method: 'POST', body: one })).status).to.equal(200);
      expect(await lastNames(t, 'lyon')).to.deep.equal(['Moved']);
      const moved = one.replace('<city>Lyon</city>', '<city>Grenoble</city>');
      expect(parseDoc((await server.as(t)(`/${t.bf}/contacts/import.xml`, { method: 'POST', body: moved })).text).import.updated).to.equal('1');
      expect(await lastNames(t, 'lyon')).to.deep.equal([]);
      expect(await lastNames(t, 'grenoble')).to.deep.equal(['Moved']);
    });
  });
});
