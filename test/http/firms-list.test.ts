// The firms list (CONTRACT.md sections 3 and 10): `<firms type="array">` with `<pagination>` last,
// page/per_page/pagination=false, sort over id/name/created_at/updated_at, the filters
// firm_type/remote_id/updated_since/q, the short and old-style paths, and JSON.
import { expect } from 'chai';
import { forEachEngine } from '../support/engines.js';
import { childNames, FIRM_FIELDS, firmIds, firmOf, firmXml, parseDoc } from '../support/firms.js';
import { TestServer, type Tenant } from '../support/server.js';

describe('firms: the list', () => {
  forEachEngine((engine) => {
    let server: TestServer;
    before(async () => {
      server = await TestServer.start(engine);
    });
    after(() => server.stop());

    async function seed(t: Tenant, count: number, extra: (i: number) => string = () => '', name: (i: number) => string = (i) => `Firm${String(i).padStart(3, '0')}`): Promise<number[]> {
      const ids: number[] = [];
      for (let i = 1; i <= count; i++) {
        const res = await server.as(t)(`/${t.bf}/firms.xml`, { method: 'POST', body: firmXml(name(i), extra(i)) });
        expect(res.status, res.text).to.equal(201);
        ids.push(Number(firmOf(res.text).id));
      }
      return ids;
    }
    const list = (t: Tenant, query = '') => server.as(t)(`/${t.bf}/firms.xml${query}`);

    it('pages with <pagination> as the last child on a full, a partial and a past-the-end page', async () => {
      const t = await server.tenant();
      const ids = await seed(t, 5);
      const page = async (n: number) => {
        const res = await list(t, `?per_page=2&page=${n}`);
        expect(res.status).to.equal(200);
        expect(res.headers.get('content-type')).to.equal('application/xml; charset=utf-8');
        expect(res.text.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<firms type="array">\n')).to.equal(true);
        expect(res.text).to.match(/ {2}<\/pagination>\n<\/firms>\n$/);
        return { ids: firmIds(res), p: parseDoc(res.text).firms.pagination };
      };
      const full = await page(1);
      expect(full.ids).to.deep.equal(ids.slice(0, 2));
      expect(full.p).to.deep.equal({ current_page: '1', total_pages: '3', current_page_items_count: '2', per_page: '2', total_entries: '5' });
      const partial = await page(3);
      expect(partial.ids).to.deep.equal(ids.slice(4));
      expect(partial.p.current_page_items_count).to.equal('1');
      const past = await page(9);
      expect(past.ids).to.deep.equal([]);
      expect(past.p).to.deep.equal({ current_page: '9', total_pages: '3', current_page_items_count: '0', per_page: '2', total_entries: '5' });
    });

    it('writes each listed firm as the whole document, <id> first (clients take the first all-digit *id element)', async () => {
      const t = await server.tenant();
      await seed(t, 2);
      const res = await list(t);
      expect(childNames(res.text, 'firm')).to.deep.equal(FIRM_FIELDS);
      const shown = await server.as(t)(`/${t.bf}/firms/${firmIds(res)[0]}.xml`);
      const firstInList = res.text.slice(res.text.indexOf('  <firm>'), res.text.indexOf('  </firm>') + '  </firm>'.length);
      expect(firstInList.replace(/^ {2}/gm, '')).to.equal(shown.text.replace(/^<\?xml[^\n]*\n/, '').trimEnd());
    });

    it('gives an empty business file a lone <pagination> with total_pages 0, and nothing with pagination=false', async () => {
      const t = await server.tenant();
      expect((await list(t)).text).to.equal(
        '<?xml version="1.0" encoding="UTF-8"?>\n<firms type="array">\n  <pagination>\n    <current_page>1</current_page>\n    <total_pages>0</total_pages>\n' +
          '    <current_page_items_count>0</current_page_items_count>\n    <per_page>30</per_page>\n    <total_entries>0</total_entries>\n  </pagination>\n</firms>\n',
      );
      expect((await list(t, '?pagination=false')).text).to.equal('<?xml version="1.0" encoding="UTF-8"?>\n<firms type="array">\n</firms>\n');
    });

    it('leaves <pagination> out with pagination=false', async () => {
      const t = await server.tenant();
      await seed(t, 3);
      const res = await list(t, '?pagination=false');
      expect(res.text).not.to.contain('<pagination>');
      expect(firmIds(res)).to.have.length(3);
    });

    it('defaults to 30 per page, in id order', async () => {
      const t = await server.tenant();
      const ids = await seed(t, 32);
      const res = await list(t);
      expect(firmIds(res)).to.deep.equal(ids.slice(0, 30));
      expect(parseDoc(res.text).firms.pagination.total_pages).to.equal('2');
      expect(firmIds(await list(t, '?page=2'))).to.deep.equal(ids.slice(30));
    });

    it('sorts by name, id, created_at and updated_at, ties broken by id, and refuses other fields with 400', async () => {
      const t = await server.tenant();
      const ids = await seed(t, 4, () => '', (i) => ['Beta', 'Alpha', 'Beta', 'Gamma'][i - 1]);
      const sorted = (q: string) => list(t, `?sort=${q}`).then(firmIds);
      const byName = await sorted('name');
      expect(byName).to.deep.equal([ids[1], ids[0], ids[2], ids[3]]);
      expect(await sorted('name:asc')).to.deep.equal(byName);
      const desc = await sorted('name:desc');
      expect([desc[0], desc[3]]).to.deep.equal([ids[3], ids[1]]);
      expect(await sorted('id:desc')).to.deep.equal([...ids].reverse());
      await server.db('firms').where('id', ids[2]).update({ updated_at: '2001-01-01 00:00:00', created_at: '2001-01-01 00:00:00' });
      expect((await sorted('updated_at'))[0]).to.equal(ids[2]);
      expect((await sorted('created_at:desc,id:asc')).slice(-1)).to.deep.equal([ids[2]]);
      const paged: number[] = [];
      for (let p = 1; p <= 4; p++) paged.push(...firmIds(await list(t, `?sort=name&per_page=1&page=${p}`)));
      expect(paged).to.deep.equal(byName);
      for (const bad of ['last_name', 'siren', 'name:up', 'contacts_count']) expect((await list(t, `?sort=${bad}`)).status, bad).to.equal(400);
    });

    it('filters by firm_type, remote_id and updated_since, combined with AND', async () => {
      const t = await server.tenant();
      const ids = await seed(t, 4, (i) => `<firm_type>${i % 2 ? 'client' : 'supplier'}</firm_type><remote_id>F${i}</remote_id>`);
      expect(firmIds(await list(t, '?firm_type=supplier'))).to.deep.equal([ids[1], ids[3]]);
      expect(firmIds(await list(t, '?firm_type=client,supplier'))).to.deep.equal(ids);
      expect(firmIds(await list(t, '?remote_id=F3'))).to.deep.equal([ids[2]]);
      expect(firmIds(await list(t, '?remote_id=F3&firm_type=supplier'))).to.deep.equal([]);
      expect(firmIds(await list(t, '?updated_since=2000-01-01T00:00:00Z'))).to.deep.equal(ids);
      expect(firmIds(await list(t, '?updated_since=01-01-2999-00-00'))).to.deep.equal([]);
      await server.db('firms').whereIn('id', [ids[0], ids[1]]).update({ updated_at: '2010-05-05 10:00:00' });
      expect(firmIds(await list(t, '?updated_since=01-01-2011-00-00'))).to.deep.equal([ids[2], ids[3]]);
      expect(firmIds(await list(t, '?updated_since=2010-01-01T00:00:00Z&firm_type=client'))).to.deep.equal([ids[0], ids[2]]);
      expect((await list(t, '?updated_since=yesterday')).status).to.equal(400);
      expect((await list(t, '?unknown_param=1')).status).to.equal(200);
    });

    it('searches with q, case-insensitively, over name, siren, tva and the two accounting references, and nothing else', async () => {
      const t = await server.tenant();
      const [a, b, c, d, e] = await seed(
        t,
        5,
        (i) =>
          [
            '',
            '<siren>552100554</siren>',
            '<tva>FR40552100999</tva>',
            '<accounting_ref>411ZOE</accounting_ref>',
            '<accounting_ref_vendor>F-Vendor_1%</accounting_ref_vendor><batch>lookhere</batch><remote_id>lookhere-too</remote_id>',
          ][i - 1],
        (i) => ['Épicerie Zoë', 'Bérard', 'Other', 'Another', 'Fifth'][i - 1],
      );
      const q = (term: string) => list(t, `?q=${encodeURIComponent(term)}`).then(firmIds);
      expect(await q('épicerie')).to.deep.equal([a]);
      expect(await q('ZOË')).to.deep.equal([a]);
      expect(await q('2100554')).to.deep.equal([b]);
      expect(await q('fr40552100999')).to.deep.equal([c]);
      expect(await q('411zoe')).to.deep.equal([d]);
      expect(await q('vendor_1%')).to.deep.equal([e]);
      expect(await q('%')).to.deep.equal([e]);
      expect(await q('_')).to.deep.equal([e]);
      expect(await q('lookhere')).to.deep.equal([]);
      expect(await q('nobody')).to.deep.equal([]);
      expect(firmIds(await list(t, '?q=other&sort=name'))).to.deep.equal([d, c]);
    });

    it('serves the short path /firms.xml, the old-style /firms/list/{bf}.xml, HEAD and JSON', async () => {
      const t = await server.tenant();
      const ids = await seed(t, 2);
      for (const path of ['/firms.xml', `/firms/list/${t.bf}.xml`, `/${t.bf}/firms`]) {
        const res = await server.as(t)(path);
        expect(res.status, path).to.equal(200);
        expect(firmIds(res), path).to.deep.equal(ids);
      }
      const get = await list(t);
      const head = await server.as(t)(`/${t.bf}/firms.xml`, { method: 'HEAD' });
      expect(head.status).to.equal(200);
      expect(head.text).to.equal('');
      expect(head.headers.get('content-length')).to.equal(String(Buffer.byteLength(get.text)));
      const json = await server.as(t)(`/${t.bf}/firms.json?per_page=1`);
      expect(json.headers.get('content-type')).to.equal('application/json; charset=utf-8');
      const body = JSON.parse(json.text);
      expect(Object.keys(body)).to.deep.equal(['firms', 'pagination']);
      expect(body.firms.map((f: { id: number }) => f.id)).to.deep.equal([ids[0]]);
      expect(Object.keys(body.firms[0])).to.deep.equal(FIRM_FIELDS);
      expect(body.pagination).to.deep.equal({ current_page: 1, total_pages: 2, current_page_items_count: 1, per_page: 1, total_entries: 2 });
      expect(JSON.parse((await server.as(t)(`/${t.bf}/firms.json?pagination=false`)).text)).to.have.keys(['firms']);
    });

    it('rejects bad page parameters with 400, and lists only this business file\'s firms', async () => {
      const t = await server.tenant();
      const other = await server.tenant();
      const mine = await seed(t, 2);
      await seed(other, 3);
      for (const query of ['per_page=501', 'per_page=0', 'page=0', 'page=1.5', 'page=-1', 'pagination=maybe']) {
        const res = await list(t, `?${query}`);
        expect(res.status, query).to.equal(400);
        expect(res.text, query).to.contain('<errors>');
      }
      expect((await list(t, '?per_page=500')).status).to.equal(200);
      expect(firmIds(await list(t))).to.deep.equal(mine);
      expect((await server.as(other)(`/${t.bf}/firms.xml`)).status).to.equal(403);
    });
  });
});
