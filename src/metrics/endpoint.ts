// GET /metrics in Prometheus' text format: on the API port only when METRICS_TOKEN is set (then
// `Authorization: Bearer <METRICS_TOKEN>` is required, compared in constant time), and on
// METRICS_PORT (bound to HOST) when that is set, with the token too if there is one.
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type Router from '@koa/router';
import { UnauthorizedError } from '../errors.js';
import type { AppState } from '../http/state.js';
import { METRICS_CONTENT_TYPE } from './registry.js';

/** The text of every metric: this process's, or in a cluster all workers' added up. */
export type MetricsSource = () => Promise<string>;

const digest = (value: string) => createHash('sha256').update(value).digest();

/** True when `authorization` is `Bearer <token>`; digests make the comparison constant-time whatever the lengths. */
export function tokenMatches(authorization: string | undefined, token: string | undefined): boolean {
  if (token === undefined) return true;
  const match = /^Bearer +(\S+) *$/i.exec(authorization ?? '');
  return match !== null && timingSafeEqual(digest(match[1]), digest(token));
}

class MetricsTokenError extends UnauthorizedError {
  constructor() {
    super('A valid metrics token is required.');
    this.headers['WWW-Authenticate'] = 'Bearer realm="metrics"';
  }
}

/** /metrics on the API's router (only call this when a token is configured). */
export function metricsRoutes(router: Router<AppState>, token: string, source: MetricsSource): void {
  router.get('/metrics', async (ctx) => {
    if (!tokenMatches(ctx.get('Authorization'), token)) throw new MetricsTokenError();
    const text = await source();
    ctx.type = METRICS_CONTENT_TYPE;
    ctx.body = text;
  });
}

/** A listener of its own for /metrics (METRICS_PORT), resolved once it listens. */
export async function listenMetrics(host: string, port: number, token: string | undefined, source: MetricsSource): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const answer = (status: number, body: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...headers });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (path !== '/metrics') return answer(404, 'Not found.\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') return answer(405, 'Method not allowed.\n', { Allow: 'GET, HEAD' });
    if (!tokenMatches(req.headers.authorization, token)) return answer(401, 'A valid metrics token is required.\n', { 'WWW-Authenticate': 'Bearer realm="metrics"' });
    source().then(
      (text) => answer(200, text, { 'Content-Type': METRICS_CONTENT_TYPE }),
      (error: Error) => answer(500, `Metrics unavailable (${error.name}).\n`),
    );
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}
