import { expect } from 'chai';
import { contactXml, FULL_CONTACT, parseXml } from '../support/contacts.js';
import { forEachEngine } from '../support/engines.js';
import { TestServer, type Tenant } from '../support/server.js';

/** The document of a GET, with ids (its own, its children's, its authors') and timestamps replaced by placeholders. */
function normalized(text: string): string {
  return text
    .replace(/<(id|contact_id|creator_id|modifier_id)>\d+<\/\1>/g, '<$1>#</$1>')
    .replace(/<(created_at|updated_at)>\d\d-\d\d-\d{4}-\d\d-\d\d<\/\1>/g, '<$1>T</$1>');
}

/** The contract's section 2 order, version 2: every element present, derived and kept ones included. */
const EXPECTED_DOCUMENT = `<?xml version="1.0" encoding="UTF-8"?>
<contact>
  <id>#</id>
  <civility_label_id>18</civility_label_id>
  <last_name>Bouvet</last_name>
  <first_name>Adèle</first_name>
  <first_last_name>Adèle Bouvet</first_last_name>
  <comment></comment>
  <job_title>Buyer</job_title>
  <job_department>Purchasing</job_department>
  <country>France</country>
  <language></language>
  <contact_type>client</contact_type>
  <contact_type2></contact_type2>
  <contact_origin></contact_origin>
  <keywords></keywords>
  <reference></reference>
  <accounting_ref></accounting_ref>
  <accounting_ref_vendor></accounting_ref_vendor>
  <firm_id>3</firm_id>
  <firm_name></firm_name>
  <project_id></project_id>
  <bank_account_id></bank_account_id>
  <remote_id>CONTACT_123</remote_id>
  <batch></batch>
  <batch_kind></batch_kind>
  <creator_id>#</creator_id>
  <modifier_id>#</modifier_id>
  <created_at>T</created_at>
  <updated_at>T</updated_at>
  <contact_addresses>
    <contact_address>
      <id>#</id>
      <contact_id>#</contact_id>
      <address_type>21</address_type>
      <street_address>10 rue de la Paix</street_address>
      <street_address2></street_address2>
      <street_number></street_number>
      <street_name></street_name>
      <additional_info></additional_info>
      <zip_code>00100</zip_code>
      <city>Paris</city>
      <country>France</country>
      <country_iso_3166_a3></country_iso_3166_a3>
      <created_at>T</created_at>
      <updated_at>T</updated_at>
    </contact_address>
  </contact_addresses>
  <contact_items>
    <contact_item>
      <id>#</id>
      <contact_id>#</contact_id>
      <type_id>27</type_id>
      <value>adele@example.com</value>
      <normalized_phone></normalized_phone>
      <creator_id>#</creator_id>
      <modifier_id>#</modifier_id>
      <created_at>T</created_at>
      <updated_at>T</updated_at>
    </contact_item>
  </contact_items>
</contact>
`;

describe('reading contacts', () => {
  forEachEngine((engine) => {
    let server: TestServer;
    before(async () => {
      server = await TestServer.start(engine);
    });
    after(() => server.stop());

    async function seed(t: Tenant, count: number, extra: (i: number) => string = () => ''): Promise<number[]> {
      const ids: number[] = [];
      for (let i = 1; i <= count; i++) {
        const res = await server.as(t)(`/${t.bf}/contacts.xml`, { method: 'POST', body: contactXml(`Name${String(i).padStart(3, '0')}`, extra(i)) });
        expect(res.status, res.text).to.equal(201);
        ids.push(Number(parseXml(res.text).contact[0].id));
      }
      return ids;
    }

    const listIds = (text: string): number[] => (parseXml(text).contacts.contact ?? []).map((c: { id: string }) => Number(c.id));

    describe('GET /{bf}/contacts/{id}.xml', () => {
      it('returns the whole document in the contract order, with the XML content type', async () => {
        const t = await server.tenant();
        const created = await server.as(t)(`/${t.bf}/contacts.xml`, { method: 'POST', body: FULL_CONTACT });
        const res = await server.as(t)(created.headers.get('location') as string);
        expect(res.status).to.equal(200);
        expect(res.headers.get('content-type')).to.equal('application/xml; charset=utf-8');
        expect(normalized(res.text)).to.equal(EXPECTED_DOCUMENT);
      });

      it('writes timestamps in the legacy dd-mm-YYYY-HH-MM format, in UTC', async () => {
        const t = await server.tenant();
        const before = new Date();
        const res = await server.as(t)(`/${t.bf}/contacts.xml`, { method: 'POST', body: contactXml('Time') });
        const [d, m, y, h, min] = (parseXml(res.text).contact[0].created_at as string).split('-').map(Number);
        const stamp = Date.UTC(y, m - 1, d, h, min);
        expect(Math.abs(stamp - before.getTime())).to.be.below(120_000);
      });

      it('finds a contact by remote_id with ?lookup_field=remote_id', async () => {
        const t = await server.tenant();
        await server.as(t)(`/${t.bf}/contacts.xml`, { method: 'POST', body: contactXml('Remote', '<remote_id>CRM/42 é</remote_id>') });
        const res = await server.as(t)(`/${t.bf}/contacts/${encodeURIComponent('CRM/42 é')}.xml?lookup_field=remote_id`);
        expect(res.status).to.equal(200);
        expect(parseXml(res.text).contact[0].last_name).to.equal('Remote');
        const missing = await server.as(t)(`/${t.bf}/contacts/nope.xml?lookup_field=remote_id`);
        expect(missing.status).to.equal(404);
      });

      it('serves the short path and the old-style /contacts/show/{bf}/{id}.xml alias', async () => {
        const t = await server.tenant();
        const [id] = await seed(t, 1);
        for (const path of [`/contacts/${id}.xml`, `/contacts/show/${t.bf}/${id}.xml`, `/${t.bf}/contacts/${id}`]) {
          const res = await server.as(t)(path);
          expect(res.status, path).to.equal(200);
          expect(listIds(`<contacts>${res.text.replace(/<\?xml[^>]*>/, '')}</contacts>`)).to.deep.equal([id]);
        }
      });

      it('answers HEAD with the GET status and headers and no body', async () => {
        const t = await server.tenant();
        const [id] = await seed(t, 1);
        const get = await server.as(t)(`/${t.bf}/contacts/${id}.xml`);
        const head = await server.as(t)(`/${t.bf}/contacts/${id}.xml`, { method: 'HEAD' });
        expect(head.status).to.equal(200);
        expect(head.text).to.equal('');
        expect(head.headers.get('content-type')).to.equal(get.headers.get('content-type'));
        expect(head.headers.get('content-length')).to.equal(String(Buffer.byteLength(get.text)));
        const missing = await server.as(t)(`/${t.bf}/contacts/999999.xml`, { method: 'HEAD' });
        expect(missing.status).to.equal(404);
      });
    });

    describe('GET /{bf}/contacts.xml', () => {
      it('pages with <pagination> as the last child on a full, a partial and an empty page', async () => {
        const t = await server.tenant();
        const ids = await seed(t, 5);
        const page = async (n: number) => {
          const res = await server.as(t)(`/${t.bf}/contacts.xml?per_page=2&page=${n}`);
          expect(res.status).to.equal(200);
          expect(res.text.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<contacts type="array">\n')).to.equal(true);
          expect(res.text).to.match(/ {2}<\/pagination>\n<\/contacts>\n$/);
          return { ids: listIds(res.text), p: parseXml(res.text).contacts.pagination };
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

      it('gives an empty business file a lone <pagination> with total_pages 0', async () => {
        const t = await server.tenant();
        const res = await server.as(t)(`/${t.bf}/contacts.xml`);
        expect(res.text).to.equal(
          '<?xml version="1.0" encoding="UTF-8"?>\n<contacts type="array">\n  <pagination>\n    <current_page>1</current_page>\n    <total_pages>0</total_pages>\n' +
            '    <current_page_items_count>0</current_page_items_count>\n    <per_page>30</per_page>\n    <total_entries>0</total_entries>\n  </pagination>\n</contacts>\n',
        );
      });

      it('leaves <pagination> out with pagination=false', async () => {
        const t = await server.tenant();
        await seed(t, 2);
        const res = await server.as(t)(`/${t.bf}/contacts.xml?pagination=false`);
        expect(res.text).not.to.contain('<pagination>');
        expect(listIds(res.text)).to.have.length(2);
        const empty = await server.as((await server.tenant()))(`/contacts.xml?pagination=false`);
        expect(empty.text).to.equal('<?xml version="1.0" encoding="UTF-8"?>\n<contacts type="array">\n</contacts>\n');
      });

      it('defaults to 30 per page, in id order', async () => {
        const t = await server.tenant();
        const ids = await seed(t, 32);
        const res = await server.as(t)(`/${t.bf}/contacts.xml`);
        expect(listIds(res.text)).to.deep.equal(ids.slice(0, 30));
        expect(parseXml(res.text).contacts.pagination.total_pages).to.equal('2');
      });

      it('sorts by several fields, breaking ties by id so paging is stable', async () => {
        const t = await server.tenant();
        const req = server.as(t);
        const names = [['B', 'x'], ['A', 'y'], ['B', 'a'], ['A', 'y']];
        const ids: number[] = [];
        for (const [last, first] of names) {
          const r = await req(`/${t.bf}/contacts.xml`, { method: 'POST', body: contactXml(last, `<first_name>${first}</first_name>`) });
          ids.push(Number(parseXml(r.text).contact[0].id));
        }
        const sorted = await req(`/${t.bf}/contacts.xml?sort=last_name:asc,first_name:desc`);
        // the tie (A, y) is broken by id in the direction of the last sort field: desc
        expect(listIds(sorted.text)).to.deep.equal([ids[3], ids[1], ids[0], ids[2]]);
        const byLastDesc = await req(`/${t.bf}/contacts.xml?sort=last_name:desc`);
        expect(listIds(byLastDesc.text)).to.deep.equal([ids[2], ids[0], ids[3], ids[1]]);
        const tieAsc = await req(`/${t.bf}/contacts.xml?sort=last_name:desc,id:asc`);
        expect(listIds(tieAsc.text)).to.deep.equal([ids[0], ids[2], ids[1], ids[3]]);
        const desc = await req(`/${t.bf}/contacts.xml?sort=id:desc`);
        expect(listIds(desc.text)).to.deep.equal([...ids].reverse());
        const paged = [];
        for (let p = 1; p <= 4; p++) paged.push(...listIds((await req(`/${t.bf}/contacts.xml?sort=last_name&per_page=1&page=${p}`)).text));
        expect(paged).to.deep.equal([ids[1], ids[3], ids[0], ids[2]]);
      });

      it('filters by firm_id, contact_type, remote_id and updated_since, combined with AND', async () => {
        const t = await server.tenant();
        const req = server.as(t);
        const ids = await seed(t, 4, (i) => `<firm_id>${i}</firm_id><contact_type>${i % 2 ? 'client' : 'prospect'}</contact_type><remote_id>R${i}</remote_id>`);
        expect(listIds((await req(`/${t.bf}/contacts.xml?firm_id=1,2,4`)).text)).to.deep.equal([ids[0], ids[1], ids[3]]);
        expect(listIds((await req(`/${t.bf}/contacts.xml?contact_type=prospect`)).text)).to.deep.equal([ids[1], ids[3]]);
        expect(listIds((await req(`/${t.bf}/contacts.xml?firm_id=1,2,4&contact_type=prospect`)).text)).to.deep.equal([ids[1], ids[3]]);
        expect(listIds((await req(`/${t.bf}/contacts.xml?remote_id=R3`)).text)).to.deep.equal([ids[2]]);
        expect(listIds((await req(`/${t.bf}/contacts.xml?updated_since=2000-01-01T00:00:00Z`)).text)).to.deep.equal(ids);
        expect(listIds((await req(`/${t.bf}/contacts.xml?updated_since=01-01-2999-00-00`)).text)).to.deep.equal([]);
        expect((await req(`/${t.bf}/contacts.xml?updated_since=yesterday`)).status).to.equal(400);
        expect((await req(`/${t.bf}/contacts.xml?firm_id=x`)).status).to.equal(400);
        expect((await req(`/${t.bf}/contacts.xml?unknown_param=1`)).status).to.equal(200);
      });

      it('searches with q, case-insensitively, over names, job, comment, items and address city and zip', async () => {
        const t = await server.tenant();
        const req = server.as(t);
        const make = async (body: string) => Number(parseXml((await req(`/${t.bf}/contacts.xml`, { method: 'POST', body })).text).contact[0].id);
        const a = await make(contactXml('Élodie', '<job_title>Chief Buyer</job_title>'));
        const b = await make(contactXml('Martin', '<contact_items><contact_item><type_id>27</type_id><value>Zed@Example.com</value></contact_item></contact_items>'));
        const c = await make(contactXml('Durand', '<contact_addresses><contact_address><address_type>20</address_type><city>Lyon</city><zip_code>69001</zip_code></contact_address></contact_addresses>'));
        const d = await make(contactXml('Percent', '<comment>100% sure_thing</comment>'));
        const q = async (term: string) => listIds((await req(`/${t.bf}/contacts.xml?q=${encodeURIComponent(term)}`)).text);
        expect(await q('chief buyer')).to.deep.equal([a]);
        expect(await q('élodie')).to.deep.equal([a]);
        expect(await q('zed@example')).to.deep.equal([b]);
        expect(await q('LYON')).to.deep.equal([c]);
        expect(await q('6900')).to.deep.equal([c]);
        expect(await q('0% s')).to.deep.equal([d]);
        expect(await q('_')).to.deep.equal([d]);
        expect(await q('%')).to.deep.equal([d]);
        expect(await q('nobody')).to.deep.equal([]);
      });

      it('serves the short path and the old-style /contacts/list/{bf}.xml alias', async () => {
        const t = await server.tenant();
        const ids = await seed(t, 2);
        for (const path of ['/contacts.xml', `/contacts/list/${t.bf}.xml`]) {
          const res = await server.as(t)(path);
          expect(res.status, path).to.equal(200);
          expect(listIds(res.text), path).to.deep.equal(ids);
        }
      });

      it('rejects per_page above 500 and non-integer pages with 400', async () => {
        const t = await server.tenant();
        for (const query of ['per_page=501', 'per_page=0', 'page=0', 'page=1.5', 'page=-1', 'sort=email', 'sort=id:up', 'pagination=maybe']) {
          const res = await server.as(t)(`/${t.bf}/contacts.xml?${query}`);
          expect(res.status, query).to.equal(400);
          expect(res.text, query).to.contain('<errors>');
        }
        expect((await server.as(t)(`/${t.bf}/contacts.xml?per_page=500`)).status).to.equal(200);
      });
    });

    describe('GET /lookups.xml', () => {
      it('returns the four lookup tables from the database', async () => {
        const t = await server.tenant();
        const res = await server.as(t)('/lookups.xml');
        expect(res.status).to.equal(200);
        const l = parseXml(res.text).lookups;
        expect(l.civility_labels.civility_label).to.deep.equal([
          { id: '17', label: 'Mr' },
          { id: '18', label: 'Madam' },
          { id: '19', label: 'Miss' },
        ]);
        expect(l.address_types.address_type.map((a: { id: string }) => a.id)).to.deep.equal(['20', '21', '22']);
        const itemIds = l.contact_item_types.contact_item_type.map((a: { id: string }) => Number(a.id)).sort((x: number, y: number) => x - y);
        expect(itemIds).to.deep.equal([23, 24, 25, 26, 27, 28, 88, 430, 431, 432, 433, 457, 471, 554]);
        expect(l.contact_item_types.contact_item_type.find((i: { id: string }) => i.id === '27')).to.deep.equal({ id: '27', label: 'professional email', kind: 'email' });
        expect(l.contact_types.contact_type[0]).to.deep.equal({ id: 'client', label: 'client' });
        expect(l.contact_types.contact_type).to.have.length(8);
        const json = JSON.parse((await server.as(t)('/lookups.json')).text);
        expect(json.lookups.civility_labels[0]).to.deep.equal({ id: 17, label: 'Mr' });
      });
    });
  });
});
