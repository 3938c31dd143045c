// A COMMIT the database does not confirm in time (the query deadline hit during COMMIT, as while
// Galera evicts a dead node) has an unknown outcome: the answer is a 503 that says so, never a
// plain "not stored", and a retry with the same Idempotency-Key is safe whichever way it went.
// A proxy between the service and MariaDB holds back the COMMIT of the request's transaction.
import { expect } from 'chai';
import { setTimeout as sleep } from 'node:timers/promises';
import { COMMIT_OUTCOME_UNKNOWN_MESSAGE } from '../../src/http/errors.js';
import { contactXml, errorsOf } from '../support/contacts.js';
import { engines } from '../support/engines.js';
import { TestServer, type Tenant } from '../support/server.js';
import { withQueryDeadline } from '../support/query-deadline.js';
import { serveThroughProxy, type TcpProxy } from '../support/tcp-proxy.js';

const mysql = engines().find((e) => e.name === 'mysql');
const QUERY_DEADLINE_MS = 1_000;

(mysql ? describe : describe.skip)('a COMMIT whose outcome is unknown (mysql)', () => {
  let proxy: TcpProxy;
  let server: TestServer;
  before(async () => {
    ({ proxy, server } = await withQueryDeadline(QUERY_DEADLINE_MS, () => serveThroughProxy(mysql!)));
  });
  after(async () => {
    await server.stop();
    await proxy.cut();
  });

  const post = (t: Tenant, name: string, key: string) => server.as(t)(`/${t.bf}/contacts.xml`, { method: 'POST', body: contactXml(name), headers: { 'Idempotency-Key': key } });
  const stored = async (t: Tenant, name: string) => Number((await server.db('contacts').where({ business_file_id: t.bf, last_name: name }).count({ n: '*' }).first())?.n);

  for (const mode of ['late', 'lost'] as const) {
    it(`answers 503 "outcome unknown", and a retry with the same key then stores it exactly once (COMMIT ${mode === 'late' ? 'ran late' : 'never arrived'})`, async () => {
      const t = await server.tenant();
      const name = `Unconfirmed-${mode}`;
      // 'late': the COMMIT reaches the server after the service's deadline; 'lost': it never does.
      proxy.trapCommit(/idempotency_keys/, mode === 'late' ? { lateMs: QUERY_DEADLINE_MS + 500 } : 'lost');
      const first = await post(t, name, `k-${mode}`);
      expect(proxy.commitsTrapped, 'the COMMIT was held').to.equal(1);
      proxy.commitsTrapped = 0;
      expect(first.status).to.equal(503);
      expect(first.headers.get('retry-after')).to.match(/^\d+$/);
      expect(errorsOf(first.text)).to.deep.equal([COMMIT_OUTCOME_UNKNOWN_MESSAGE]);
      await sleep(QUERY_DEADLINE_MS + 1_000); // the late COMMIT has run by now
      expect(await stored(t, name)).to.equal(mode === 'late' ? 1 : 0);

      const retry = await post(t, name, `k-${mode}`);
      expect(retry.status).to.equal(201);
      expect(await stored(t, name), 'stored exactly once').to.equal(1);
      const again = await post(t, name, `k-${mode}`);
      expect(again.headers.get('location')).to.equal(retry.headers.get('location'));
    });
  }
});
