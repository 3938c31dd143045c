// Authentication: HTTP Basic (what legacy clients send), or `Token`/`Bearer` API tokens.
// Puts the user on ctx.state.user; no or bad credentials are a 401. Every attempt with
// credentials passes the failed-login throttle first (429 before any lookup or hash), and every
// scrypt check waits in the bounded password queue (503 past it); a cached credential and a
// token are cheap lookups that never wait there.
import { createHash } from 'node:crypto';
import { isPositiveId } from '../ids.js';
import type { Knex } from 'knex';
import type { Middleware } from 'koa';
import { clientAddressOf, type AddressOf } from '../auth/client-address.js';
import { PasswordQueue } from '../auth/password-queue.js';
import { verifyPassword } from '../auth/passwords.js';
import { LoginThrottle, type Attempt, type ThrottleLimits } from '../auth/throttle.js';
import { findUserByLogin, findUserByTokenDigest, type ApiUser } from '../auth/users.js';
import { VerifiedCache } from '../auth/verified-cache.js';
import { tokenDigest } from '../auth/tokens.js';
import type { ChangeWatch } from '../db/change-watch.js';
import { eachOf, perTurn } from '../db/per-turn.js';
import { ForbiddenError, NotFoundError, UnauthorizedError } from '../errors.js';
import type { AppContext, AppState } from './state.js';
import { KeptWhileUnchanged, usersTokenOf } from './unchanged.js';

export interface AuthOptions {
  /** Proxies whose X-Forwarded-For is believed (see src/auth/client-address.ts); none by default. */
  trustProxy?: string;
  throttle?: Partial<ThrottleLimits>;
  /** scrypt checks at once, and waiting, per process. */
  passwordChecks?: number;
  passwordCheckQueue?: number;
}

/** What stands in front of the password checks: built once per app, read by metrics and tests. */
export interface AuthGuards {
  addressOf: AddressOf;
  throttle: LoginThrottle;
  queue: PasswordQueue;
}

export function authGuards(options: AuthOptions = {}): AuthGuards {
  return {
    addressOf: clientAddressOf(options.trustProxy),
    throttle: new LoginThrottle(options.throttle),
    queue: new PasswordQueue(options.passwordChecks, options.passwordCheckQueue),
  };
}

// A valid scrypt hash of a random password nobody knows.
const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$hBfZJm7T7b2HnZ5cZzq2s7R9sYgVqkQ1Yp3WQ1oZr8E=';

/**
 * Checks in flight, by a digest of (stored hash, password): requests that arrive together with
 * the same right credentials (a client opening ten connections after a restart) share one
 * scrypt check and one place in the queue, instead of filling it and getting 503s. A shared
 * check that fails is not shared: each wrong guess still goes through the queue and the throttle.
 */
type ChecksInFlight = Map<string, Promise<boolean>>;

/** Users by login or token digest, read again once a user may have been written (unchanged.ts). */
const USERS_KEPT = 1_000;

async function basicUser(lookUp: (login: string) => Promise<ApiUser | undefined>, cache: VerifiedCache, queue: PasswordQueue, inFlight: ChecksInFlight, address: string, attempt: Attempt, login: string, password: string): Promise<ApiUser | undefined> {
  const user = await lookUp(login);
  if (user && cache.has(user.passwordHash, password)) return user;
  // An unknown login spends the same time as a real check so logins cannot be probed by timing.
  const hash = user?.passwordHash ?? DUMMY_HASH;
  const key = createHash('sha256').update(hash).update('\0').update(password).digest('base64');
  const shared = inFlight.get(key);
  let ok = shared ? await shared : false;
  if (!ok) {
    const check = queue.run(address, () => verifyPassword(password, hash), { admit: attempt.recheck, suspect: attempt.suspect });
    // Joiners see a refused check (503, 429) as a failure to share, and make their own.
    if (!shared) inFlight.set(key, check.then((v) => v, () => false).finally(() => inFlight.delete(key)));
    ok = await check;
  }
  if (!user || !ok) return undefined;
  cache.add(user.passwordHash, password);
  return user;
}

/** `login:password` from a Basic header's credentials, if it has a login. */
function decodeBasic(encoded: string): { login: string; password: string } | undefined {
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 1 ? undefined : { login: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/**
 * `changes` lets a user read by an earlier request serve while no user was written (SQLite:
 * while the database is unchanged): a removed user or changed password still counts from the
 * next request.
 */
export function authenticate(db: Knex, { addressOf, throttle, queue }: AuthGuards = authGuards(), cache = new VerifiedCache(), changes?: ChangeWatch): Middleware<AppState> {
  const inFlight: ChecksInFlight = new Map();
  const users = new KeptWhileUnchanged<ApiUser>(USERS_KEPT);
  // Requests of one turn that name the same user share one read of it (src/db/per-turn.ts).
  const byLoginThisTurn = perTurn<string, ApiUser>(String, eachOf(String, (login) => findUserByLogin(db, login)));
  const byDigestThisTurn = perTurn<string, ApiUser>(String, eachOf(String, (digest) => findUserByTokenDigest(db, digest)));
  return async (ctx, next) => {
    // The token is read before the user it may keep.
    const changeToken = async () => changes && usersTokenOf(ctx, changes);
    const byLogin = async (login: string) => users.get(`l ${login}`, await changeToken(), () => byLoginThisTurn(login));
    const byToken = async (apiToken: string) => {
      const digest = tokenDigest(apiToken); // once: the kept user, the shared read and the query all go by it
      return users.get(`t ${digest}`, await changeToken(), () => byDigestThisTurn(digest));
    };
    const header = ctx.get('Authorization');
    const [scheme, credentials] = header.trim().split(/\s+/, 2);
    const basic = credentials && /^basic$/i.test(scheme) ? decodeBasic(credentials) : undefined;
    const token = credentials && /^(token|bearer)$/i.test(scheme) ? credentials : undefined;
    let user: ApiUser | undefined;
    if (basic || token) {
      // Only a password or token actually tried counts: a malformed header guesses nothing.
      const address = addressOf(ctx.req);
      const attempt = throttle.begin(address, basic?.login);
      try {
        user = basic ? await basicUser(byLogin, cache, queue, inFlight, address, attempt, basic.login, basic.password) : await byToken(token as string);
      } catch (error) {
        attempt.abandoned();
        throw error;
      }
      if (user) attempt.succeeded();
      else attempt.failed();
    }
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
