// Builds the Koa application: middleware order and routes. Never listens.
import Router from '@koa/router';
import type { Knex } from 'knex';
import Koa from 'koa';
import type { ContactsService } from '../contacts/service.js';
import { authenticate } from './auth.js';
import { renderErrors } from './errors.js';
import { negotiateFormat } from './format.js';
import { logRequests, type LogLine } from './log.js';
import { methodNotAllowed } from './method-not-allowed.js';
import { RenderedContacts } from './rendered-contacts.js';
import { contactRoutes } from './routes/contacts.js';
import { eventRoutes } from './routes/events.js';
import { webhookRoutes } from './routes/webhooks.js';
import { DEFAULT_EVENT_SETTINGS, type EventSettings } from '../events/settings.js';
import { healthRoutes, lookupRoutes } from './routes/misc.js';
import { transferRoutes } from './routes/transfer.js';
import type { AppState } from './state.js';

export interface AppOptions {
  db: Knex;
  contacts: ContactsService;
  log: LogLine;
  /** Contacts whose encoded answers are kept (0: none). */
  renderedContacts?: number;
  /** Events and webhooks: retention, private URLs (defaults when absent). */
  events?: EventSettings;
}

/** Logs an unexpected error without its message: knex puts the SQL and its values there. */
function reportError(log: LogLine) {
  return (error: unknown) => {
    const e = error as { name?: string; code?: string; stack?: string };
    const frames = (e.stack ?? '').split('\n').filter((l) => l.trimStart().startsWith('at ')).slice(0, 5);
    log(`error ${e.name ?? 'Error'}${e.code ? ` (${e.code})` : ''}\n${frames.join('\n')}`);
  };
}

export function buildApp({ db, contacts, log, renderedContacts, events = DEFAULT_EVENT_SETTINGS }: AppOptions): Koa<AppState> {
  const app = new Koa<AppState>();
  app.silent = true;
  app.on('error', reportError(log));

  const publicRoutes = new Router<AppState>();
  healthRoutes(publicRoutes, db);

  const api = new Router<AppState>();
  api.use(authenticate(db));
  lookupRoutes(api, contacts.lookups);
  transferRoutes(api, db, contacts); // before contactRoutes: /contacts/export is not a contact id
  contactRoutes(api, db, contacts, new RenderedContacts(renderedContacts));
  eventRoutes(api, db, events.retentionDays); // after contactRoutes: /contacts/events is a contact path
  webhookRoutes(api, db, events.allowPrivate);

  app.use(logRequests(log));
  app.use(negotiateFormat());
  app.use(renderErrors());
  app.use(methodNotAllowed(publicRoutes));
  app.use(methodNotAllowed(api));
  app.use(publicRoutes.routes());
  app.use(api.routes());
  return app;
}
