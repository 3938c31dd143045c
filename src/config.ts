// Environment variables → a typed configuration, read once at start-up.
import { DEFAULT_RENDERED_CONTACTS } from './http/rendered-contacts.js';
import { readEventSettings, type EventSettings } from './events/settings.js';

export interface Config {
  port: number;
  host: string;
  databaseUrl: string;
  adminLogin?: string;
  adminPassword?: string;
  workers: number;
  logRequests: boolean;
  /** Whole-request deadline in ms (a slow-drip body is cut off after it); default 30 s. */
  requestTimeoutMs?: number;
  /** How many contacts' encoded answers each process keeps (0 turns the cache off). */
  renderedContacts?: number;
  /** Events and webhooks (EVENTS_RETENTION_DAYS, WEBHOOKS_ALLOW_PRIVATE, delivery timings); defaults when absent. */
  events?: Partial<EventSettings>;
}

export const DEFAULT_DATABASE_URL = 'sqlite:data/contacts.sqlite3';

function positiveInt(name: string, raw: string | undefined, fallback: number, min = 0): number {
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min) throw new Error(`${name} must be an integer >= ${min}, got "${raw}"`);
  return Number(raw);
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return {
    port: positiveInt('PORT', env.PORT, 8080),
    host: env.HOST || '127.0.0.1',
    databaseUrl: env.DATABASE_URL || DEFAULT_DATABASE_URL,
    adminLogin: env.ADMIN_LOGIN || undefined,
    adminPassword: env.ADMIN_PASSWORD || undefined,
    workers: positiveInt('WORKERS', env.WORKERS, 1, 1),
    logRequests: env.LOG_REQUESTS !== '0',
    requestTimeoutMs: positiveInt('REQUEST_TIMEOUT_MS', env.REQUEST_TIMEOUT_MS, 30_000, 1),
    renderedContacts: positiveInt('CONTACT_CACHE_SIZE', env.CONTACT_CACHE_SIZE, DEFAULT_RENDERED_CONTACTS),
    events: readEventSettings(env),
  };
}
