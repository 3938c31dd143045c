// 405 with Allow on every fixed path (CONTRACT.md section 6), for contacts and firms: a fixed
// path such as /{bf}/contacts/import.xml also fits /{bf}/contacts/{id}.xml, and used to be
// answered as a lookup of a contact called "import" (404 "Contact not found.").
import Router from '@koa/router';
import { expect } from 'chai';
import { firmXml } from '../support/firms.js';
import { contactXml, errorsOf } from '../support/contacts.js';
import { expectJsonError, expectXmlError } from '../support/error-bodies.js';
import { forEachEngine } from '../support/engines.js';
import type { Response } from '../support/http.js';
import { TestServer, type Tenant } from '../support/server.js';
import { ownerOf } from '../../src/http/method-not-allowed.js';

const allowOf = (res: Response) =>
  (res.headers.get('allow') ?? '')
    .split(/\s*,\s*/)
    .filter(Boolean)
    .map((m) => m.toUpperCase())
    .sort();

const VERBS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];
const answer = (res: Response) => ({ status: res.status, contentType: res.headers.get('content-type'), text: res.text });
const idIn = (text: string) => /<id>(\d+)<\/id>/.exec(text)?.[1] as string;

describe('the route that owns a path (generic, any resource name)', () => {
  const router = new Router();
  const noop = () => {};
  router.get('/:bf/widgets/:id', noop);
  router.put('/:bf/widgets/:id', noop);
  router.post('/:bf/widgets/import', noop);
  router.get('/:bf/widgets/export', noop);
  router.get('/widgets/list/:bf', noop);

  it('is the fixed path, not the pattern it also fits', () => {
    expect(ownerOf(router, '/1/widgets/import')).to.deep.equal({ route: '/:bf/widgets/import', methods: new Set(['POST']) });
    expect(ownerOf(router, '/1/widgets/export')).to.deep.equal({ route: '/:bf/widgets/export', methods: new Set(['HEAD', 'GET']) });
    expect(ownerOf(router, '/1/widgets/7')).to.deep.equal({ route: '/:bf/widgets/:id', methods: new Set(['HEAD', 'GET', 'PUT']) });
    expect(ownerOf(router, '/widgets/list/3')?.route).to.equal('/widgets/list/:bf');
    expect(ownerOf(router, '/1/gadgets/7')).to.equal(undefined);
  });
});

describe('405 with Allow on the fixed paths', () => {
  forEachEngine((engine) => {
    let server: TestServer;
    let t: Tenant;
    let req: ReturnType<TestServer['as']>;
    let contactId: string;
    let firmId: string;

    before(async () => {
      server = await TestServer.start(engine);
      t = await server.tenant();
      req = server.as(t);
      contactId = idIn((await req(`/${t.bf}/contacts.xml`, { method: 'POST', body: contactXml('Allowed') })).text);
      const firm = await req(`/${t.bf}/firms.xml`, { method: 'POST', body: firmXml('Allowed Ltd') });
      expect(firm.status, firm.text).to.equal(201);
      firmId = idIn(firm.text);
    });
    after(() => server.stop());

    /** Every verb the path does not take is a 405 listing exactly `allowed`, with an error body. */
    async function expectOnly(path: string, allowed: string[], as: (path: string, options?: object) => Promise<Response> = req) {
      for (const method of VERBS.filter((m) => !allowed.includes(m))) {
        const res = await as(path, { method, body: method === 'GET' || method === 'HEAD' ? undefined : '<x/>' });
        expect(res.status, `${method} ${path}`).to.equal(405);
        expect(allowOf(res), `${method} ${path}`).to.deep.equal([...allowed].sort());
        if (method === 'HEAD') expect(res.text).to.equal('');
        else if (path.endsWith('.json')) expectJsonError(answer(res), 405);
        else expectXmlError(answer(res), 405);
      }
    }

    for (const resource of ['contacts', 'firms']) {
      describe(resource, () => {
        const id = () => (resource === 'contacts' ? contactId : firmId);

        it(`import and export, with and without the business file, in XML and JSON`, async () => {
          const res = await req(`/${t.bf}/${resource}/import.xml`);
          expect(res.status).to.equal(405);
          expect(errorsOf(res.text)).to.deep.equal(['Method not allowed.']);
          for (const prefix of [`/${t.bf}/${resource}`, `/${resource}`]) {
            await expectOnly(`${prefix}/import.xml`, ['POST']);
            await expectOnly(`${prefix}/import.json`, ['POST']);
            await expectOnly(`${prefix}/export.xml`, ['GET', 'HEAD']);
          }
        });

        it('the old-style aliases', async () => {
          await expectOnly(`/${resource}/list/${t.bf}.xml`, ['GET', 'HEAD']);
          await expectOnly(`/${resource}/show/${t.bf}/${id()}.xml`, ['GET', 'HEAD', 'PUT', 'DELETE']);
          await expectOnly(`/${resource}/create/${t.bf}.xml`, ['POST']);
          await expectOnly(`/${resource}/update/${t.bf}/${id()}.xml`, ['POST', 'PUT']);
          await expectOnly(`/${resource}/destroy/${t.bf}/${id()}.xml`, ['POST', 'DELETE']);
        });

        it('the canonical paths', async () => {
          await expectOnly(`/${t.bf}/${resource}.xml`, ['GET', 'HEAD', 'POST']);
          await expectOnly(`/${resource}.json`, ['GET', 'HEAD', 'POST']);
          await expectOnly(`/${t.bf}/${resource}/${id()}.xml`, ['GET', 'HEAD', 'PUT', 'PATCH', 'DELETE']);
        });

        it('still serves the verbs the fixed paths take, and records by id', async () => {
          expect((await req(`/${t.bf}/${resource}/export.xml`)).status).to.equal(200);
          expect((await req(`/${t.bf}/${resource}/${id()}.xml`)).status).to.equal(200);
          const doc = resource === 'contacts' ? `<contacts>${contactXml('Imported')}</contacts>` : `<firms>${firmXml('Imported Ltd')}</firms>`;
          const imported = await req(`/${t.bf}/${resource}/import.xml`, { method: 'POST', body: doc.replace(/<\?xml[^>]*>/g, '') });
          expect(imported.status, imported.text).to.equal(200);
        });
      });
    }

    it('/lookups.xml and /health', async () => {
      await expectOnly('/lookups.xml', ['GET', 'HEAD']);
      await expectOnly('/health', ['GET', 'HEAD'], (path, options) => server.request(path, options as object));
    });

    it('answers 405 before authentication (the route table is public), and 404 to unknown paths', async () => {
      await expectOnly(`/${t.bf}/contacts/import.xml`, ['POST'], (path, options) => server.request(path, options as object));
      expect((await server.request(`/${t.bf}/widgets/import.xml`, { method: 'PUT', body: '<x/>' })).status).to.equal(404);
      // A remote id that is a fixed path's name cannot be reached through that path.
      expect((await req(`/${t.bf}/contacts/import.xml?lookup_field=remote_id`)).status).to.equal(405);
    });
  });
});
