// WORKERS=2: the primary aggregates the workers' metrics (prom-client's AggregatorRegistry) and
// serves them on METRICS_PORT; a worker asked on the API port (METRICS_TOKEN) answers the same
// aggregate, got from the primary. Requests are spread over both workers by using a new
// connection for each.
import { expect } from 'chai';
import { mkdtempSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseMetrics, sampleOf } from '../support/metrics.js';
import { freePort, serve } from '../support/process.js';

const TOKEN = 'cluster-metrics-token';

/** GET on a connection of its own (no keep-alive), so the cluster spreads the requests. */
function getAlone(url: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    get(url, { agent: false, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    }).on('error', reject);
  });
}

describe('metrics with WORKERS=2', () => {
  it('adds up the counters of both workers, on METRICS_PORT and on the API port', async function () {
    this.timeout(60_000);
    const cwd = mkdtempSync(join(tmpdir(), 'contacts-metrics-workers-'));
    const [port, metricsPort] = [await freePort(), await freePort()];
    const served = await serve(
      {
        PORT: String(port),
        METRICS_PORT: String(metricsPort),
        METRICS_TOKEN: TOKEN,
        WORKERS: '2',
        DATABASE_URL: 'sqlite:db.sqlite3',
        ADMIN_LOGIN: 'boss',
        ADMIN_PASSWORD: 'boss-pw',
        LOG_REQUESTS: '0',
      },
      cwd,
    );
    try {
      const auth = { Authorization: `Bearer ${TOKEN}` };
      const requests = 40;
      for (let i = 0; i < requests; i++) expect((await getAlone(`http://127.0.0.1:${port}/health`)).status).to.equal(200);

      const fromPrimary = await getAlone(`http://127.0.0.1:${metricsPort}/metrics`, auth);
      expect(fromPrimary.status, fromPrimary.text).to.equal(200);
      const samples = parseMetrics(fromPrimary.text);
      const health = { method: 'GET', route: '/health', status: '200' };
      expect(sampleOf(samples, 'contacts_http_requests_total', health)).to.equal(requests);
      expect(sampleOf(samples, 'contacts_http_request_duration_seconds_count', health)).to.equal(requests);
      // Each worker holds one SQLite connection: two in the sum prove both workers were asked.
      const pool = sampleOf(samples, 'contacts_db_pool_free', { engine: 'sqlite' }) + sampleOf(samples, 'contacts_db_pool_in_use', { engine: 'sqlite' });
      expect(pool).to.equal(2);
      expect((await getAlone(`http://127.0.0.1:${metricsPort}/metrics`)).status).to.equal(401);

      // On the API port, whichever worker answers asks the primary for the same aggregate.
      for (let i = 0; i < 4; i++) {
        const fromWorker = await getAlone(`http://127.0.0.1:${port}/metrics`, auth);
        expect(fromWorker.status, fromWorker.text).to.equal(200);
        const again = parseMetrics(fromWorker.text);
        expect(sampleOf(again, 'contacts_http_requests_total', health)).to.equal(requests);
        expect(sampleOf(again, 'contacts_http_requests_total', { route: '/metrics', status: '200' })).to.equal(i);
      }
    } finally {
      served.child.kill('SIGTERM');
    }
    expect(await served.exited).to.equal(0);
  });
});
