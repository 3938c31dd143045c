// Content negotiation in one place: the extension (.xml or .json) picks the format and is
// removed from the path, so routes are written once without it; with no extension the Accept
// header decides, XML when it says nothing useful.
import type { Middleware } from 'koa';
import type { AppState, Format } from './state.js';

const EXTENSION = /\.(xml|json)$/;

export function formatFromPath(path: string, accept: (...types: string[]) => string | false): { format: Format; path: string } {
  const match = EXTENSION.exec(path);
  if (match) return { format: match[1] as Format, path: path.slice(0, -match[0].length) };
  return { format: accept('application/xml', 'text/xml', 'application/json') === 'application/json' ? 'json' : 'xml', path };
}

export function negotiateFormat(): Middleware<AppState> {
  return async (ctx, next) => {
    const { format, path } = formatFromPath(ctx.path, (...types) => ctx.accepts(...types));
    ctx.state.format = format;
    ctx.path = path;
    await next();
  };
}
