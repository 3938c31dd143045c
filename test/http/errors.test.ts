// Error statuses over HTTP (contract section 6): 400, 404, 405, 413, 415 and 500, each with a
// body in the request's format: `<errors><error>…</error></errors>` or `{"errors": […]}`.
import { expect } from 'chai';
import http from 'node:http';
import { forEachEngine } from '../support/engines.js';
import { FULL_CONTACT, contactXml, errorsOf, field, parseXml } from '../support/contacts.js';
import type { Response } from '../support/http.js';
import { TestServer, type Tenant } from '../support/server.js';

const XML_TYPE = 'application/xml; charset=utf-8';
const JSON_TYPE = 'application/json; charset=utf-8';
const ERRORS_START = /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<errors>\n/;
const MIB = 1024 * 1024;

/** An XML error answer: status, Content-Type, `<errors>` without attributes, ≥ 1 message. */
function expectXmlError(res: Response | RawResponse, status: number): string[] {
  expect(res.status, res.text).to.equal(status);
  expect(header(res, 'content-type')).to.equal(XML_TYPE);
  expect(res.text).to.match(ERRORS_START);
  expect(res.text.trimEnd().endsWith('</errors>'), res.text).to.equal(true);
  const messages = errorsOf(res.text);
  expect(messages, res.text).to.have.length.greaterThan(0);
  for (const m of messages) expect(m).to.be.a('string').and.not.equal('');
  return messages;
}

/** A JSON error answer: `{"errors": ["…"]}` and nothing else. */
function expectJsonError(res: Response | RawResponse, status: number): string[] {
  expect(res.status, res.text).to.equal(status);
  expect(header(res, 'content-type')).to.equal(JSON_TYPE);
  const body = JSON.parse(res.text);
  expect(Object.keys(body)).to.deep.equal(['errors']);
  expect(body.errors).to.be.an('array').with.length.greaterThan(0);
  for (const m of body.errors) expect(m).to.be.a('string').and.not.equal('');
  return body.errors;
}

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

function header(res: Response | RawResponse, name: string): string | null {
  if (res.headers instanceof Headers) return res.headers.get(name);
  const v = res.headers[name.toLowerCase()];
  return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
}

/**
 * A request over a plain socket with exactly the given headers (fetch adds a Content-Type to
 * string bodies) and, when `chunks` is given, a chunked body without Content-Length. The answer
 * counts even if the server stops reading the body early (413).
 */
function raw(baseUrl: string, path: string, options: { method: string; headers?: Record<string, string>; body?: Buffer | string; chunks?: Buffer[] }): Promise<RawResponse> {
  const url = new URL(path, baseUrl);
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = http.request(
      { host: url.hostname, port: url.port, path: url.pathname + url.search, method: options.method, headers: options.headers ?? {}, agent: false },
      (res) => {
        answered = true;
        const parts: Buffer[] = [];
        res.on('data', (d: Buffer) => parts.push(d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(parts).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    if (options.chunks) {
      (async () => {
        for (const chunk of options.chunks ?? []) {
          if (answered || req.destroyed) break;
          if (!req.write(chunk)) await new Promise((r) => req.once('drain', r));
        }
        req.end();
      })().catch(() => {});
    } else {
      if (options.body !== undefined) req.setHeader('Content-Length', Buffer.byteLength(options.body));
      req.end(options.body);
    }
  });
}

describe('error statuses over HTTP', () => {
  forEachEngine((engine) => {
    let server: TestServer;
    let t: Tenant;
    let req: ReturnType<TestServer['as']>;
    let contactPath: string;
    let contactId: string;

    before(async () => {
      server = await TestServer.start(engine);
      t = await server.tenant();
      req = server.as(t);
      const res = await req(`/${t.bf}/contacts.xml`, { method: 'POST', body: FULL_CONTACT });
      expect(res.status, res.text).to.equal(201);
      contactPath = res.headers.get('location') as string;
      contactId = field(res.text, 'id');
    });
    after(() => server.stop());

    async function totalEntries(): Promise<number> {
      const res = await req(`/${t.bf}/contacts.xml`);
      expect(res.status).to.equal(200);
      return Number(parseXml(res.text).contacts.pagination.total_entries);
    }

    describe('400 malformed XML', () => {
      const post = (body: string | Buffer) => req(`/${t.bf}/contacts.xml`, { method: 'POST', body });

      it('gives the line and column of a mismatched closing tag', async () => {
        const [message] = expectXmlError(await post('<contact>\n  <last_name>Bouvet</last_nam>\n</contact>\n'), 400);
        expect(message).to.match(/\bline 2\b/i);
        expect(message).to.match(/\bcolumn \d+/i);
      });

      it('gives the line and column of an unclosed root', async () => {
        const [message] = expectXmlError(await post('<contact>\n<last_name>Bouvet</last_name>\n'), 400);
        expect(message).to.match(/\bline \d+/i);
        expect(message).to.match(/\bcolumn \d+/i);
      });

      it('gives the line and column of an undefined entity and of a bare ampersand', async () => {
        let [message] = expectXmlError(await post('<contact>\n\n  <last_name>Bouvet &eacute;</last_name>\n</contact>'), 400);
        expect(message).to.match(/\bline 3\b/i);
        expect(message).to.match(/\bcolumn \d+/i);
        [message] = expectXmlError(await post('<contact>\n  <last_name>Bouvet & Co</last_name>\n</contact>'), 400);
        expect(message).to.match(/\bline 2\b/i);
        expect(message).to.match(/\bcolumn \d+/i);
      });

      it('answers 400 for text that is not XML, an empty body, and two roots', async () => {
        expectXmlError(await post('last_name=Bouvet'), 400);
        expectXmlError(await post(''), 400);
        expectXmlError(await post('<contact><last_name>A</last_name></contact><contact><last_name>B</last_name></contact>'), 400);
      });

      it('answers 400 for "]]>" in character data (not well-formed XML) and creates nothing', async () => {
        const before = await totalEntries();
        const [message] = expectXmlError(await post('<contact>\n  <last_name>A ]]> B</last_name>\n</contact>'), 400);
        expect(message).to.match(/\bline 2\b/i);
        expect(message).to.match(/\bcolumn \d+/i);
        expect(await totalEntries()).to.equal(before);
      });

      it('answers 400 for other well-formedness errors: text outside the root, a bad name, a repeated attribute', async () => {
        for (const body of [
          '<contact><last_name>A</last_name></contact>trailing',
          'leading<contact><last_name>A</last_name></contact>',
          '<contact><1abc>x</1abc><last_name>A</last_name></contact>',
          '<contact a="1" a="2"><last_name>A</last_name></contact>',
          '\n<?xml version="1.0"?><contact><last_name>A</last_name></contact>',
        ]) {
          const [message] = expectXmlError(await post(body), 400);
          expect(message, body).to.match(/\bline \d+/i);
          expect(message, body).to.match(/\bcolumn \d+/i);
        }
      });

      it('answers 400 for raw characters XML does not allow (U+FFFE, U+FFFF) and stores nothing', async () => {
        // Stored, they would make every later answer about this contact ill-formed XML.
        const before = await totalEntries();
        for (const body of ['<contact><last_name>A\uFFFE</last_name></contact>', '<contact><last_name>A</last_name><city>\uFFFF</city><comment>B\uFFFF</comment></contact>']) {
          const res = await post(Buffer.from(body, 'utf8'));
          expect(res.status, res.text).to.be.oneOf([400, 422]);
          expect(res.text).to.match(ERRORS_START);
        }
        expect(await totalEntries()).to.equal(before);
      });

      it('answers 400 for malformed XML on PUT and changes nothing', async () => {
        const before = await req(contactPath);
        const [message] = expectXmlError(await req(contactPath, { method: 'PUT', body: '<contact>\n<first_name>X</first_name>\n<last_name>Y</contact>' }), 400);
        expect(message).to.match(/\bline \d+/i);
        expect(message).to.match(/\bcolumn \d+/i);
        expect((await req(contactPath)).text).to.equal(before.text);
      });

      it('creates nothing', async () => {
        const before = await totalEntries();
        await post('<contact><last_name>Broken</last_name>');
        expect(await totalEntries()).to.equal(before);
      });
    });

    describe('400 DOCTYPE', () => {
      const doctypes = {
        'a bare DOCTYPE': '<?xml version="1.0"?>\n<!DOCTYPE contact>\n<contact><last_name>Doc</last_name></contact>',
        'an internal entity': '<!DOCTYPE contact [<!ENTITY who "Bouvet">]>\n<contact><last_name>&who;</last_name></contact>',
        'an external entity (XXE)': '<!DOCTYPE contact [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n<contact><last_name>&xxe;</last_name></contact>',
        'a SYSTEM DTD': '<!DOCTYPE contact SYSTEM "http://127.0.0.1:1/contact.dtd">\n<contact><last_name>Doc</last_name></contact>',
        'entity expansion (billion laughs)':
          '<!DOCTYPE contact [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>\n<contact><last_name>&c;</last_name></contact>',
      };
      for (const [name, body] of Object.entries(doctypes)) {
        it(`refuses ${name} on POST and creates nothing`, async () => {
          const before = await totalEntries();
          expectXmlError(await req(`/${t.bf}/contacts.xml`, { method: 'POST', body }), 400);
          expect(await totalEntries()).to.equal(before);
        });
      }

      it('refuses a DOCTYPE on PUT and changes nothing', async () => {
        const before = await req(contactPath);
        expectXmlError(await req(contactPath, { method: 'PUT', body: '<!DOCTYPE contact>\n<contact><first_name>Changed</first_name></contact>' }), 400);
        expect((await req(contactPath)).text).to.equal(before.text);
      });
    });

    describe('400 wrong root', () => {
      it('refuses <person> on POST', async () => {
        const [message] = expectXmlError(await req(`/${t.bf}/contacts.xml`, { method: 'POST', body: '<person><last_name>Bouvet</last_name></person>' }), 400);
        expect(message).to.contain('contact');
      });

      it('refuses a <contacts> list on POST and <person> on PUT', async () => {
        const before = await totalEntries();
        expectXmlError(await req(`/${t.bf}/contacts.xml`, { method: 'POST', body: `<contacts>${contactXml('A')}</contacts>` }), 400);
        expect(await totalEntries()).to.equal(before);
        const shown = await req(contactPath);
        expectXmlError(await req(contactPath, { method: 'PUT', body: '<person><first_name>Changed</first_name></person>' }), 400);
        expect((await req(contactPath)).text).to.equal(shown.text);
      });
    });

    describe('400 bad query parameters', () => {
      for (const query of ['page=0', 'per_page=501', 'page=abc', 'sort=nope', 'per_page=0', 'page=-1', 'page=1.5', 'per_page=1e2', 'sort=last_name:up', 'sort=id,nope', 'page=1&page=2', 'updated_since=yesterday']) {
        it(`answers 400 for ?${query}`, async () => {
          expectXmlError(await req(`/${t.bf}/contacts.xml?${query}`), 400);
        });
      }

      it('answers 400 on the old-style list alias and the short path too', async () => {
        expectXmlError(await req(`/contacts/list/${t.bf}.xml?page=0`), 400);
        expectXmlError(await req(`/contacts.xml?per_page=501`), 400);
      });

      it('accepts the limits and ignores unknown parameters', async () => {
        for (const query of ['per_page=500', 'page=1&per_page=1', 'sort=last_name:desc,id', 'page=99', 'foo=bar&utf8=%E2%9C%93']) {
          const res = await req(`/${t.bf}/contacts.xml?${query}`);
          expect(res.status, `${query}: ${res.text}`).to.equal(200);
          expect(res.text).to.contain('<contacts type="array">');
        }
      });
    });

    describe('404', () => {
      it('answers 404 for an unknown path', async () => {
        for (const path of ['/nope.xml', `/${t.bf}/widgets.xml`, `/${t.bf}/contacts/${contactId}/extra.xml`, '/contacts/list.xml/x']) {
          expectXmlError(await req(path), 404);
        }
      });

      it('answers 404 for an unknown contact on GET, PUT and DELETE', async () => {
        const missing = `/${t.bf}/contacts/999999999.xml`;
        expectXmlError(await req(missing), 404);
        expectXmlError(await req(missing, { method: 'PUT', body: contactXml('Ghost') }), 404);
        expectXmlError(await req(missing, { method: 'DELETE' }), 404);
        expectXmlError(await req(`/${t.bf}/contacts/NO-SUCH-REMOTE.xml?lookup_field=remote_id`), 404);
      });

      it('answers 404 for a non-numeric, zero, negative or huge id', async () => {
        for (const id of ['abc', '0', '-1', '1.5', '12abc', '0x1F', '99999999999999999999']) {
          expectXmlError(await req(`/${t.bf}/contacts/${id}.xml`), 404);
        }
        expectXmlError(await req(`/${t.bf}/contacts/abc.xml`, { method: 'PUT', body: contactXml('X') }), 404);
        expectXmlError(await req(`/${t.bf}/contacts/abc.xml`, { method: 'DELETE' }), 404);
      });

      it('answers 404 to a second DELETE and a GET after it', async () => {
        const created = await req(`/${t.bf}/contacts.xml`, { method: 'POST', body: contactXml('Doomed') });
        const path = created.headers.get('location') as string;
        expect((await req(path, { method: 'DELETE' })).status).to.equal(200);
        expectXmlError(await req(path, { method: 'DELETE' }), 404);
        expectXmlError(await req(path), 404);
      });
    });

    describe('405 with Allow', () => {
      const allowOf = (res: Response) => (res.headers.get('allow') ?? '').split(/\s*,\s*/).filter(Boolean).map((m) => m.toUpperCase());

      it('DELETE on the list path', async () => {
        const res = await req(`/${t.bf}/contacts.xml`, { method: 'DELETE' });
        expectXmlError(res, 405);
        expect(allowOf(res)).to.include.members(['GET', 'POST']);
        expect(allowOf(res)).not.to.include('DELETE');
      });

      it('PUT on the short list path and on the old-style list alias', async () => {
        let res = await req('/contacts.xml', { method: 'PUT', body: contactXml('X') });
        expectXmlError(res, 405);
        expect(allowOf(res)).to.include.members(['GET', 'POST']);
        res = await req(`/contacts/list/${t.bf}.xml`, { method: 'PUT', body: contactXml('X') });
        expectXmlError(res, 405);
        expect(allowOf(res)).to.include('GET');
        expect(allowOf(res)).not.to.include('PUT');
      });

      it('PATCH on /contacts/show/{bf}/{id}.xml (the alias takes GET, PUT, DELETE) and changes nothing', async () => {
        const before = await req(contactPath);
        const res = await req(`/contacts/show/${t.bf}/${contactId}.xml`, { method: 'PATCH', body: '<contact><first_name>Patched</first_name></contact>' });
        expectXmlError(res, 405);
        expect(allowOf(res)).to.include.members(['GET', 'PUT', 'DELETE']);
        expect(allowOf(res)).not.to.include('PATCH');
        expect((await req(contactPath)).text).to.equal(before.text);
      });

      it('POST on a contact path', async () => {
        const res = await req(contactPath, { method: 'POST', body: contactXml('X') });
        expectXmlError(res, 405);
        expect(allowOf(res)).to.include.members(['GET', 'PUT', 'PATCH', 'DELETE']);
        expect(allowOf(res)).not.to.include('POST');
      });

      it('POST on /lookups.xml, in JSON on .json', async () => {
        let res = await req('/lookups.xml', { method: 'POST', body: contactXml('X') });
        expectXmlError(res, 405);
        expect(allowOf(res)).to.include('GET');
        res = await req(`/${t.bf}/contacts.json`, { method: 'DELETE' });
        expectJsonError(res, 405);
        expect(allowOf(res)).to.include.members(['GET', 'POST']);
      });
    });

    describe('413', () => {
      const big = (size: number) => {
        const head = '<contact><last_name>Big</last_name><padding>';
        const tail = '</padding></contact>';
        return head + 'x'.repeat(size - head.length - tail.length) + tail;
      };

      it('answers 413 for a body over 1 MiB (with Content-Length) and creates nothing', async () => {
        const before = await totalEntries();
        const res = await raw(server.url, `/${t.bf}/contacts.xml`, { method: 'POST', headers: { Authorization: t.auth, 'Content-Type': 'application/xml' }, body: big(MIB + 1) });
        expectXmlError(res, 413);
        expect(await totalEntries()).to.equal(before);
      });

      it('answers 413 for a chunked body that grows over 1 MiB', async () => {
        const body = Buffer.from(big(3 * MIB));
        const chunks: Buffer[] = [];
        for (let i = 0; i < body.length; i += 64 * 1024) chunks.push(body.subarray(i, i + 64 * 1024));
        const res = await raw(server.url, `/${t.bf}/contacts.xml`, { method: 'POST', headers: { Authorization: t.auth, 'Content-Type': 'application/xml', 'Transfer-Encoding': 'chunked' }, chunks });
        expectXmlError(res, 413);
      });

      it('answers 413 on PUT too, and changes nothing', async () => {
        const before = await req(contactPath);
        const res = await req(contactPath, { method: 'PUT', body: big(2 * MIB) });
        expectXmlError(res, 413);
        expect((await req(contactPath)).text).to.equal(before.text);
      });

      it('accepts a body just under 1 MiB', async () => {
        const res = await req(`/${t.bf}/contacts.xml`, { method: 'POST', body: big(MIB - 64) });
        expect(res.status, res.text.slice(0, 500)).to.equal(201);
      });
    });

    describe('415', () => {
      const post = (contentType: string | undefined, body: string | Buffer = contactXml('Typed')) =>
        raw(server.url, `/${t.bf}/contacts.xml`, { method: 'POST', headers: { Authorization: t.auth, ...(contentType !== undefined && { 'Content-Type': contentType }) }, body });

      it('answers 415 for text/plain', async () => {
        expectXmlError(await post('text/plain'), 415);
        expectXmlError(await post('text/plain; charset=utf-8'), 415);
      });

      it('answers 415 for a charset other than UTF-8', async () => {
        expectXmlError(await post('application/xml; charset=iso-8859-1', Buffer.from('<contact><last_name>Bouvet Ad\xe8le</last_name></contact>', 'latin1')), 415);
        expectXmlError(await post('text/xml; charset=utf-16'), 415);
      });

      it('answers 415 for a document that declares another encoding (ASCII content)', async () => {
        expectXmlError(await post('application/xml', '<?xml version="1.0" encoding="ISO-8859-1"?>\n<contact><last_name>Adele</last_name></contact>'), 415);
        expectXmlError(await post('application/xml', "<?xml version='1.0' encoding='windows-1252'?><contact><last_name>Adele</last_name></contact>"), 415);
      });

      it('answers 415 for a document that declares another encoding and uses it (Latin-1 bytes)', async () => {
        // A legacy PHP client sending real ISO-8859-1: the charset is the problem, not broken UTF-8.
        expectXmlError(await post('application/xml', Buffer.from('<?xml version="1.0" encoding="ISO-8859-1"?>\n<contact><last_name>Ad\xe8le</last_name></contact>', 'latin1')), 415);
      });

      it('answers 415 for a POST without Content-Type', async () => {
        expectXmlError(await post(undefined), 415);
      });

      it('answers 415 for JSON or a form on .xml', async () => {
        expectXmlError(await post('application/json', '{"contact":{"last_name":"X"}}'), 415);
        expectXmlError(await post('application/x-www-form-urlencoded', 'last_name=X'), 415);
      });

      it('answers 415 on PUT and changes nothing', async () => {
        const before = await req(contactPath);
        expectXmlError(await raw(server.url, contactPath, { method: 'PUT', headers: { Authorization: t.auth, 'Content-Type': 'text/plain' }, body: '<contact><first_name>Changed</first_name></contact>' }), 415);
        expectXmlError(await raw(server.url, contactPath, { method: 'PUT', headers: { Authorization: t.auth }, body: '<contact><first_name>Changed</first_name></contact>' }), 415);
        expect((await req(contactPath)).text).to.equal(before.text);
      });

      it('accepts application/xml, text/xml, */*+xml and charset=utf-8 in any case', async () => {
        for (const type of ['application/xml', 'text/xml', 'application/vnd.contacts+xml', 'application/xml; charset=utf-8', 'application/xml; charset=UTF-8', 'text/xml;charset="utf-8"']) {
          const res = await post(type);
          expect(res.status, `${type}: ${res.text}`).to.equal(201);
        }
      });
    });

    describe('400 invalid UTF-8', () => {
      it('answers 400 for invalid bytes and creates nothing', async () => {
        const before = await totalEntries();
        for (const bad of [Buffer.from([0xff, 0xfe]), Buffer.from([0xc3, 0x28]), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from([0xe9])]) {
          const body = Buffer.concat([Buffer.from('<contact><last_name>Bad'), bad, Buffer.from('</last_name></contact>')]);
          expectXmlError(await req(`/${t.bf}/contacts.xml`, { method: 'POST', body }), 400);
        }
        expect(await totalEntries()).to.equal(before);
      });

      it('answers 400 for invalid bytes on PUT and changes nothing', async () => {
        const before = await req(contactPath);
        const body = Buffer.concat([Buffer.from('<contact><first_name>'), Buffer.from([0xc0, 0xaf]), Buffer.from('</first_name></contact>')]);
        expectXmlError(await req(contactPath, { method: 'PUT', body }), 400);
        expect((await req(contactPath)).text).to.equal(before.text);
      });

      it('accepts a UTF-8 byte-order mark', async () => {
        const body = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('<?xml version="1.0" encoding="UTF-8"?>\n' + contactXml('Bommed'))]);
        const res = await req(`/${t.bf}/contacts.xml`, { method: 'POST', body });
        expect(res.status, res.text).to.equal(201);
        expect(field(res.text, 'last_name')).to.equal('Bommed');
      });
    });

    describe('Content-Type on GET and DELETE without a body', () => {
      it('is ignored on GET of a list and of a contact', async () => {
        const headers = { 'Content-Type': 'application/xml' };
        const list = await req(`/${t.bf}/contacts.xml`, { headers });
        expect(list.status, list.text).to.equal(200);
        expect(list.text).to.contain('<contacts type="array">');
        const one = await req(contactPath, { headers });
        expect(one.status, one.text).to.equal(200);
        expect(field(one.text, 'id')).to.equal(contactId);
      });

      it('is ignored on DELETE', async () => {
        const created = await req(`/${t.bf}/contacts.xml`, { method: 'POST', body: contactXml('Bye') });
        const path = created.headers.get('location') as string;
        const res = await raw(server.url, path, { method: 'DELETE', headers: { Authorization: t.auth, 'Content-Type': 'application/xml' } });
        expect(res.status, res.text).to.equal(200);
        expect(res.text).to.equal('');
        expect((await req(path)).status).to.equal(404);
      });
    });

    describe('.json errors', () => {
      it('404 unknown contact and unknown path', async () => {
        expectJsonError(await req(`/${t.bf}/contacts/999999999.json`), 404);
        expectJsonError(await req('/nope.json'), 404);
      });

      it('400 bad query parameters', async () => {
        expectJsonError(await req(`/${t.bf}/contacts.json?page=0`), 400);
        expectJsonError(await req(`/${t.bf}/contacts.json?sort=nope`), 400);
      });

      it('400 malformed JSON and 415 for text/plain', async () => {
        expectJsonError(await req(`/${t.bf}/contacts.json`, { method: 'POST', body: '{"contact": {', contentType: 'application/json' }), 400);
        expectJsonError(await raw(server.url, `/${t.bf}/contacts.json`, { method: 'POST', headers: { Authorization: t.auth, 'Content-Type': 'text/plain' }, body: '{"contact":{"last_name":"X"}}' }), 415);
      });

      it('422 validation', async () => {
        const messages = expectJsonError(await req(`/${t.bf}/contacts.json`, { method: 'POST', body: JSON.stringify({ contact: { last_name: '', firm_id: '0x1F' } }), contentType: 'application/json' }), 422);
        expect(messages).to.have.members(["Last name can't be blank", 'Firm id is not a number']);
      });

      it('413 for a JSON body over 1 MiB', async () => {
        const body = JSON.stringify({ contact: { last_name: 'Big', padding: 'x'.repeat(MIB) } });
        expectJsonError(await req(`/${t.bf}/contacts.json`, { method: 'POST', body, contentType: 'application/json' }), 413);
      });

      it('400 for a DOCTYPE in an XML body sent to .json', async () => {
        expectJsonError(await req(`/${t.bf}/contacts.json`, { method: 'POST', body: '<!DOCTYPE contact>\n<contact><last_name>X</last_name></contact>' }), 400);
      });
    });

    describe('HEAD on GET paths', () => {
      const compare = async (path: string, status: number) => {
        const get = await req(path);
        const head = await req(path, { method: 'HEAD' });
        expect(get.status).to.equal(status);
        expect(head.status).to.equal(status);
        expect(head.text).to.equal('');
        for (const [name, value] of get.headers) {
          if (['date', 'connection', 'keep-alive', 'transfer-encoding', 'x-request-id'].includes(name)) continue;
          expect(head.headers.get(name), `${path}: header ${name}`).to.equal(value);
        }
        for (const [name] of head.headers) {
          if (['date', 'connection', 'keep-alive', 'transfer-encoding', 'x-request-id'].includes(name)) continue;
          expect(get.headers.has(name), `${path}: HEAD-only header ${name}`).to.equal(true);
        }
      };

      it('gives the same status and headers and no body on a contact', async () => {
        await compare(contactPath, 200);
        await compare(`/contacts/show/${t.bf}/${contactId}.xml`, 200);
        await compare(`/${t.bf}/contacts/${contactId}.json`, 200);
      });

      it('gives the same status and headers and no body on a list and /lookups.xml', async () => {
        await compare(`/${t.bf}/contacts.xml`, 200);
        await compare(`/contacts/list/${t.bf}.xml?per_page=1`, 200);
        await compare('/contacts.xml', 200);
        await compare('/lookups.xml', 200);
      });

      it('gives the same 404 and 400 with no body', async () => {
        await compare(`/${t.bf}/contacts/999999999.xml`, 404);
        await compare(`/${t.bf}/contacts/abc.xml`, 404);
        await compare(`/${t.bf}/contacts.xml?page=0`, 400);
      });
    });

    describe('500', () => {
      it('answers a generic message, never a stack trace or SQL', async function () {
        // Honest way to break a query: a server of its own whose contacts table is gone (renamed:
        // its answers may be cached, but every request reads the contact's version first).
        // Only on SQLite, where that server's database is a private file.
        if (engine.name !== 'sqlite') this.skip();
        const broken = await TestServer.start(engine);
        try {
          const bt = await broken.tenant();
          const as = broken.as(bt);
          const created = await as(`/${bt.bf}/contacts.xml`, { method: 'POST', body: FULL_CONTACT });
          expect(created.status).to.equal(201);
          await broken.db.schema.renameTable('contacts', 'contacts_gone');
          for (const [res, json] of [
            [await as(created.headers.get('location') as string), false],
            [await as(`/${bt.bf}/contacts.xml`), false],
            [await as(`/${bt.bf}/contacts.json`), true],
          ] as const) {
            const messages = json ? expectJsonError(res, 500) : expectXmlError(res, 500);
            expect(messages).to.have.lengthOf(1);
            expect(res.text).not.to.match(/\bat .*\(|\.ts:\d+|\.js:\d+|node_modules|SQLITE|select|contacts|no such table/i);
          }
        } finally {
          await broken.stop();
        }
      });
    });
  });
});
