// Every answer carries X-Request-Id: the client's own when it sent a sane one (so a proxy's or
// a caller's id follows the request into our log), else a new UUID. Sane means 1 to 128
// characters from a set that cannot forge log fields or headers: letters, digits and . _ ~ : / + = @ -.
import { randomUUID } from 'node:crypto';
import type { Middleware } from 'koa';
import type { AppState } from './state.js';

const SANE = /^[A-Za-z0-9._~:/+=@-]{1,128}$/;

export function requestIdOf(given: string | undefined): string {
  return given !== undefined && SANE.test(given) ? given : randomUUID();
}

export function requestId(): Middleware<AppState> {
  return async (ctx, next) => {
    const id = requestIdOf(ctx.get('X-Request-Id'));
    ctx.state.requestId = id;
    ctx.set('X-Request-Id', id);
    await next();
  };
}
