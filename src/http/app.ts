// Builds the Koa application: middleware order and routes. Never listens.
import Router from '@koa/router';
import type { Knex } from 'knex';
import Koa from 'koa';
import type { Lookups } from '../contacts/types.js';
import { ChangeWatch } from '../db/change-watch.js';
import { FIRM_RULES } from '../resources/firm-rules.js';
import { CONTACT, FIRM } from '../resources/index.js';
import { ResourceService } from '../resources/service.js';
import { authenticate, authGuards, type AuthOptions } from './auth.js';
import { renderErrors } from './errors.js';
import { negotiateFormat } from './format.js';
import { createLog, logRequests, type LogFormat, type LogLine } from './log.js';
import { methodNotAllowed, routeToOwner } from './method-not-allowed.js';
import { rememberMatches } from './remember-matches.js';
import { RenderedRecords } from './rendered.js';
import { requestId } from './request-id.js';
import { metricsRoutes } from '../metrics/endpoint.js';
import { measureRequests } from '../metrics/http.js';
import { cacheCounters, measuredCache } from '../metrics/rendered-cache.js';
import { measureAuth } from '../metrics/auth.js';
import type { ServiceMetrics } from '../metrics/service.js';
import { firmContactsRoutes, resourceRoutes } from './routes/resources.js';
import { eventRoutes } from './routes/events.js';
import { webhookRoutes } from './routes/webhooks.js';
import { DEFAULT_EVENT_SETTINGS, type EventSettings } from '../events/settings.js';
import { healthRoutes, lookupRoutes } from './routes/misc.js';
import { transferRoutes } from './routes/transfer.js';
import type { AppState } from './state.js';

export interface AppOptions {
  db: Knex;
  lookups: Lookups;
  log: LogLine;
  /** One line per request (true by default); unexpected errors are logged either way. */
  requestLines?: boolean;
  /** The log's format (plain lines by default). */
  logFormat?: LogFormat;
  /** Set when metrics are on: requests and the cache are measured, /metrics served when it has a token. */
  metrics?: Pick<ServiceMetrics, 'token' | 'source'>;
  /** Contacts (and as many firms) whose encoded answers are kept (0: none). */
  renderedContacts?: number;
  /** Client address, failed-login throttle and password-check queue (defaults when absent). */
  auth?: AuthOptions;
  /** Events and webhooks: retention, private URLs (defaults when absent). */
  events?: EventSettings;
}

export function buildApp({ db, lookups, log, requestLines = true, logFormat = 'plain', metrics, renderedContacts, auth, events = DEFAULT_EVENT_SETTINGS }: AppOptions): Koa<AppState> {
  const app = new Koa<AppState>();
  const logger = createLog(logFormat, log);
  app.silent = true;
  // An unexpected error is logged without its message: knex puts the SQL and its values there.
  app.on('error', (error) => logger.error(error));

  const publicRoutes = new Router<AppState>();
  healthRoutes(publicRoutes, db);
  if (metrics?.token) metricsRoutes(publicRoutes, metrics.token, metrics.source);

  const api = new Router<AppState>();
  const guards = authGuards(auth);
  if (metrics) measureAuth(guards);
  const changes = new ChangeWatch(db);
  api.use(authenticate(db, guards, undefined, changes));
  lookupRoutes(api, lookups);
  const contacts = new ResourceService(db, CONTACT, lookups);
  const firms = new ResourceService(db, FIRM, lookups, FIRM_RULES);
  const cache = (service: ResourceService) => {
    const rendered = new RenderedRecords(service.spec, renderedContacts, metrics ? cacheCounters : undefined);
    return metrics ? measuredCache(rendered) : rendered;
  };
  const renderedContactsCache = cache(contacts);
  for (const [service, rendered] of [
    [contacts, renderedContactsCache],
    [firms, cache(firms)],
  ] as const) {
    transferRoutes(api, db, service.spec, lookups); // before the records' routes: /contacts/export is not a contact id
    resourceRoutes(api, db, service, rendered, changes);
  }
  firmContactsRoutes(api, firms, contacts, renderedContactsCache, changes);
  eventRoutes(api, db, events.retentionDays); // after the records' routes: /contacts/events is a contact path
  webhookRoutes(api, db, events.allowPrivate);

  app.use(requestId());
  if (metrics) app.use(measureRequests());
  if (requestLines) app.use(logRequests(logger));
  app.use(negotiateFormat());
  app.use(renderErrors());
  app.use(methodNotAllowed(publicRoutes, api)); // also names the route for metrics and logs, and its router
  app.use(routeToOwner(rememberMatches(publicRoutes), rememberMatches(api)));
  return app;
}
