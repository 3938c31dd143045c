// What middleware puts on ctx.state for the handlers after it.
import type { ParameterizedContext } from 'koa';
import type { ApiUser } from '../auth/users.js';
import type { Tallies } from '../resources/tallies.js';

export type Format = 'xml' | 'json';

export interface AppState {
  format: Format;
  user?: ApiUser;
  /** The pattern of the route that takes this path (method-not-allowed.ts), for metrics and logs. */
  route?: string;
  /** Which of the app's routers owns the path (method-not-allowed.ts). */
  router?: number;
  /** The client's X-Request-Id if it sent a sane one, else a new one (request-id.ts). */
  requestId?: string;
  /** The database's change token as this request first read it (unchanged.ts). */
  changeToken?: Promise<string | undefined>;
  /** Business files' write tallies as this request first read them, by business file (unchanged.ts). */
  tallies?: Map<number, Promise<Tallies>>;
  /** The error a failed request was answered for (errors.ts), for the log line. */
  error?: unknown;
}

export type AppContext = ParameterizedContext<AppState>;
