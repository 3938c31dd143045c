// What middleware puts on ctx.state for the handlers after it.
import type { ParameterizedContext } from 'koa';
import type { ApiUser } from '../auth/users.js';

export type Format = 'xml' | 'json';

export interface AppState {
  format: Format;
  user?: ApiUser;
}

export type AppContext = ParameterizedContext<AppState>;
