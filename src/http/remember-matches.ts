// @koa/router tests every route's regular expression against the path on every request (about
// 80 routes here). The route table is fixed once the app is built, so a (method, path)'s match
// never changes: it is remembered, for a bounded number of paths (a GET of a hot contact asks
// again and again), then the memory starts over. The router pushes later routers' matches into
// the `path` array it puts on ctx.matched, so each request gets its own copy of that one.
import type Router from '@koa/router';

const REMEMBERED = 4_000;
/** Longer paths are not remembered: 4,000 of them stay small. */
const REMEMBERED_PATH_LENGTH = 200;

type Match = ReturnType<Router['match']>;

export function rememberMatches<R extends Router<any>>(router: R): R { // eslint-disable-line @typescript-eslint/no-explicit-any
  const match = router.match.bind(router);
  const remembered = new Map<string, Match>();
  router.match = (path: string, method: string): Match => {
    if (path.length > REMEMBERED_PATH_LENGTH) return match(path, method);
    const key = `${method} ${path}`;
    let found = remembered.get(key);
    if (!found) {
      if (remembered.size >= REMEMBERED) remembered.clear();
      found = match(path, method);
      remembered.set(key, found);
    }
    return { ...found, path: [...found.path] };
  };
  return router;
}
