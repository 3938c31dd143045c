// Every page of a list is the slice of the whole ordered list it names, whichever end it is
// read from (src/resources/list.ts reads the far half of a list backwards), for every sort,
// with ties, filters and q, on contacts imported and created; and total_entries is right.
import { expect } from 'chai';
import { contactXml, parseXml } from '../support/contacts.js';
import { forEachEngine } from '../support/engines.js';
import { TestServer, type Tenant } from '../support/server.js';

const ids = (text: string): number[] => (parseXml(text).contacts.contact ?? []).map((c: { id: string }) => Number(c.id));

forEachEngine((engine) => {
  describe(`list pages from either end (${engine.name})`, function () {
    this.timeout(60_000);
    let server: TestServer;
    let t: Tenant;
    before(async () => {
      server = await TestServer.start(engine);
      t = await server.tenant();
      const names = ['Dupont', 'Martin', 'Dupont', 'Bernard', 'Martin', 'Petit', 'Dupont', 'Durand', 'Leroy', 'Martin', 'Moreau'];
      const file = `<contacts type="array">${names
        .slice(0, 6)
        .map((n, i) => `<contact><last_name>${n}</last_name><first_name>${'ABAB'[i % 4]}</first_name><contact_type>${i % 3 ? 'client' : 'prospect'}</contact_type></contact>`)
        .join('')}</contacts>`;
      expect((await server.as(t)(`/${t.bf}/contacts/import.xml`, { method: 'POST', body: file })).status).to.equal(200);
      for (const [i, n] of names.slice(6).entries()) {
        await server.as(t)(`/${t.bf}/contacts.xml`, { method: 'POST', body: contactXml(n, `<first_name>${'BA'[i % 2]}</first_name><contact_type>${i % 2 ? 'client' : 'prospect'}</contact_type>`) });
      }
    });
    after(() => server.stop());

    for (const query of ['', 'sort=last_name', 'sort=last_name:desc', 'sort=first_name:desc,last_name', 'sort=id:desc', 'sort=created_at:desc', 'contact_type=client&sort=last_name:desc', 'q=ma&sort=first_name', 'q=dup']) {
      it(`pages of ${query || 'the default order'} are slices of the whole list`, async () => {
        const as = server.as(t);
        const whole = ids((await as(`/${t.bf}/contacts.xml?per_page=500&${query}`)).text);
        for (const perPage of [2, 3, 5]) {
          const pages = Math.ceil(whole.length / perPage);
          for (let page = 1; page <= pages + 1; page++) {
            const res = await as(`/${t.bf}/contacts.xml?per_page=${perPage}&page=${page}&${query}`);
            expect(ids(res.text), `per_page=${perPage}&page=${page}`).to.deep.equal(whole.slice((page - 1) * perPage, page * perPage));
            expect(Number(parseXml(res.text).contacts.pagination.total_entries)).to.equal(whole.length);
          }
        }
      });
    }
  });
});
