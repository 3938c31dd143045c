// Firms over HTTP, one firm at a time (CONTRACT.md section 10 with the rules of sections 0–8):
// the document and its order, create, partial update, delete, tolerant input, validation
// sentences, errors, JSON, HEAD, ETag/If-None-Match/If-Match, Idempotency-Key and tenancy.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { contactXml, parseXml } from '../support/contacts.js';
import { expectJsonError, expectXmlError } from '../support/error-bodies.js';
import { forEachEngine } from '../support/engines.js';
import { childNames, FIRM_FIELDS, firmOf, firmXml, FULL_FIRM, normalized, parseDoc } from '../support/firms.js';
import type { Response } from '../support/http.js';
import { TestServer, type Tenant } from '../support/server.js';

const XML_TYPE = 'application/xml; charset=utf-8';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const fixture = (path: string) => readFileSync(`fixtures/${path}`, 'utf8');
const errorsIn = (text: string): string[] => parseDoc(text).errors?.error ?? [];
const answer = (r: Response) => ({ status: r.status, contentType: r.headers.get('content-type'), text: r.text });

/** The invalid firm fixtures and exactly the messages each must produce. */
const INVALID: Record<string, string[]> = {
  'blank-name.xml': ["Name can't be blank"],
  'missing-name.xml': ["Name can't be blank"],
  'too-long-name.xml': ['Name is too long (maximum is 255 characters)'],
  'unknown-firm-type.xml': ['Firm type is not included in the list'],
  'unknown-firm-type2.xml': ['Firm type2 is not included in the list'],
  'too-long-siren.xml': ['Siren is too long (maximum is 20 characters)'],
  'too-long-tva.xml': ['Tva is too long (maximum is 30 characters)'],
  'parent-firm-id-hex.xml': ['Parent firm id is not a number'],
  'project-id-exponent.xml': ['Project id is not a number'],
  'bank-account-id-zero.xml': ['Bank account id must be greater than 0'],
  'control-character-in-name.xml': ['Name contains a control character (only tab and newline are allowed)'],
  'many-errors.xml': [
    "Name can't be blank",
    'Firm type is not included in the list',
    'Siren is too long (maximum is 20 characters)',
    'Accounting ref is too long (maximum is 100 characters)',
    'Remote id is too long (maximum is 100 characters)',
  ],
};

describe('firms: one firm at a time', () => {
  forEachEngine((engine) => {
    let server: TestServer;
    before(async () => {
      server = await TestServer.start(engine);
    });
    after(() => server.stop());

    async function create(t: Tenant, body = FULL_FIRM): Promise<{ res: Response; firm: Record<string, string> }> {
      const res = await server.as(t)(`/${t.bf}/firms.xml`, { method: 'POST', body });
      expect(res.status, res.text).to.equal(201);
      return { res, firm: firmOf(res.text) };
    }
    const show = (t: Tenant, id: string | number, ext = 'xml') => server.as(t)(`/${t.bf}/firms/${id}.${ext}`);
    const put = (t: Tenant, id: string | number, body: string, method = 'PUT') => server.as(t)(`/${t.bf}/firms/${id}.xml`, { method, body });
    const firmCount = async (t: Tenant) => Number((await server.db('firms').where('business_file_id', t.bf).count({ n: '*' }).first())?.n);
    const userId = async (t: Tenant) => String((await server.db('users').where('login', t.login).first()).id);

    describe('POST /{bf}/firms.xml', () => {
      it('answers 201 with Location and the stored firm, every element in the contract order', async () => {
        const t = await server.tenant();
        const { res, firm } = await create(t);
        expect(res.headers.get('content-type')).to.equal(XML_TYPE);
        expect(res.headers.get('location')).to.equal(`/${t.bf}/firms/${firm.id}.xml`);
        expect(res.text.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<firm>\n  <id>')).to.equal(true);
        expect(childNames(res.text, 'firm')).to.deep.equal(FIRM_FIELDS);
        const shown = await show(t, firm.id);
        expect(shown.status).to.equal(200);
        expect(shown.text).to.equal(res.text);
      });

      it('matches the golden document of the contract (fixtures/responses/firm.xml), ids and times aside', async () => {
        const t = await server.tenant();
        const { firm } = await create(t);
        // Two contacts name the firm, as in the contract's example.
        for (const name of ['One', 'Two']) await server.as(t)(`/${t.bf}/contacts.xml`, { method: 'POST', body: contactXml(name, `<firm_id>${firm.id}</firm_id>`) });
        const golden = normalized(fixture('responses/firm.xml'));
        expect(normalized((await show(t, firm.id)).text)).to.equal(golden);
      });

      it('sets name_soundex, contacts_count 0, creator_id and modifier_id to the API user, and the timestamps', async () => {
        const t = await server.tenant();
        const before = Date.now();
        const { firm } = await create(t, firmXml('Robert'));
        expect(firm.name_soundex).to.equal('R163');
        expect(firm.contacts_count).to.equal('0');
        expect(firm.creator_id).to.equal(await userId(t));
        expect(firm.modifier_id).to.equal(await userId(t));
        const [d, m, y, h, min] = firm.created_at.split('-').map(Number);
        expect(Math.abs(Date.UTC(y, m - 1, d, h, min) - before)).to.be.below(120_000);
        expect(firm.updated_at).to.equal(firm.created_at);
        expect(firm.firm_type).to.equal('');
        expect(firm.parent_firm_id).to.equal('');
      });

      it('computes the American Soundex of the name (H and W do not separate, prefixes are not skipped)', async () => {
        const t = await server.tenant();
        const cases: [string, string][] = [
          ['ACME', 'A250'],
          ['Robert', 'R163'],
          ['Rupert', 'R163'],
          ['Tymczak', 'T522'],
          ['Pfister', 'P236'],
          ['Ashcraft', 'A261'],
          ['Honeyman', 'H555'],
          ['Lee', 'L000'],
          ['acme sarl', 'A252'],
        ];
        for (const [name, code] of cases) {
          const { firm } = await create(t, firmXml(name));
          expect(firm.name_soundex, name).to.equal(code);
        }
      });

      it('ignores id, the derived fields and the service-kept fields in the body, and unknown elements', async () => {
        const t = await server.tenant();
        const { firm } = await create(
          t,
          firmXml(
            'Ignored',
            '<id>999999</id><name_soundex>Z999</name_soundex><contacts_count>42</contacts_count><creator_id>31337</creator_id><modifier_id>31337</modifier_id>' +
              '<created_at>01-01-2001-00-00</created_at><updated_at>01-01-2001-00-00</updated_at><model_firm_id>12</model_firm_id><favourite_colour>blue</favourite_colour>',
          ),
        );
        expect(firm.id).not.to.equal('999999');
        expect(firm.name_soundex).to.equal('I256');
        expect(firm.contacts_count).to.equal('0');
        expect(firm.creator_id).to.equal(await userId(t));
        expect(firm.created_at).not.to.equal('01-01-2001-00-00');
        expect(childNames((await show(t, firm.id)).text, 'firm')).to.deep.equal(FIRM_FIELDS);
      });

      it('reads an ActiveResource create: dasherized names, type and nil attributes, whitespace trimmed', async () => {
        const t = await server.tenant();
        const { firm } = await create(t, fixture('firms/valid/activeresource-dasherized.xml'));
        expect(firm.name).to.equal('Dasher & Co');
        expect(firm.firm_type).to.equal('prospect');
        expect(firm.firm_type2).to.equal('');
        expect(firm.siren).to.equal('987654321');
        expect(firm.accounting_ref).to.equal('411DASH');
        expect(firm.parent_firm_id).to.equal('');
        expect(firm.project_id).to.equal('41');
        expect(firm.remote_id).to.equal('DASH-1');
        expect(firm.name_soundex).to.equal('D262');
        expect(firm.contacts_count).to.equal('0');
        expect(firm.creator_id).to.equal(await userId(t));
        expect(firm.id).not.to.equal('777777');
      });

      it('keeps values byte for byte: leading zeros, accents, escaped characters', async () => {
        const t = await server.tenant();
        const { firm } = await create(t, firmXml('Épicerie &amp; Fils &lt;SA&gt;', '<siren>012345678</siren><accounting_ref>+0411</accounting_ref>'));
        const text = (await show(t, firm.id)).text;
        expect(text).to.contain('<name>Épicerie &amp; Fils &lt;SA&gt;</name>');
        expect(text).to.contain('<siren>012345678</siren>');
        expect(text).to.contain('<accounting_ref>+0411</accounting_ref>');
        expect(text).not.to.contain('&#');
      });

      for (const [file, messages] of Object.entries(INVALID)) {
        it(`answers 422 with every message for fixtures/firms/invalid/${file}, creating nothing`, async () => {
          const t = await server.tenant();
          const res = await server.as(t)(`/${t.bf}/firms.xml`, { method: 'POST', body: fixture(`firms/invalid/${file}`) });
          expect(expectXmlError(answer(res), 422)).to.have.members(messages);
          expect(errorsIn(res.text)).to.have.length(messages.length);
          expect(await firmCount(t)).to.equal(0);
        });
      }

      it('answers 422 "Remote id has already been taken" for a remote_id another firm of this business file has, not for another business file\'s', async () => {
        const a = await server.tenant();
        const b = await server.tenant();
        await create(a, firmXml('First', '<remote_id>F-1</remote_id>'));
        const res = await server.as(a)(`/${a.bf}/firms.xml`, { method: 'POST', body: firmXml('Second', '<remote_id>F-1</remote_id>') });
        expect(res.status).to.equal(422);
        expect(errorsIn(res.text)).to.deep.equal(['Remote id has already been taken']);
        await create(b, firmXml('Elsewhere', '<remote_id>F-1</remote_id>'));
        // A contact's remote_id is another namespace.
        expect((await server.as(a)(`/${a.bf}/contacts.xml`, { method: 'POST', body: contactXml('Contact', '<remote_id>F-1</remote_id>') })).status).to.equal(201);
      });

      it('answers 400 to malformed XML, a DOCTYPE and a root that is not <firm>', async () => {
        const t = await server.tenant();
        for (const body of ['<firm><name>A</nom></firm>', '<!DOCTYPE firm []><firm><name>A</name></firm>', fixture('firms/invalid/wrong-root.xml'), '<firms><firm><name>A</name></firm></firms>']) {
          const res = await server.as(t)(`/${t.bf}/firms.xml`, { method: 'POST', body });
          expectXmlError(answer(res), 400);
        }
        expect(await firmCount(t)).to.equal(0);
      });

      it("creates in the user's default business file through the short path /firms.xml", async () => {
        const t = await server.tenant();
        const res = await server.as(t)('/firms.xml', { method: 'POST', body: firmXml('Short') });
        expect(res.status, res.text).to.equal(201);
        expect(res.headers.get('location')).to.equal(`/${t.bf}/firms/${firmOf(res.text).id}.xml`);
        expect(await firmCount(t)).to.equal(1);
      });

      it('answers 413 to a firm body over 1 MiB, creating nothing', async () => {
        const t = await server.tenant();
        const res = await server.as(t)(`/${t.bf}/firms.xml`, { method: 'POST', body: firmXml('Big', `<batch>${'x'.repeat(1024 * 1024 + 10)}</batch>`) });
        expectXmlError(answer(res), 413);
        expect(await firmCount(t)).to.equal(0);
      });

      it('answers 415 to a body that is not XML', async () => {
        const t = await server.tenant();
        const res = await server.as(t)(`/${t.bf}/firms.xml`, { method: 'POST', body: 'name=ACME', contentType: 'text/plain' });
        expectXmlError(answer(res), 415);
      });
    });

    describe('PUT and PATCH /{bf}/firms/{id}.xml', () => {
      it('changes only the field sent, and moves updated_at and modifier_id', async () => {
        const t = await server.tenant();
        const { firm } = await create(t);
        await server.db('firms').where('id', Number(firm.id)).update({ updated_at: '2012-01-17 15:14:09', modifier_id: null });
        const res = await put(t, firm.id, '<firm><tva>FR99123456789</tva></firm>');
        expect(res.status, res.text).to.equal(200);
        const after = firmOf(res.text);
        expect(after.tva).to.equal('FR99123456789');
        expect(after.updated_at).not.to.equal('17-01-2012-15-14');
        expect(after.modifier_id).to.equal(await userId(t));
        expect({ ...after, tva: '', updated_at: '', modifier_id: '' }).to.deep.equal({ ...firm, tva: '', updated_at: '', modifier_id: '' });
        expect(res.text).to.equal((await show(t, firm.id)).text);
      });

      it('clears a field sent empty or nil, and recomputes name_soundex on a rename', async () => {
        const t = await server.tenant();
        const { firm } = await create(t);
        const res = await put(t, firm.id, '<firm><siren></siren><tva nil="true"/><name>Tymczak</name></firm>', 'PATCH');
        expect(res.status).to.equal(200);
        const after = firmOf(res.text);
        expect([after.siren, after.tva, after.name, after.name_soundex]).to.deep.equal(['', '', 'Tymczak', 'T522']);
      });

      it("answers 422 Name can't be blank to an emptied name, and changes nothing", async () => {
        const t = await server.tenant();
        const { firm } = await create(t);
        const before = (await show(t, firm.id)).text;
        const res = await put(t, firm.id, '<firm><name>  </name><siren>1</siren></firm>');
        expect(res.status).to.equal(422);
        expect(errorsIn(res.text)).to.deep.equal(["Name can't be blank"]);
        expect((await show(t, firm.id)).text).to.equal(before);
      });

      it('succeeds and changes nothing (updated_at, ETag) when the document read is PUT back, plain or ActiveResource-style', async () => {
        const t = await server.tenant();
        const { firm } = await create(t);
        const before = await show(t, firm.id);
        await sleep(1100);
        const plain = await put(t, firm.id, before.text);
        expect(plain.status, plain.text).to.equal(200);
        expect(plain.text).to.equal(before.text);
        expect(plain.headers.get('etag')).to.equal(before.headers.get('etag'));
        const dasherized = before.text
          .replace(/<(\/?)([a-z0-9_]+)>/g, (_, slash, name) => `<${slash}${name.replace(/_/g, '-')}>`)
          .replace(/<([a-z0-9-]+)><\/\1>/g, '<$1 nil="true"/>')
          .replace(/<(id|contacts-count|creator-id|modifier-id)>/g, '<$1 type="integer">');
        const ar = await put(t, firm.id, dasherized);
        expect(ar.status, ar.text).to.equal(200);
        expect(ar.text).to.equal(before.text);
        expect((await show(t, firm.id)).headers.get('etag')).to.equal(before.headers.get('etag'));
      });

      it("refuses to take another firm's remote_id, and searches by the new name only after a rename", async () => {
        const t = await server.tenant();
        await create(t, firmXml('Holder', '<remote_id>TAKEN</remote_id>'));
        const { firm } = await create(t, firmXml('Oldname Ltd'));
        const res = await put(t, firm.id, '<firm><remote_id>TAKEN</remote_id></firm>');
        expect(res.status).to.equal(422);
        expect(errorsIn(res.text)).to.deep.equal(['Remote id has already been taken']);
        expect((await put(t, firm.id, '<firm><name>Newname Ltd</name></firm>')).status).to.equal(200);
        const q = async (term: string) => (parseDoc((await server.as(t)(`/${t.bf}/firms.xml?q=${term}`)).text).firms.firm ?? []).map((f: { id: string }) => f.id);
        expect(await q('oldname')).to.deep.equal([]);
        expect(await q('newname')).to.deep.equal([firm.id]);
      });

      it('validates JSON input like XML: a string and a fraction for integer fields', async () => {
        const t = await server.tenant();
        const res = await server.as(t)(`/${t.bf}/firms.json`, { method: 'POST', body: JSON.stringify({ firm: { name: 'J', project_id: 'abc', parent_firm_id: 1.5 } }), contentType: 'application/json' });
        expect(expectJsonError(answer(res), 422)).to.have.members(['Project id is not a number', 'Parent firm id is not a number']);
        expect(await firmCount(t)).to.equal(0);
      });

      it('answers 404 to an unknown firm and to a contact id', async () => {
        const t = await server.tenant();
        const c = await server.as(t)(`/${t.bf}/contacts.xml`, { method: 'POST', body: contactXml('Not a firm') });
        const contactId = parseXml(c.text).contact[0].id;
        for (const id of ['999999999', contactId]) {
          expectXmlError(await (async () => { const r = await put(t, id, firmXml('X')); return answer(r); })(), 404);
          const g = await show(t, id);
          expect(g.status).to.equal(404);
        }
      });
    });

    describe('DELETE /{bf}/firms/{id}.xml', () => {
      it('answers 200 with an empty body; then GET, PUT and DELETE are 404', async () => {
        const t = await server.tenant();
        const { firm } = await create(t);
        const del = await server.as(t)(`/${t.bf}/firms/${firm.id}.xml`, { method: 'DELETE' });
        expect(del.status).to.equal(200);
        expect(del.text).to.equal('');
        expect((await show(t, firm.id)).status).to.equal(404);
        expect((await put(t, firm.id, firmXml('Back'))).status).to.equal(404);
        expect((await server.as(t)(`/${t.bf}/firms/${firm.id}.xml`, { method: 'DELETE' })).status).to.equal(404);
        expect(await firmCount(t)).to.equal(0);
      });
    });

    describe('GET and HEAD /{bf}/firms/{id}', () => {
      it('finds a firm by remote_id with ?lookup_field=remote_id', async () => {
        const t = await server.tenant();
        const { firm } = await create(t, firmXml('Remote', '<remote_id>ERP/42 é</remote_id>'));
        const res = await server.as(t)(`/${t.bf}/firms/${encodeURIComponent('ERP/42 é')}.xml?lookup_field=remote_id`);
        expect(res.status).to.equal(200);
        expect(firmOf(res.text).id).to.equal(firm.id);
        expect((await server.as(t)(`/${t.bf}/firms/nope.xml?lookup_field=remote_id`)).status).to.equal(404);
      });

      it('updates and deletes a firm addressed by remote_id with ?lookup_field=remote_id', async () => {
        const t = await server.tenant();
        const { firm } = await create(t, firmXml('Addressed', '<remote_id>ERP-7</remote_id>'));
        const path = `/${t.bf}/firms/ERP-7.xml?lookup_field=remote_id`;
        const updated = await server.as(t)(path, { method: 'PUT', body: '<firm><siren>111</siren></firm>' });
        expect(updated.status, updated.text).to.equal(200);
        expect(firmOf(updated.text)).to.deep.include({ id: firm.id, siren: '111' });
        const patched = await server.as(t)(path, { method: 'PATCH', body: '<firm><tva>FR1</tva></firm>' });
        expect(firmOf(patched.text)).to.deep.include({ id: firm.id, tva: 'FR1', siren: '111' });
        expect((await server.as(t)(path, { method: 'DELETE' })).status).to.equal(200);
        expect((await show(t, firm.id)).status).to.equal(404);
        expect((await server.as(t)(path)).status).to.equal(404);
      });

      it('serves the short path and picks the format from Accept without an extension', async () => {
        const t = await server.tenant();
        const { firm, res } = await create(t);
        expect((await server.as(t)(`/firms/${firm.id}.xml`)).text).to.equal(res.text);
        expect((await server.as(t)(`/${t.bf}/firms/${firm.id}`)).text).to.equal(res.text);
        const json = await server.as(t)(`/${t.bf}/firms/${firm.id}`, { headers: { Accept: 'application/json' } });
        expect(json.headers.get('content-type')).to.equal('application/json; charset=utf-8');
        expect(JSON.parse(json.text).firm.id).to.equal(Number(firm.id));
      });

      it('answers HEAD with the GET status and headers and no body', async () => {
        const t = await server.tenant();
        const { firm } = await create(t);
        const get = await show(t, firm.id);
        const head = await server.as(t)(`/${t.bf}/firms/${firm.id}.xml`, { method: 'HEAD' });
        expect(head.status).to.equal(200);
        expect(head.text).to.equal('');
        expect(head.headers.get('content-type')).to.equal(get.headers.get('content-type'));
        expect(head.headers.get('content-length')).to.equal(String(Buffer.byteLength(get.text)));
        expect(head.headers.get('etag')).to.equal(get.headers.get('etag'));
        expect((await server.as(t)(`/${t.bf}/firms/999999999.xml`, { method: 'HEAD' })).status).to.equal(404);
        expect((await server.as(t)(`/${t.bf}/firms.xml`, { method: 'HEAD' })).status).to.equal(200);
      });

      it('answers 405 with Allow to POST on a firm path and DELETE on the list', async () => {
        const t = await server.tenant();
        const { firm } = await create(t);
        const allow = (r: Response) => (r.headers.get('allow') ?? '').split(/\s*,\s*/).map((m) => m.toUpperCase());
        const post = await server.as(t)(`/${t.bf}/firms/${firm.id}.xml`, { method: 'POST', body: firmXml('X') });
        expectXmlError(answer(post), 405);
        expect(allow(post)).to.include.members(['GET', 'PUT', 'PATCH', 'DELETE']);
        const del = await server.as(t)(`/${t.bf}/firms.xml`, { method: 'DELETE' });
        expectXmlError(answer(del), 405);
        expect(allow(del)).to.include.members(['GET', 'POST']);
      });
    });

    describe('JSON', () => {
      it('mirrors the XML document: {"firm": {…}}, the same names in the same order, integers as numbers, empty as null, ISO 8601 times', async () => {
        const t = await server.tenant();
        const { firm } = await create(t);
        const res = await show(t, firm.id, 'json');
        expect(res.status).to.equal(200);
        expect(res.headers.get('content-type')).to.equal('application/json; charset=utf-8');
        const body = JSON.parse(res.text);
        expect(Object.keys(body)).to.deep.equal(['firm']);
        expect(Object.keys(body.firm)).to.deep.equal(FIRM_FIELDS);
        expect(body.firm.id).to.equal(Number(firm.id));
        expect(body.firm.name).to.equal('ACME');
        expect(body.firm.firm_type2).to.equal(null);
        expect(body.firm.parent_firm_id).to.equal(null);
        expect(body.firm.contacts_count).to.equal(0);
        expect(body.firm.siren).to.equal('123456789');
        expect(body.firm.name_soundex).to.equal('A250');
        expect(body.firm.creator_id).to.equal(Number(await userId(t)));
        expect(body.firm.created_at).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
        expect(res.headers.get('etag')).to.equal((await show(t, firm.id)).headers.get('etag'));
      });

      it('takes {"firm": {…}} on POST and PUT, and an XML body on a .json path', async () => {
        const t = await server.tenant();
        const created = await server.as(t)(`/${t.bf}/firms.json`, { method: 'POST', body: JSON.stringify({ firm: { name: 'Json SA', firm_type: 'press', project_id: 7 } }), contentType: 'application/json' });
        expect(created.status, created.text).to.equal(201);
        const firm = JSON.parse(created.text).firm;
        expect([firm.name, firm.firm_type, firm.project_id]).to.deep.equal(['Json SA', 'press', 7]);
        expect(created.headers.get('location')).to.match(new RegExp(`^/${t.bf}/firms/${firm.id}\\.json$|^/${t.bf}/firms/${firm.id}\\.xml$`));
        const updated = await server.as(t)(`/${t.bf}/firms/${firm.id}.json`, { method: 'PUT', body: JSON.stringify({ firm: { tva: 'FR00', project_id: null } }), contentType: 'application/json' });
        expect(updated.status, updated.text).to.equal(200);
        expect(JSON.parse(updated.text).firm.tva).to.equal('FR00');
        expect(JSON.parse(updated.text).firm.project_id).to.equal(null);
        const xmlBody = await server.as(t)(`/${t.bf}/firms.json`, { method: 'POST', body: firmXml('Xml In Json Out') });
        expect(xmlBody.status).to.equal(201);
        expect(JSON.parse(xmlBody.text).firm.name).to.equal('Xml In Json Out');
        const invalid = await server.as(t)(`/${t.bf}/firms.json`, { method: 'POST', body: JSON.stringify({ firm: { name: '' } }), contentType: 'application/json' });
        expect(expectJsonError(answer(invalid), 422)).to.deep.equal(["Name can't be blank"]);
      });
    });

    describe('conditional requests', () => {
      it('gives every firm response an ETag; If-None-Match answers 304; a stale If-Match answers 412 and changes nothing', async () => {
        const t = await server.tenant();
        const { firm, res } = await create(t);
        const etag = res.headers.get('etag') as string;
        expect(etag).to.match(/^"[^"]+"$/);
        const notModified = await server.as(t)(`/${t.bf}/firms/${firm.id}.xml`, { headers: { 'If-None-Match': etag } });
        expect(notModified.status).to.equal(304);
        expect(notModified.text).to.equal('');
        const changed = await server.as(t)(`/${t.bf}/firms/${firm.id}.xml`, { method: 'PUT', body: firmXml('ACME 2'), headers: { 'If-Match': etag } });
        expect(changed.status).to.equal(200);
        expect(changed.headers.get('etag')).not.to.equal(etag);
        const before = await show(t, firm.id);
        for (const method of ['PUT', 'PATCH', 'DELETE']) {
          const r = await server.as(t)(`/${t.bf}/firms/${firm.id}.xml`, { method, body: method === 'DELETE' ? undefined : firmXml('Lost'), headers: { 'If-Match': etag } });
          expect(r.status, method).to.equal(412);
          expect(r.text).to.contain('<errors>');
        }
        expect((await show(t, firm.id)).text).to.equal(before.text);
        expect((await server.as(t)(`/${t.bf}/firms/${firm.id}.xml`, { headers: { 'If-None-Match': etag } })).status).to.equal(200);
      });
    });

    describe('Idempotency-Key on POST', () => {
      it('replays the first answer to a retry with the same key and body; another body with the key is 422', async () => {
        const t = await server.tenant();
        const post = (body: string) => server.as(t)(`/${t.bf}/firms.xml`, { method: 'POST', body, headers: { 'Idempotency-Key': 'firm-key-1' } });
        const first = await post(firmXml('Once'));
        expect(first.status).to.equal(201);
        const retry = await post(firmXml('Once'));
        expect(retry.status).to.equal(201);
        expect(retry.text).to.equal(first.text);
        expect(retry.headers.get('location')).to.equal(first.headers.get('location'));
        expect(await firmCount(t)).to.equal(1);
        const other = await post(firmXml('Twice'));
        expect(other.status).to.equal(422);
        expect(errorsIn(other.text)).to.deep.equal(['Idempotency-Key has already been used with another request']);
        expect(await firmCount(t)).to.equal(1);
      });
    });

    describe('Idempotency-Key shared by a contact and a firm', () => {
      it('never replays a contact answer to a firm POST with the same key: 422, no firm created', async () => {
        const t = await server.tenant();
        const key = 'cross-resource-key';
        const contact = await server.as(t)(`/${t.bf}/contacts.xml`, { method: 'POST', body: contactXml('Keyed'), headers: { 'Idempotency-Key': key } });
        expect(contact.status).to.equal(201);
        const firm = await server.as(t)(`/${t.bf}/firms.xml`, { method: 'POST', body: firmXml('Keyed'), headers: { 'Idempotency-Key': key } });
        expect(firm.status, firm.text).to.equal(422);
        expect(firm.text).not.to.contain('<contact>');
        expect(await firmCount(t)).to.equal(0);
      });
    });

    describe('tenancy', () => {
      it('answers 403 for a business file the user does not belong to, and 404 for another business file\'s firm, changing nothing', async () => {
        const a = await server.tenant();
        const b = await server.tenant();
        const { firm } = await create(a);
        const before = (await show(a, firm.id)).text;
        expect((await server.as(b)(`/${a.bf}/firms.xml`)).status).to.equal(403);
        expect((await server.as(b)(`/${a.bf}/firms/${firm.id}.xml`)).status).to.equal(403);
        expect((await server.as(b)(`/${a.bf}/firms.xml`, { method: 'POST', body: firmXml('Intruder') })).status).to.equal(403);
        expect((await server.as(b)(`/firms/show/${a.bf}/${firm.id}.xml`)).status).to.equal(403);
        for (const [method, body] of [['GET', undefined], ['PUT', firmXml('Hijack')], ['PATCH', firmXml('Hijack')], ['DELETE', undefined]] as const) {
          expect((await server.as(b)(`/${b.bf}/firms/${firm.id}.xml`, { method, body })).status, method).to.equal(404);
          expect((await server.as(b)(`/firms/${firm.id}.xml`, { method, body })).status, `short ${method}`).to.equal(404);
        }
        expect((await server.as(b)(`/${b.bf}/firms/FIRM_3.xml?lookup_field=remote_id`)).status).to.equal(404);
        expect((await server.as(a)(`/${a.bf}/firms.xml`, { auth: false })).status).to.equal(401);
        expect((await show(a, firm.id)).text).to.equal(before);
        expect(await firmCount(b)).to.equal(0);
      });
    });
  });
});
