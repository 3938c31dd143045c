// A known path asked with a verb it does not take: 405 with an Allow header. (The router's
// own allowedMethods() drops the Allow header when it throws.)
import type Router from '@koa/router';
import type { Middleware } from 'koa';
import { MethodNotAllowedError } from '../errors.js';

export function methodNotAllowed(router: Router): Middleware {
  return async (ctx, next) => {
    await next();
    if (ctx.status !== 404 || ctx.body != null) return;
    const matched = router.match(ctx.path, ctx.method);
    if (matched.route) return;
    const allowed = new Set<string>();
    for (const layer of matched.path) for (const method of layer.methods) allowed.add(method);
    if (allowed.size > 0) throw new MethodNotAllowedError([...allowed]);
  };
}
