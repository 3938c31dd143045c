// Failed-login throttle. Failures are counted per client address and per (login, address) pair
// in fixed windows that start at the first failure; past a limit, attempts from that address, or
// for that login from that address, are refused with a 429 before anything is looked up or hashed,
// until the window ends. Counting per pair, never per login alone, is what keeps an attacker from
// locking a user out from elsewhere: the user's right password from another address is checked
// as usual. State lives in this process's memory (see README "Password guessing"): the check sits
// in front of every authenticated request and must cost no I/O; with several processes the limits
// are divided among them (`processes`), so the total over all of them stays within the limit.
import { createHash } from 'node:crypto';
import { TooManyRequestsError } from '../errors.js';

export interface ThrottleLimits {
  windowMs: number;
  /** Failures for one login from one address within a window. */
  perLogin: number;
  /** Failures from one address within a window, whatever the login (or token). */
  perAddress: number;
  /** Server processes sharing the limits (WORKERS × servers): each process allows its share. */
  processes: number;
}

export const DEFAULT_LIMITS: ThrottleLimits = { windowMs: 60_000, perLogin: 5, perAddress: 30, processes: 1 };

/** Beyond this many counters, expired ones are dropped, then the oldest. */
const MAX_COUNTERS = 50_000;

interface Counter {
  failures: number;
  /** Attempts being checked right now. */
  pending: number;
  resetAt: number;
  /** It failed in the window before this one: attempts in flight count from the start. */
  suspect: boolean;
}

export interface ThrottleStats {
  /** Failed logins (wrong password, unknown login, unknown token) since start. */
  failures: number;
  /** Attempts answered 429 since start. */
  throttled: number;
}

/** One attempt under way: it ends exactly once, as a success, a failure, or neither (an error). */
export interface Attempt {
  /**
   * Throws the 429 if failures that landed since the attempt began used up a limit: called
   * right before the password is hashed, so that checks that waited in the queue behind an
   * attacker's burst are dropped instead of run.
   */
  recheck(): void;
  /** Whether its address or its (login, address) pair has failed in this window or the one before. */
  suspect(): boolean;
  succeeded(): void;
  failed(): void;
  abandoned(): void;
}

export class LoginThrottle {
  private readonly counters = new Map<string, Counter>();
  private readonly perLogin: number;
  private readonly perAddress: number;
  private readonly windowMs: number;
  private failures = 0;
  private throttled = 0;
  /** Told of each failure (`token` when the attempt named no login) and each 429: for metrics. */
  onFailure?: (scheme: 'basic' | 'token') => void;
  onThrottled?: () => void;

  constructor(limits: Partial<ThrottleLimits> = {}, private readonly now: () => number = Date.now) {
    const { windowMs, perLogin, perAddress, processes } = { ...DEFAULT_LIMITS, ...limits };
    const share = (limit: number) => Math.max(1, Math.floor(limit / Math.max(1, processes)));
    this.windowMs = windowMs;
    this.perLogin = share(perLogin);
    this.perAddress = share(perAddress);
  }

  /**
   * Starts an attempt from `address` (for `login` when it names one), or throws a 429 when the
   * address or the pair has used up its failures. Attempts being checked count as failures once
   * the key has failed, in this window or the one before: a burst from an attacker (also the one
   * that comes the moment a window ends) cannot slip many guesses in at once, while many users
   * behind one office address logging in together after a restart still can.
   */
  begin(address: string, login?: string): Attempt {
    const keys: Array<[string, number]> = [[`a ${address}`, this.perAddress]];
    if (login !== undefined) keys.push([`l ${address} ${loginKey(login)}`, this.perLogin]);
    this.refuseOver(keys, (c, limit) => c.failures >= limit || ((c.failures > 0 || c.suspect) && c.failures + c.pending >= limit));
    const now = this.now();
    const counters = keys.map(([key]) => this.counter(key, now));
    for (const c of counters) c.pending++;
    let done = false;
    const end = (outcome: 'success' | 'failure' | 'none') => {
      if (done) return;
      done = true;
      const at = this.now();
      keys.forEach(([key], i) => {
        const c = counters[i];
        c.pending--;
        if (outcome === 'failure') {
          // A counter whose window ended while the check ran starts a new window.
          if (at >= c.resetAt) this.roll(c, at);
          c.failures++;
        }
        // A success clears the pair (the user knows the password), never the address: an
        // attacker with one account of their own must not reset their address's count.
        if (outcome === 'success' && i === 1) Object.assign(c, { failures: 0, suspect: false });
        if (c.failures === 0 && c.pending === 0 && !c.suspect && this.counters.get(key) === c) this.counters.delete(key);
      });
      if (outcome === 'failure') {
        this.failures++;
        this.onFailure?.(login === undefined ? 'token' : 'basic');
      }
    };
    return {
      recheck: () => this.refuseOver(keys, (c, limit) => c.failures >= limit),
      suspect: () =>
        keys.some(([key]) => {
          const c = this.live(key, this.now());
          return c !== undefined && (c.failures > 0 || c.suspect);
        }),
      succeeded: () => end('success'),
      failed: () => end('failure'),
      abandoned: () => end('none'),
    };
  }

  /** Throws the 429 when a key's counter is `over` its limit, with the latest end of their windows. */
  private refuseOver(keys: Array<[string, number]>, over: (c: Counter, limit: number) => boolean): void {
    const now = this.now();
    let retryAt = 0;
    for (const [key, limit] of keys) {
      const c = this.live(key, now);
      if (c && over(c, limit)) retryAt = Math.max(retryAt, c.resetAt);
    }
    if (retryAt === 0) return;
    this.throttled++;
    this.onThrottled?.();
    throw new TooManyRequestsError(Math.max(1, Math.ceil((retryAt - now) / 1000)));
  }

  stats(): ThrottleStats {
    return { failures: this.failures, throttled: this.throttled };
  }

  /** Counters in memory (for tests of the bound). */
  get size(): number {
    return this.counters.size;
  }

  /** The key's counter in its current window, if it has one worth keeping. */
  private live(key: string, now: number): Counter | undefined {
    const c = this.counters.get(key);
    if (!c || now < c.resetAt) return c;
    // A window that just ended with failures leaves its key suspect for one more window.
    if (c.pending > 0 || (c.failures > 0 && now < c.resetAt + this.windowMs)) return this.roll(c, now);
    this.counters.delete(key);
    return undefined;
  }

  private roll(c: Counter, now: number): Counter {
    return Object.assign(c, { suspect: c.failures > 0, failures: 0, resetAt: now + this.windowMs });
  }

  private counter(key: string, now: number): Counter {
    let c = this.live(key, now);
    if (!c) {
      if (this.counters.size >= MAX_COUNTERS) this.evict(now);
      c = { failures: 0, pending: 0, resetAt: now + this.windowMs, suspect: false };
      this.counters.set(key, c);
    }
    return c;
  }

  private evict(now: number): void {
    for (const [key, c] of this.counters) if (now >= c.resetAt && c.pending === 0) this.counters.delete(key); // suspects too: room first
    // Still full (a flood from very many addresses): drop the oldest tenth.
    let drop = this.counters.size - Math.floor(MAX_COUNTERS * 0.9);
    for (const key of this.counters.keys()) {
      if (drop-- <= 0) break;
      this.counters.delete(key);
    }
  }
}

/** Logins as counter keys: long ones by digest, so a counter's size stays bounded. */
function loginKey(login: string): string {
  return login.length <= 64 ? login : createHash('sha256').update(login).digest('base64');
}
