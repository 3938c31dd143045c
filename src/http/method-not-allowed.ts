// Which route takes a path, decided before any route runs: a known path asked with a verb it
// does not take is a 405 with an Allow header (the router's own allowedMethods() drops the
// header when it throws), and the chosen pattern is put on ctx.state.route for metrics and logs.
//
// A fixed path and a pattern can both match one path: `/1/contacts/import` is also
// `/:bf/contacts/:id` with the id "import". The path belongs to the most specific patterns
// that match it, those with the fewest parameters, so GET on the import path is a 405
// (Allow: POST), not a lookup of a contact called "import". This holds for every resource the
// routers carry (contacts, firms, …) without a list of reserved words.
import type Router from '@koa/router';
import type { Middleware } from 'koa';
import { MethodNotAllowedError } from '../errors.js';
import type { AppState } from './state.js';

interface RouteLayer {
  path: string | RegExp;
  methods: string[];
  paramNames: unknown[];
}

interface PathOwner {
  route: string;
  methods: Set<string>;
}

/** The patterns with the fewest parameters among the routes matching `path`, and their verbs. */
export function ownerOf(router: Router, path: string): PathOwner | undefined {
  let best: RouteLayer[] = [];
  for (const layer of router.match(path, 'GET').path as unknown as RouteLayer[]) {
    if (layer.methods.length === 0) continue; // router.use() middleware, not a route
    if (best.length === 0 || layer.paramNames.length < best[0].paramNames.length) best = [layer];
    else if (layer.paramNames.length === best[0].paramNames.length) best.push(layer);
  }
  if (best.length === 0) return undefined;
  const methods = new Set(best.flatMap((layer) => layer.methods));
  return { route: String(best[0].path), methods };
}

const EXTENSION = /\.(xml|json)$/;

/**
 * The label of a request's route for metrics and logs: its pattern with the request's
 * extension (`/:bf/contacts/:id.xml`), never ids or a query string; "unmatched" for a path no
 * route knows. `path` is the request's path before the extension was taken off.
 */
export function routeLabel(route: string | undefined, path: string): string {
  return route === undefined ? 'unmatched' : route + (EXTENSION.exec(path)?.[0] ?? '');
}

/** Paths whose owner is remembered (a GET of a hot contact asks again and again); then it starts over. */
const REMEMBERED_PATHS = 2_000;
/** Longer paths are not remembered: 2,000 of them stay small. */
const REMEMBERED_PATH_LENGTH = 200;

/**
 * One middleware for any number of routers; the first that knows the path decides, and is
 * named on ctx.state.router (its index) so that only its routes run (routeToOwner).
 */
export function methodNotAllowed(...routers: Router[]): Middleware<AppState> {
  // The route table is fixed once the app is built, so a path's owner never changes.
  const remembered = routers.map(() => new Map<string, PathOwner | undefined>());
  const ownerOfPath = (i: number, path: string) => {
    const known = remembered[i];
    if (path.length > REMEMBERED_PATH_LENGTH) return ownerOf(routers[i], path);
    if (known.has(path)) return known.get(path);
    if (known.size >= REMEMBERED_PATHS) known.clear();
    const found = ownerOf(routers[i], path);
    known.set(path, found);
    return found;
  };
  return async (ctx, next) => {
    for (let i = 0; i < routers.length; i++) {
      const owner = ownerOfPath(i, ctx.path);
      if (!owner) continue;
      ctx.state.route = owner.route;
      ctx.state.router = i;
      if (!owner.methods.has(ctx.method)) throw new MethodNotAllowedError([...owner.methods]);
      break;
    }
    await next();
  };
}

/**
 * The routes of the router that owns the path (methodNotAllowed decided it), and none for a
 * path no router knows: the others are not asked to match it again.
 */
export function routeToOwner(...routers: Router<AppState>[]): Middleware<AppState> {
  const routes = routers.map((router) => router.routes() as Middleware<AppState>);
  return (ctx, next) => {
    const owner = ctx.state.router;
    return owner === undefined ? next() : routes[owner](ctx, next);
  };
}
