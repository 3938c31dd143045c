// A big import streams into one transaction that stays open until its file ends. Meanwhile the
// business file's other records take their single writes at once (MySQL's row locks): the
// import adds its count to the business file's tallies just before COMMIT. It added it after
// every chunk of 500, so the tally rows it had touched stayed locked for the rest of the
// import, and a PUT or POST that picked one of them waited the import out and got a 503 at the
// query deadline. (SQLite has one writer: there a write waits for the import by design.)
import { expect } from 'chai';
import { contactXml, parseXml } from '../support/contacts.js';
import { engines } from '../support/engines.js';
import { RawClient } from '../support/raw-client.js';
import { TestServer } from '../support/server.js';

const mysql = engines().find((e) => e.name === 'mysql');
const FIRST_PART = 3_001; // six chunks written while the rest of the file has not come
const SECOND_PART = 500;

(mysql ? describe : describe.skip)('single writes beside a streaming import (mysql)', () => {
  let server: TestServer;
  before(async () => {
    server = await TestServer.start(mysql!);
  });
  after(() => server.stop());

  it('PUTs and POSTs of the business file are answered while an import is open, and the count takes both in', async () => {
    const t = await server.tenant();
    const created = await server.as(t)(`/${t.bf}/contacts.xml`, { method: 'POST', body: contactXml('Beside') });
    const id = parseXml(created.text).contact[0].id;

    const client = await RawClient.open(Number(new URL(server.url).port));
    try {
      const send = (text: string) => client.write(`${Buffer.byteLength(text).toString(16)}\r\n${text}\r\n`);
      await client.write(`POST /${t.bf}/contacts/import.xml HTTP/1.1\r\nHost: x\r\nAuthorization: ${t.auth}\r\nContent-Type: application/xml\r\nTransfer-Encoding: chunked\r\n\r\n`);
      await send(`<contacts>${Array.from({ length: FIRST_PART }, (_, i) => contactXml(`Imported${i}`)).join('')}`);

      // Writes for 3 s while the import's chunks are written and its transaction stays open.
      const statuses: number[] = [];
      let posted = 0;
      for (const until = Date.now() + 3_000; Date.now() < until; ) {
        const put = await server.as(t)(`/${t.bf}/contacts/${id}.xml`, { method: 'PUT', body: contactXml('Beside', `<job_title>Job ${statuses.length}</job_title>`) });
        statuses.push(put.status);
        const post = await server.as(t)(`/${t.bf}/contacts.xml`, { method: 'POST', body: contactXml(`Posted${posted}`) });
        statuses.push(post.status);
        if (post.status === 201) posted++;
        if (put.status !== 200 || post.status !== 201) break;
      }
      expect(statuses.filter((s) => s !== 200 && s !== 201), 'writes beside the import that were refused').to.deep.equal([]);
      expect(client.isClosed, 'the import is still open').to.equal(false);

      await send(`${Array.from({ length: SECOND_PART }, (_, i) => contactXml(`Late${i}`)).join('')}</contacts>`);
      await client.write('0\r\n\r\n');
      const answer = await client.waitForAnswer(30_000);
      expect(answer?.status, answer?.body).to.equal(200);

      const list = await server.as(t)(`/${t.bf}/contacts.xml`);
      expect(Number(parseXml(list.text).contacts.pagination.total_entries)).to.equal(1 + posted + FIRST_PART + SECOND_PART);
    } finally {
      client.socket.destroy(); // a failed run must not leave the import (and the service) waiting for its file
    }
  });
});
