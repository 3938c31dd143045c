// The old system's action-style URLs (CONTRACT.md section 0): `/{resource}/{action}/{bf}[/{id}].xml`
// for contacts and firms alike, the way INCWO_auto_synchr and webhook consumers call them:
// Content-Type: application/xml on every verb, a destroy POST with an empty body or none, and
// only 200/201 counting as success.
import { expect } from 'chai';
import { contactXml, parseXml } from '../support/contacts.js';
import { forEachEngine } from '../support/engines.js';
import { firmOf, firmXml, parseDoc } from '../support/firms.js';
import { TestServer, type Tenant } from '../support/server.js';

interface Resource {
  /** contacts or firms */
  plural: string;
  body: (name: string) => string;
  /** The element whose value the update changes. */
  field: string;
  update: (value: string) => string;
  idOf: (text: string) => string;
  valueOf: (text: string) => string;
}

const RESOURCES: Resource[] = [
  {
    plural: 'contacts',
    body: (name) => contactXml(name),
    field: 'job_title',
    update: (value) => `<contact><job_title>${value}</job_title></contact>`,
    idOf: (text) => parseXml(text).contact[0].id,
    valueOf: (text) => parseXml(text).contact[0].job_title,
  },
  {
    plural: 'firms',
    body: (name) => firmXml(name),
    field: 'siren',
    update: (value) => `<firm><siren>${value}</siren></firm>`,
    idOf: (text) => firmOf(text).id,
    valueOf: (text) => firmOf(text).siren,
  },
];

describe('action-style URLs of the old system', () => {
  forEachEngine((engine) => {
    let server: TestServer;
    before(async () => {
      server = await TestServer.start(engine);
    });
    after(() => server.stop());

    for (const r of RESOURCES) {
      describe(`/${r.plural}/{action}/{bf}[/{id}].xml`, () => {
        const canonical = (t: Tenant, id: string) => `/${t.bf}/${r.plural}/${id}.xml`;
        async function created(t: Tenant, name = 'Aliased'): Promise<string> {
          const res = await server.as(t)(`/${t.bf}/${r.plural}.xml`, { method: 'POST', body: r.body(name) });
          expect(res.status, res.text).to.equal(201);
          return r.idOf(res.text);
        }
        const count = async (t: Tenant) => Number((await server.db(r.plural).where('business_file_id', t.bf).count({ n: '*' }).first())?.n);

        it(`POST /${r.plural}/create/{bf}.xml creates like POST /{bf}/${r.plural}.xml: 201, Location, the document, <id> on its own two-space-indented line`, async () => {
          const t = await server.tenant();
          const res = await server.as(t)(`/${r.plural}/create/${t.bf}.xml`, { method: 'POST', body: r.body('Created') });
          expect(res.status, res.text).to.equal(201);
          const id = r.idOf(res.text);
          expect(res.headers.get('location')).to.equal(canonical(t, id));
          expect(res.text.split('\n').find((line) => line.includes('<id>'))).to.equal(`  <id>${id}</id>`);
          expect(res.text).to.equal((await server.as(t)(canonical(t, id))).text);
        });

        it(`GET /${r.plural}/list/{bf}.xml and GET /${r.plural}/show/{bf}/{id}.xml read, with Content-Type: application/xml sent on GET`, async () => {
          const t = await server.tenant();
          const id = await created(t);
          const list = await server.as(t)(`/${r.plural}/list/${t.bf}.xml`, { headers: { 'Content-Type': 'application/xml', Accept: 'application/xml' } });
          expect(list.status).to.equal(200);
          expect(list.text).to.equal((await server.as(t)(`/${t.bf}/${r.plural}.xml`)).text);
          const show = await server.as(t)(`/${r.plural}/show/${t.bf}/${id}.xml`, { headers: { 'Content-Type': 'application/xml', Accept: 'application/xml' } });
          expect(show.status).to.equal(200);
          expect(show.text).to.equal((await server.as(t)(canonical(t, id))).text);
          expect(show.headers.get('etag')).to.equal((await server.as(t)(canonical(t, id))).headers.get('etag'));
          const head = await server.as(t)(`/${r.plural}/show/${t.bf}/${id}.xml`, { method: 'HEAD' });
          expect([head.status, head.text]).to.deep.equal([200, '']);
          expect((await server.as(t)(`/${r.plural}/show/${t.bf}/999999999.xml`)).status).to.equal(404);
        });

        it(`PUT /${r.plural}/show/{bf}/{id}.xml and POST|PUT /${r.plural}/update/{bf}/{id}.xml update partially, answering 200 with the document`, async () => {
          const t = await server.tenant();
          const id = await created(t);
          const forms: [string, string][] = [
            ['PUT', `/${r.plural}/show/${t.bf}/${id}.xml`],
            ['POST', `/${r.plural}/update/${t.bf}/${id}.xml`],
            ['PUT', `/${r.plural}/update/${t.bf}/${id}.xml`],
          ];
          for (const [i, [method, path]] of forms.entries()) {
            const value = `V${i}`;
            const res = await server.as(t)(path, { method, body: r.update(value) });
            expect(res.status, `${method} ${path}: ${res.text}`).to.equal(200);
            expect(r.valueOf(res.text)).to.equal(value);
            const now = await server.as(t)(canonical(t, id));
            expect(r.valueOf(now.text)).to.equal(value);
            expect(res.text).to.equal(now.text);
          }
        });

        it(`refuses an invalid update through /${r.plural}/update with 422, changing nothing`, async () => {
          const t = await server.tenant();
          const id = await created(t);
          const before = (await server.as(t)(canonical(t, id))).text;
          const blank = r.plural === 'contacts' ? '<contact><last_name></last_name></contact>' : '<firm><name></name></firm>';
          const res = await server.as(t)(`/${r.plural}/update/${t.bf}/${id}.xml`, { method: 'POST', body: blank });
          expect(res.status).to.equal(422);
          expect(parseDoc(res.text).errors.error).to.deep.equal([r.plural === 'contacts' ? "Last name can't be blank" : "Name can't be blank"]);
          expect((await server.as(t)(canonical(t, id))).text).to.equal(before);
        });

        it(`POST /${r.plural}/destroy/{bf}/{id}.xml with no body, with an empty body and Content-Type: application/xml, and DELETE, each delete: 200`, async () => {
          const t = await server.tenant();
          const ids = [await created(t, 'One'), await created(t, 'Two'), await created(t, 'Three'), await created(t, 'Four')];
          const calls = [
            { method: 'POST', headers: {} as Record<string, string>, body: undefined as string | undefined },
            { method: 'POST', headers: { 'Content-Type': 'application/xml' }, body: '' },
            { method: 'DELETE', headers: { 'Content-Type': 'application/xml' }, body: undefined },
          ];
          for (const [i, call] of calls.entries()) {
            const res = await server.as(t)(`/${r.plural}/destroy/${t.bf}/${ids[i]}.xml`, call);
            expect(res.status, `${call.method} ${JSON.stringify(call.headers)}: ${res.text}`).to.equal(200);
            expect((await server.as(t)(canonical(t, ids[i]))).status).to.equal(404);
          }
          const show = await server.as(t)(`/${r.plural}/show/${t.bf}/${ids[3]}.xml`, { method: 'DELETE', headers: { 'Content-Type': 'application/xml' } });
          expect(show.status).to.equal(200);
          expect(await count(t)).to.equal(0);
          expect((await server.as(t)(`/${r.plural}/destroy/${t.bf}/${ids[0]}.xml`, { method: 'POST' })).status).to.equal(404);
        });

        it(`keeps tenancy on every form: 403 for another business file, 404 for another business file's ${r.plural}`, async () => {
          const a = await server.tenant();
          const b = await server.tenant();
          const id = await created(a);
          const before = (await server.as(a)(canonical(a, id))).text;
          expect((await server.as(b)(`/${r.plural}/list/${a.bf}.xml`)).status).to.equal(403);
          expect((await server.as(b)(`/${r.plural}/show/${a.bf}/${id}.xml`)).status).to.equal(403);
          expect((await server.as(b)(`/${r.plural}/create/${a.bf}.xml`, { method: 'POST', body: r.body('Intruder') })).status).to.equal(403);
          expect((await server.as(b)(`/${r.plural}/update/${a.bf}/${id}.xml`, { method: 'POST', body: r.update('Hijack') })).status).to.equal(403);
          expect((await server.as(b)(`/${r.plural}/destroy/${a.bf}/${id}.xml`, { method: 'POST' })).status).to.equal(403);
          expect((await server.as(b)(`/${r.plural}/show/${b.bf}/${id}.xml`)).status).to.equal(404);
          expect((await server.as(b)(`/${r.plural}/update/${b.bf}/${id}.xml`, { method: 'PUT', body: r.update('Hijack') })).status).to.equal(404);
          expect((await server.as(b)(`/${r.plural}/destroy/${b.bf}/${id}.xml`, { method: 'POST' })).status).to.equal(404);
          expect((await server.as(a)(`/${r.plural}/create/${a.bf}.xml`, { method: 'POST', body: r.body('NoAuth'), auth: false })).status).to.equal(401);
          expect((await server.as(a)(canonical(a, id))).text).to.equal(before);
        });

        it('answers 405 with Allow to verbs a form does not take (GET on create, destroy and update; PATCH on show)', async () => {
          const t = await server.tenant();
          const id = await created(t);
          for (const path of [`/${r.plural}/create/${t.bf}.xml`, `/${r.plural}/update/${t.bf}/${id}.xml`, `/${r.plural}/destroy/${t.bf}/${id}.xml`]) {
            const res = await server.as(t)(path);
            expect(res.status, path).to.equal(405);
            expect(res.headers.get('allow'), path).to.match(/POST/);
          }
          const patch = await server.as(t)(`/${r.plural}/show/${t.bf}/${id}.xml`, { method: 'PATCH', body: r.update('Patched') });
          expect(patch.status).to.equal(405);
          expect(patch.headers.get('allow')).to.match(/GET/).and.to.match(/PUT/).and.to.match(/DELETE/);
          const before = await server.as(t)(canonical(t, id));
          expect(before.status).to.equal(200);
          expect(r.valueOf(before.text)).not.to.equal('Patched');
        });
      });
    }
  });
});
