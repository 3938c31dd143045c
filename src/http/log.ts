// The service's log: one line per request (method, path, status, milliseconds, request id),
// start-up and shutdown messages, and unexpected errors. Plain text by default; with
// LOG_FORMAT=json every line is one JSON object written by pino (time, level, pid, method,
// route pattern, status, ms, request_id, and for a failed request the error's name and code).
// Never the query string, a body, a credential, or an error's message (knex puts the SQL and
// its values there).
import type { Middleware } from 'koa';
import { pino, stdTimeFunctions } from 'pino';
import { routeLabel } from './method-not-allowed.js';
import type { AppState } from './state.js';

/** Where lines go (stdout in the service, an array in tests). */
export type LogLine = (line: string) => void;

export type LogFormat = 'plain' | 'json';

export interface ErrorFields {
  name: string;
  code?: string;
}

export interface RequestRecord {
  method: string;
  /** The path without the query string. */
  path: string;
  /** The route pattern, or "unmatched". */
  route: string;
  status: number;
  ms: number;
  requestId?: string;
  error?: ErrorFields;
}

export interface Log {
  /** A message for the operator (start-up, shutdown). */
  print: LogLine;
  request(record: RequestRecord): void;
  /** An unexpected error (a 500): its name, code and first stack frames, never its message. */
  error(error: unknown): void;
}

/** An error's class name and driver code: what an operator needs, without the message. */
export function errorFields(error: unknown): ErrorFields {
  const e = (error ?? {}) as { name?: unknown; code?: unknown; constructor?: { name?: string } };
  const name = typeof e.name === 'string' && e.name !== 'Error' ? e.name : (e.constructor?.name ?? 'Error');
  const code = typeof e.code === 'string' || typeof e.code === 'number' ? String(e.code) : undefined;
  return code === undefined ? { name } : { name, code };
}

function stackFrames(error: unknown): string[] {
  const stack = (error as { stack?: unknown } | undefined)?.stack;
  return (typeof stack === 'string' ? stack : '')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('at '))
    .slice(0, 5);
}

function plainLog(sink: LogLine): Log {
  return {
    print: sink,
    request: (r) => sink(`${r.method} ${r.path} ${r.status} ${r.ms.toFixed(1)}ms${r.requestId ? ` request_id=${r.requestId}` : ''}`),
    error: (error) => {
      const { name, code } = errorFields(error);
      sink(`error ${name}${code ? ` (${code})` : ''}\n${stackFrames(error).map((f) => `    ${f}`).join('\n')}`);
    },
  };
}

function jsonLog(sink: LogLine): Log {
  const logger = pino(
    {
      base: { pid: process.pid },
      timestamp: stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    { write: (line: string) => sink(line.endsWith('\n') ? line.slice(0, -1) : line) },
  );
  return {
    print: (line) => logger.info(line),
    request: (r) => {
      const fields = { method: r.method, path: r.path, route: r.route, status: r.status, ms: Math.round(r.ms * 10) / 10, request_id: r.requestId, error: r.error };
      if (r.status >= 500) logger.error(fields);
      else logger.info(fields);
    },
    error: (error) => logger.error({ error: { ...errorFields(error), frames: stackFrames(error) } }, 'unexpected error'),
  };
}

export function createLog(format: LogFormat, sink: LogLine): Log {
  return format === 'json' ? jsonLog(sink) : plainLog(sink);
}

/** The request line, written once the answer is decided (after the error renderer). */
export function logRequests(log: Log): Middleware<AppState> {
  return async (ctx, next) => {
    const started = process.hrtime.bigint();
    const path = ctx.path;
    try {
      await next();
    } finally {
      const { route, requestId, error } = ctx.state;
      log.request({
        method: ctx.method,
        path,
        route: routeLabel(route, path),
        status: ctx.status,
        ms: Number(process.hrtime.bigint() - started) / 1e6,
        requestId,
        error: error === undefined ? undefined : errorFields(error),
      });
    }
  };
}
