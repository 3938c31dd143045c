// Environment variables → a typed configuration, read once at start-up.
import { DEFAULT_RENDERED_RECORDS as DEFAULT_RENDERED_CONTACTS } from './http/rendered.js';
import { readEventSettings, type EventSettings } from './events/settings.js';
import type { LogFormat } from './http/log.js';
import type { AuthOptions } from './http/auth.js';
import { DEFAULT_PASSWORD_CHECKS, DEFAULT_PASSWORD_CHECK_QUEUE } from './auth/password-queue.js';
import { DEFAULT_LIMITS } from './auth/throttle.js';
import { DEFAULT_DATABASE_WAIT_MS } from './db/wait-for-database.js';

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
  /** Client address behind proxies, failed-login throttle, password-check queue (README "Password guessing"). */
  auth?: AuthOptions;
  /** LOG_FORMAT: `plain` lines (default) or `json` objects, one per line. */
  logFormat?: LogFormat;
  /** METRICS_TOKEN: /metrics on the API port, with `Authorization: Bearer <token>`. */
  metricsToken?: string;
  /** METRICS_PORT: /metrics on a listener of its own, bound to HOST. */
  metricsPort?: number;
  /** DATABASE_WAIT_MS: how long the start waits for a MySQL/MariaDB server that does not answer (default 60 s; 0: no wait). */
  databaseWaitMs?: number;
  /** SEARCH_INDEXER=off: this process writes no search postings (MySQL; others, or a later start, do). Default on. */
  searchIndexer?: boolean;
}

export const DEFAULT_DATABASE_URL = 'sqlite:data/contacts.sqlite3';

function positiveInt(name: string, raw: string | undefined, fallback: number, min = 0): number {
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min) throw new Error(`${name} must be an integer >= ${min}, got "${raw}"`);
  return Number(raw);
}

function logFormat(raw: string | undefined): LogFormat {
  if (raw === undefined || raw === '' || raw === 'plain') return 'plain';
  if (raw === 'json') return 'json';
  throw new Error(`LOG_FORMAT must be plain or json, got "${raw}"`);
}

function onOff(name: string, raw: string | undefined, fallback: boolean): boolean {
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'on') return true;
  if (raw === 'off') return false;
  throw new Error(`${name} must be on or off, got "${raw}"`);
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
    logFormat: logFormat(env.LOG_FORMAT),
    metricsToken: env.METRICS_TOKEN || undefined,
    metricsPort: env.METRICS_PORT ? positiveInt('METRICS_PORT', env.METRICS_PORT, 0, 1) : undefined,
    auth: readAuthOptions(env),
    events: readEventSettings(env),
    searchIndexer: onOff('SEARCH_INDEXER', env.SEARCH_INDEXER, true),
    databaseWaitMs: positiveInt('DATABASE_WAIT_MS', env.DATABASE_WAIT_MS, DEFAULT_DATABASE_WAIT_MS),
  };
}

function readAuthOptions(env: NodeJS.ProcessEnv): AuthOptions {
  const workers = positiveInt('WORKERS', env.WORKERS, 1, 1);
  return {
    trustProxy: env.TRUST_PROXY || undefined,
    throttle: {
      windowMs: positiveInt('LOGIN_FAILURE_WINDOW_MS', env.LOGIN_FAILURE_WINDOW_MS, DEFAULT_LIMITS.windowMs, 1),
      perLogin: positiveInt('LOGIN_FAILURES_PER_LOGIN', env.LOGIN_FAILURES_PER_LOGIN, DEFAULT_LIMITS.perLogin, 1),
      perAddress: positiveInt('LOGIN_FAILURES_PER_ADDRESS', env.LOGIN_FAILURES_PER_ADDRESS, DEFAULT_LIMITS.perAddress, 1),
      // Every process of every server behind the same address: WORKERS on one server by default.
      processes: positiveInt('LOGIN_THROTTLE_PROCESSES', env.LOGIN_THROTTLE_PROCESSES, workers, 1),
    },
    passwordChecks: positiveInt('PASSWORD_CHECKS', env.PASSWORD_CHECKS, DEFAULT_PASSWORD_CHECKS, 1),
    passwordCheckQueue: positiveInt('PASSWORD_CHECK_QUEUE', env.PASSWORD_CHECK_QUEUE, DEFAULT_PASSWORD_CHECK_QUEUE),
  };
}
