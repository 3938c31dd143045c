// GET /metrics (Prometheus text format, prom-client): served on the API port only with
// METRICS_TOKEN (bearer, checked), or on METRICS_PORT; counters that move with the requests,
// the database, the rendered-contact cache, the import and the search index; labels that never carry ids or
// query strings.
import { expect } from 'chai';
import { createServer } from 'node:http';
import { contactXml } from '../support/contacts.js';
import { forEachEngine } from '../support/engines.js';
import { request, type Response } from '../support/http.js';
import { freePort } from '../support/process.js';
import { TestServer, type Tenant } from '../support/server.js';
import { parseMetrics, sampleOf, type Samples } from '../support/metrics.js';
import { CONTACT, FIRM } from '../../src/resources/index.js';
import { indexPending } from '../../src/resources/search-trigrams.js';

const TOKEN = 'metrics-token-0123456789';
const bearer = `Bearer ${TOKEN}`;
const idIn = (text: string) => /<id>(\d+)<\/id>/.exec(text)?.[1] as string;

const delta = (before: Samples, after: Samples, name: string, labels: Record<string, string> = {}) => sampleOf(after, name, labels) - sampleOf(before, name, labels);

forEachEngine((engine) => {
  describe('GET /metrics with METRICS_TOKEN', () => {
    let server: TestServer;
    let t: Tenant;
    let req: ReturnType<TestServer['as']>;
    const scrape = async (): Promise<Samples> => {
      const res = await server.request('/metrics', { auth: bearer });
      expect(res.status, res.text).to.equal(200);
      return parseMetrics(res.text);
    };

    before(async () => {
      server = await TestServer.start(engine, [], { metricsToken: TOKEN });
      t = await server.tenant();
      req = server.as(t);
    });
    after(() => server.stop());

    it('needs the bearer token (not an API token), compared in full', async () => {
      const none = await server.request('/metrics');
      expect(none.status).to.equal(401);
      expect(none.headers.get('www-authenticate')).to.equal('Bearer realm="metrics"');
      expect((await server.request('/metrics', { auth: `Bearer ${TOKEN}x` })).status).to.equal(401);
      expect((await server.request('/metrics', { auth: `Bearer ${TOKEN.slice(0, -1)}` })).status).to.equal(401);
      expect((await server.request('/metrics', { auth: `Bearer ${await server.token(t.login)}` })).status).to.equal(401);
      expect((await server.request('/metrics', { auth: t.auth })).status).to.equal(401);
      expect((await server.request('/metrics', { method: 'POST', auth: bearer, body: '<x/>' })).status).to.equal(405);
      const ok = await server.request('/metrics', { auth: bearer });
      expect(ok.status).to.equal(200);
      expect(ok.headers.get('content-type')).to.equal('text/plain; version=0.0.4; charset=utf-8');
      for (const name of [
        'process_cpu_user_seconds_total',
        'nodejs_eventloop_lag_seconds',
        'nodejs_heap_size_used_bytes',
        'contacts_http_requests_total',
        'contacts_http_request_duration_seconds',
        'contacts_db_query_duration_seconds',
        'contacts_db_query_errors_total',
        'contacts_db_pool_in_use',
        'contacts_db_pool_free',
        'contacts_db_pool_waiting',
        'contacts_rendered_cache_hits_total',
        'contacts_rendered_cache_misses_total',
        'contacts_rendered_cache_size',
        'contacts_import_contacts_total',
        'contacts_import_invalid_total',
        'contacts_import_files_total',
      ]) {
        expect(ok.text, name).to.contain(`# TYPE ${name} `);
      }
    });

    it('counts requests by method, route pattern and status, with their latency', async () => {
      const before = await scrape();
      const created = await req(`/${t.bf}/contacts.xml`, { method: 'POST', body: contactXml('Counted') });
      const id = idIn(created.text);
      expect((await req(`/${t.bf}/contacts/${id}.xml`)).status).to.equal(200);
      expect((await req(`/${t.bf}/contacts/${id}.xml`)).status).to.equal(200);
      expect((await req(`/${t.bf}/contacts/${id}.json`)).status).to.equal(200);
      expect((await req(`/nowhere/${id}`)).status).to.equal(404);
      expect((await req(`/${t.bf}/contacts/import.xml`)).status).to.equal(405);
      expect((await server.request(`/${t.bf}/contacts.xml`)).status).to.equal(401);
      const after = await scrape();

      const one = { method: 'GET', route: '/:bf/contacts/:id.xml', status: '200' };
      expect(delta(before, after, 'contacts_http_requests_total', one)).to.equal(2);
      expect(delta(before, after, 'contacts_http_request_duration_seconds_count', one)).to.equal(2);
      expect(delta(before, after, 'contacts_http_request_duration_seconds_sum', one)).to.be.above(0);
      expect(delta(before, after, 'contacts_http_request_duration_seconds_bucket', { ...one, le: '+Inf' })).to.equal(2);
      expect(delta(before, after, 'contacts_http_requests_total', { method: 'GET', route: '/:bf/contacts/:id.json', status: '200' })).to.equal(1);
      expect(delta(before, after, 'contacts_http_requests_total', { method: 'POST', route: '/:bf/contacts.xml', status: '201' })).to.equal(1);
      expect(delta(before, after, 'contacts_http_requests_total', { method: 'GET', route: 'unmatched', status: '404' })).to.equal(1);
      expect(delta(before, after, 'contacts_http_requests_total', { method: 'GET', route: '/:bf/contacts/import.xml', status: '405' })).to.equal(1);
      expect(delta(before, after, 'contacts_http_requests_total', { method: 'GET', route: '/:bf/contacts.xml', status: '401' })).to.equal(1);
      // The first read renders the contact (a POST's rendering is not kept), the next ones find it.
      expect(delta(before, after, 'contacts_rendered_cache_misses_total')).to.equal(1);
      expect(delta(before, after, 'contacts_rendered_cache_hits_total')).to.equal(2);
      expect(sampleOf(after, 'contacts_rendered_cache_size')).to.be.at.least(1);
      expect(delta(before, after, 'contacts_db_query_duration_seconds_count', { engine: engine.name })).to.be.at.least(4);
      expect(sampleOf(after, 'contacts_db_pool_free', { engine: engine.name }) + sampleOf(after, 'contacts_db_pool_in_use', { engine: engine.name })).to.be.at.least(1);
      expect(sampleOf(after, 'contacts_db_pool_waiting', { engine: engine.name })).to.equal(0);
    });

    it('counts failed queries by engine', async () => {
      const before = await scrape();
      await server.db.raw('select no_such_column from no_such_table').then(
        () => expect.fail('the query should fail'),
        () => undefined,
      );
      const after = await scrape();
      expect(delta(before, after, 'contacts_db_query_errors_total', { engine: engine.name })).to.equal(1);
    });

    it('never puts ids, remote ids, paths or query strings in labels', async () => {
      const created = await req(`/${t.bf}/contacts.xml`, { method: 'POST', body: contactXml('Secretive', '<remote_id>REMOTE-XYZ</remote_id>') });
      const id = idIn(created.text);
      const answers: Response[] = [
        await req(`/${t.bf}/contacts/${id}.xml?page=2&q=needle-in-query`),
        await req(`/${t.bf}/contacts/REMOTE-XYZ.xml?lookup_field=remote_id`),
        await req(`/${t.bf}/contacts.xml?q=needle-in-query&per_page=7`),
        await req(`/contacts/show/${t.bf}/${id}.xml`),
        await req(`/${t.bf}/contacts/987654321.xml`),
        await req(`/totally/unknown/path-5551234.xml?x=needle-in-query`),
      ];
      expect(answers.map((a) => a.status)).to.deep.equal([200, 200, 200, 200, 404, 404]);
      const text = (await server.request('/metrics', { auth: bearer })).text;
      const routes = new Set<string>();
      for (const sample of parseMetrics(text)) {
        for (const [label, value] of Object.entries(sample.labels)) {
          if (label === 'route') routes.add(value);
          expect(value, `${sample.name} ${label}`).not.to.match(/needle|REMOTE|987654321|5551234|\?|unknown/);
          if (label !== 'le' && label !== 'quantile' && label !== 'version' && label !== 'status' && !sample.name.startsWith('nodejs_')) {
            expect(value, `${sample.name} ${label}`).not.to.match(/\d/);
          }
        }
      }
      for (const route of routes) expect(route).to.match(/^(unmatched|(\/(:?[a-z_]+))+(\.xml|\.json)?)$/);
      expect(routes).to.include.members(['/:bf/contacts/:id.xml', '/contacts/show/:bf/:id.xml', '/:bf/contacts.xml', 'unmatched']);
    });

    it('counts imported contacts, invalid ones, and files by outcome', async () => {
      const before = await scrape();
      const good = `<contacts>${contactXml('ImportA')}${contactXml('ImportB')}</contacts>`.replace(/<\?xml[^>]*>/g, '');
      const bad = `<contacts>${contactXml('ImportC')}<contact><last_name></last_name></contact>${contactXml('ImportD')}</contacts>`.replace(/<\?xml[^>]*>/g, '');
      expect((await req(`/${t.bf}/contacts/import.xml`, { method: 'POST', body: good })).status).to.equal(200);
      expect((await req(`/${t.bf}/contacts/import.xml`, { method: 'POST', body: bad })).status).to.equal(422);
      expect((await req(`/${t.bf}/contacts/import.xml?dry_run=true`, { method: 'POST', body: good })).status).to.equal(200);
      const after = await scrape();
      expect(delta(before, after, 'contacts_import_contacts_total')).to.equal(7);
      expect(delta(before, after, 'contacts_import_invalid_total')).to.equal(1);
      expect(delta(before, after, 'contacts_import_files_total', { outcome: 'written' })).to.equal(1);
      expect(delta(before, after, 'contacts_import_files_total', { outcome: 'invalid' })).to.equal(1);
      expect(delta(before, after, 'contacts_import_files_total', { outcome: 'dry_run' })).to.equal(1);
    });
  });

  describe('search index metric', () => {
    it('shows the records waiting for the search indexer (MySQL), 0 once indexed and on SQLite', async () => {
      const server = await TestServer.start(engine, [], { metricsToken: TOKEN, searchIndexer: false });
      try {
        const scrape = async () => sampleOf(parseMetrics((await server.request('/metrics', { auth: bearer })).text), 'contacts_search_pending_records');
        const t = await server.tenant();
        const body = `<contacts>${contactXml('PendingA')}${contactXml('PendingB')}${contactXml('PendingC')}</contacts>`.replace(/<\?xml[^>]*>/g, '');
        expect((await server.as(t)(`/${t.bf}/contacts/import.xml`, { method: 'POST', body })).status).to.equal(200);
        if (engine.name === 'sqlite') {
          expect(await scrape()).to.equal(0);
          return;
        }
        expect(await scrape()).to.be.at.least(3);
        while ((await indexPending(server.db, CONTACT)) > 0 || (await indexPending(server.db, FIRM)) > 0);
        expect(await scrape()).to.equal(0);
      } finally {
        await server.stop();
      }
    });
  });

  describe('event and webhook metrics', () => {
    it('count delivery attempts by outcome, and show the newest event id and the oldest pending age', async function () {
      this.timeout(20_000);
      let answer = 500;
      let received = 0;
      const receiver = createServer((req, res) => {
        req.resume();
        req.on('end', () => {
          received++;
          res.writeHead(answer).end();
        });
      });
      await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
      const server = await TestServer.start(engine, [], { metricsToken: TOKEN, events: { allowPrivate: true, retryBaseMs: 300, pollMs: 50 } });
      const scrape = async () => parseMetrics((await server.request('/metrics', { auth: bearer })).text);
      const until = async (done: () => boolean | Promise<boolean>) => {
        for (let i = 0; i < 200 && !(await done()); i++) await new Promise((r) => setTimeout(r, 50));
        expect(await done()).to.equal(true);
      };
      try {
        const t = await server.tenant();
        const url = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hook`;
        const hook = await server.as(t)(`/${t.bf}/webhooks.xml`, { method: 'POST', body: `<webhook><url>${url}</url></webhook>` });
        expect(hook.status, hook.text).to.equal(201);
        const before = await scrape();
        await server.as(t)(`/${t.bf}/contacts.xml`, { method: 'POST', body: contactXml('Hooked') });
        await until(() => received >= 1);
        await until(async () => sampleOf(await scrape(), 'contacts_webhook_deliveries_total', { outcome: 'http_error' }) > sampleOf(before, 'contacts_webhook_deliveries_total', { outcome: 'http_error' }));
        const failing = await scrape();
        const feed = await server.as(t)(`/${t.bf}/events.xml`);
        const newest = Math.max(...[...feed.text.matchAll(/<id>(\d+)<\/id>/g)].map((m) => Number(m[1])));
        expect(sampleOf(failing, 'contacts_events_newest_id')).to.be.at.least(newest);
        expect(failing.some((x) => x.name === 'contacts_webhook_oldest_pending_seconds')).to.equal(true);
        await new Promise((r) => setTimeout(r, 1_100)); // timestamps are kept to the second
        expect(sampleOf(await scrape(), 'contacts_webhook_oldest_pending_seconds')).to.be.above(0);

        answer = 200;
        await until(async () => sampleOf(await scrape(), 'contacts_webhook_oldest_pending_seconds') === 0);
        const after = await scrape();
        expect(delta(before, after, 'contacts_webhook_deliveries_total', { outcome: 'delivered' })).to.equal(1);
        expect(delta(before, after, 'contacts_webhook_deliveries_total', { outcome: 'http_error' })).to.be.at.least(1);
      } finally {
        await server.stop();
        receiver.close();
      }
    });
  });

  describe('GET /metrics without METRICS_TOKEN', () => {
    it('is an unknown path on the API port when metrics are off', async () => {
      const server = await TestServer.start(engine);
      try {
        expect((await server.request('/metrics', { auth: bearer })).status).to.equal(404);
      } finally {
        await server.stop();
      }
    });

    it('is served on METRICS_PORT (bound to HOST), not on the API port; with a token there too', async () => {
      const port = await freePort();
      const server = await TestServer.start(engine, [], { metricsPort: port });
      try {
        const metrics = `http://127.0.0.1:${port}`;
        expect((await server.request('/metrics')).status).to.equal(404);
        const res = await request(metrics, '/metrics');
        expect(res.status).to.equal(200);
        expect(res.text).to.contain('# TYPE contacts_http_requests_total counter');
        expect((await request(metrics, '/other')).status).to.equal(404);
        expect((await request(metrics, '/metrics', { method: 'POST', body: 'x' })).status).to.equal(405);
      } finally {
        await server.stop();
      }
      await request(`http://127.0.0.1:${port}`, '/metrics').then(
        () => expect.fail('METRICS_PORT stays open after the service stopped'),
        () => undefined,
      );

      const both = await TestServer.start(engine, [], { metricsPort: port, metricsToken: TOKEN });
      try {
        expect((await request(`http://127.0.0.1:${port}`, '/metrics')).status).to.equal(401);
        expect((await request(`http://127.0.0.1:${port}`, '/metrics', { auth: bearer })).status).to.equal(200);
        expect((await both.request('/metrics', { auth: bearer })).status).to.equal(200);
      } finally {
        await both.stop();
      }
    });
  });
});
