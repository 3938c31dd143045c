// Requests by method, route pattern and status, and their latency. The route label is the
// pattern the router chose (`/:bf/contacts/:id.xml`), never the raw path, so ids and query
// strings never become label values; a path no route knows is "unmatched".
import type { Middleware } from 'koa';
import { routeLabel } from '../http/method-not-allowed.js';
import type { AppState } from '../http/state.js';
import { counter, histogram } from './registry.js';

const requests = counter('contacts_http_requests_total', 'HTTP requests answered, by method, route pattern and status.', ['method', 'route', 'status']);
const duration = histogram('contacts_http_request_duration_seconds', 'Time from the request to its answer, by method, route pattern and status.', [
  'method',
  'route',
  'status',
]);

/** Node accepts about thirty methods; the label keeps the API's and folds the rest. */
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

export function measureRequests(): Middleware<AppState> {
  return async (ctx, next) => {
    const started = process.hrtime.bigint();
    const path = ctx.path;
    try {
      await next();
    } finally {
      const labels = {
        method: METHODS.has(ctx.method) ? ctx.method : 'other',
        route: routeLabel(ctx.state.route, path),
        status: String(ctx.status),
      };
      requests.inc(labels);
      duration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
    }
  };
}
