// One line per request: method, path, status, milliseconds. Never the query string, a body
// or a credential.
import type { Middleware } from 'koa';

export type LogLine = (line: string) => void;

export function logRequests(log: LogLine): Middleware {
  return async (ctx, next) => {
    const started = process.hrtime.bigint();
    const path = ctx.path;
    try {
      await next();
    } finally {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      log(`${ctx.method} ${path} ${ctx.status} ${ms.toFixed(1)}ms`);
    }
  };
}
