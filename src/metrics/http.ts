// Requests by method, route pattern and status, and their latency. The route label is the
// pattern the router chose (`/:bf/contacts/:id.xml`), never the raw path, so ids and query
// strings never become label values; a path no route knows is "unmatched".
//
// Per request this costs one histogram observation: the request counter is read from the
// histogram's counts when scraped, and the label objects are made once per (method, route,
// status), since prom-client hashes a label object on every call.
import type { Middleware } from 'koa';
import type { Histogram } from 'prom-client';
import { routeLabel } from '../http/method-not-allowed.js';
import type { AppState } from '../http/state.js';
import { counter, histogram } from './registry.js';

type Label = 'method' | 'route' | 'status';

const duration: Histogram<Label> = histogram('contacts_http_request_duration_seconds', 'Time from the request to its answer, by method, route pattern and status.', [
  'method',
  'route',
  'status',
]);

/** What the request counter had reached at the last scrape, by "method route status". */
let counted = new Map<string, number>();

// Brought up to date when scraped, from the histogram's _count series: a counter only grows,
// so it takes the growth since the last scrape.
counter<Label>('contacts_http_requests_total', 'HTTP requests answered, by method, route pattern and status.', ['method', 'route', 'status'], async function () {
  const now = new Map<string, number>();
  for (const sample of (await duration.get()).values) {
    if (sample.metricName !== 'contacts_http_request_duration_seconds_count') continue;
    const labels = sample.labels as Record<Label, string>;
    const key = `${labels.method} ${labels.route} ${labels.status}`;
    now.set(key, sample.value);
    this.inc(labels, sample.value - (counted.get(key) ?? 0));
  }
  counted = now;
});

/** Node accepts about thirty methods; the label keeps the API's and folds the rest. */
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** Label objects by "method route status": bounded, since every part of the key is. */
const labelSets = new Map<string, Record<Label, string>>();

function labelsOf(method: string, route: string, status: number): Record<Label, string> {
  const key = `${method} ${route} ${status}`;
  let labels = labelSets.get(key);
  if (!labels) {
    labels = { method: METHODS.has(method) ? method : 'other', route, status: String(status) };
    labelSets.set(key, labels);
  }
  return labels;
}

export function measureRequests(): Middleware<AppState> {
  return async (ctx, next) => {
    const started = process.hrtime.bigint();
    const path = ctx.path;
    try {
      await next();
    } finally {
      duration.observe(labelsOf(ctx.method, routeLabel(ctx.state.route, path), ctx.status), Number(process.hrtime.bigint() - started) / 1e9);
    }
  };
}
