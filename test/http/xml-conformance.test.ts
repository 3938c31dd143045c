// XML conformance over HTTP (issue #14): the documents of fixtures/xml-conformance/ that once
// showed the codec disagreeing with libxml2, sent to the real service. A malformed contact is a
// 400 with its line and column and stores nothing (it used to be stored: 201); a malformed
// import file is a 400, or a 422 naming the record, and writes nothing; a well-formed one is
// read as XML (never a 400, never a 5xx). test/xml/conformance.test.ts checks the verdicts
// against libxml2 itself.
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { forEachEngine } from '../support/engines.js';
import { expectXmlError } from '../support/error-bodies.js';
import type { Response } from '../support/http.js';
import { TestServer, type Tenant } from '../support/server.js';

const FIXTURES = 'fixtures/xml-conformance';
const fixtures = (kind: string) =>
  readdirSync(join(FIXTURES, kind))
    .filter((f) => f.endsWith('.xml'))
    .sort()
    .map((name) => ({ name, body: readFileSync(join(FIXTURES, kind, name)), wellFormed: name.startsWith('well-formed-') }));

const answerOf = (res: Response) => ({ status: res.status, contentType: res.headers.get('content-type'), text: res.text });

describe('XML conformance over HTTP (issue #14)', () => {
  forEachEngine((engine) => {
    let server: TestServer;
    let t: Tenant;
    let req: ReturnType<TestServer['as']>;

    before(async () => {
      server = await TestServer.start(engine);
      t = await server.tenant();
      req = server.as(t);
    });
    after(async () => {
      await server?.stop();
    });

    const stored = async () => Number((await server.db('contacts').where('business_file_id', t.bf).count({ n: '*' }).first())?.n);

    describe('POST /{bf}/contacts.xml', () => {
      for (const { name, body, wellFormed } of fixtures('contact')) {
        it(`${name}: ${wellFormed ? '201' : '400 with line and column, nothing stored'}`, async () => {
          const before = await stored();
          const res = await req(`/${t.bf}/contacts.xml`, { method: 'POST', body });
          if (wellFormed) {
            expect(res.status, res.text).to.equal(201);
            expect(await stored()).to.equal(before + 1);
          } else {
            const [message] = expectXmlError(answerOf(res), 400);
            expect(message).to.match(/^Malformed XML at line \d+, column \d+: /);
            expect(await stored()).to.equal(before);
          }
        });
      }
    });

    describe('POST /{bf}/contacts/import.xml', () => {
      for (const { name, body, wellFormed } of fixtures('import')) {
        it(`${name}: ${wellFormed ? '200, every contact created' : '400 (or 422 naming the record), nothing written'}`, async () => {
          const before = await stored();
          const res = await req(`/${t.bf}/contacts/import.xml`, { method: 'POST', body });
          if (wellFormed) {
            expect(res.status, res.text).to.equal(200);
            const created = Number(/<created>(\d+)<\/created>/.exec(res.text)?.[1]);
            expect(created).to.be.greaterThan(0);
            expect(await stored()).to.equal(before + created);
          } else {
            expect(res.status, res.text).to.be.oneOf([400, 422]);
            const messages = expectXmlError(answerOf(res), res.status);
            expect(messages.join('\n')).to.match(/Malformed XML/);
            expect(await stored()).to.equal(before);
          }
        });
      }
    });
  });
});
