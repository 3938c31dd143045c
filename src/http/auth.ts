// Authentication: HTTP Basic (what legacy clients send), or `Token`/`Bearer` API tokens.
// Puts the user on ctx.state.user; no or bad credentials are a 401.
import { isPositiveId } from '../ids.js';
import type { Knex } from 'knex';
import type { Middleware } from 'koa';
import { verifyPassword } from '../auth/passwords.js';
import { findUserByLogin, findUserByToken, type ApiUser } from '../auth/users.js';
import { VerifiedCache } from '../auth/verified-cache.js';
import { ForbiddenError, NotFoundError, UnauthorizedError } from '../errors.js';
import type { AppContext, AppState } from './state.js';

async function basicUser(db: Knex, cache: VerifiedCache, encoded: string): Promise<ApiUser | undefined> {
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 1) return undefined;
  const login = decoded.slice(0, colon);
  const password = decoded.slice(colon + 1);
  const user = await findUserByLogin(db, login);
  if (!user) {
    // Spend the same time as a real check so logins cannot be probed by timing.
    await verifyPassword(password, DUMMY_HASH);
    return undefined;
  }
  if (cache.has(user.passwordHash, password)) return user;
  if (!(await verifyPassword(password, user.passwordHash))) return undefined;
  cache.add(user.passwordHash, password);
  return user;
}

// A valid scrypt hash of a random password nobody knows.
const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$hBfZJm7T7b2HnZ5cZzq2s7R9sYgVqkQ1Yp3WQ1oZr8E=';

export function authenticate(db: Knex, cache = new VerifiedCache()): Middleware<AppState> {
  return async (ctx, next) => {
    const header = ctx.get('Authorization');
    const [scheme, credentials] = header.trim().split(/\s+/, 2);
    let user: ApiUser | undefined;
    if (credentials && /^basic$/i.test(scheme)) user = await basicUser(db, cache, credentials);
    else if (credentials && /^(token|bearer)$/i.test(scheme)) user = await findUserByToken(db, credentials);
    if (!user) throw new UnauthorizedError(header ? 'Invalid credentials.' : 'Authentication required.');
    ctx.state.user = user;
    await next();
  };
}

/** The business file of the request: from the path, or the user's default for short paths. */
export function businessFileOf(ctx: AppContext): number {
  const user = ctx.state.user as ApiUser;
  const raw = (ctx as AppContext & { params?: Record<string, string> }).params?.bf;
  if (raw === undefined) {
    const first = user.businessFileIds[0];
    if (first === undefined) throw new ForbiddenError('This user has no business file.');
    return first;
  }
  if (!isPositiveId(raw)) throw new NotFoundError();
  const id = Number(raw);
  if (!user.businessFileIds.includes(id)) throw new ForbiddenError();
  return id;
}
