// The failed-login throttle on a clock of its own: windows, the per-pair and per-address
// limits, attempts in flight, successes, the division among processes, and its memory bound.
import { expect } from 'chai';
import { LoginThrottle, type ThrottleLimits } from '../../src/auth/throttle.js';
import { TooManyRequestsError } from '../../src/errors.js';

function throttleAt(limits: Partial<ThrottleLimits>) {
  const clock = { now: 1_000_000 };
  return { clock, throttle: new LoginThrottle(limits, () => clock.now) };
}

function fail(throttle: LoginThrottle, address: string, login?: string, times = 1): void {
  for (let i = 0; i < times; i++) throttle.begin(address, login).failed();
}

function retryAfter(attempt: () => unknown): number {
  try {
    attempt();
  } catch (error) {
    expect(error).to.be.instanceOf(TooManyRequestsError);
    return Number((error as TooManyRequestsError).headers['Retry-After']);
  }
  throw new Error('expected a 429');
}

describe('LoginThrottle', () => {
  const limits = { windowMs: 60_000, perLogin: 3, perAddress: 5 };

  it('refuses a login from an address after its failures there, until the window that began with the first one ends', () => {
    const { clock, throttle } = throttleAt(limits);
    fail(throttle, '203.0.113.1', 'ann');
    clock.now += 20_000;
    fail(throttle, '203.0.113.1', 'ann', 2);
    expect(retryAfter(() => throttle.begin('203.0.113.1', 'ann'))).to.equal(40);
    clock.now += 39_500;
    expect(retryAfter(() => throttle.begin('203.0.113.1', 'ann'))).to.equal(1);
    clock.now += 500;
    throttle.begin('203.0.113.1', 'ann').succeeded();
    expect(throttle.stats()).to.deep.equal({ failures: 3, throttled: 2 });
  });

  it('keeps the login open from another address, and other logins open from the attacked address', () => {
    const { throttle } = throttleAt(limits);
    fail(throttle, '203.0.113.1', 'ann', 3);
    expect(() => throttle.begin('203.0.113.1', 'ann')).to.throw(TooManyRequestsError);
    throttle.begin('198.51.100.2', 'ann').succeeded();
    throttle.begin('203.0.113.1', 'bob').succeeded();
  });

  it('refuses everything from an address after its failures over all logins and tokens', () => {
    const { throttle } = throttleAt(limits);
    fail(throttle, '203.0.113.1', 'ann', 2);
    fail(throttle, '203.0.113.1', 'bob', 2);
    fail(throttle, '203.0.113.1'); // an unknown token
    for (const login of ['carl', undefined]) expect(() => throttle.begin('203.0.113.1', login)).to.throw(TooManyRequestsError);
    throttle.begin('198.51.100.2', 'carl').succeeded();
  });

  it('clears the pair on a success, never the address', () => {
    const { throttle } = throttleAt(limits);
    fail(throttle, '203.0.113.1', 'ann', 2);
    throttle.begin('203.0.113.1', 'ann').succeeded();
    fail(throttle, '203.0.113.1', 'ann', 2); // the pair counts from 0 again: 2 < 3
    throttle.begin('203.0.113.1', 'ann').succeeded();
    fail(throttle, '203.0.113.1', 'bob'); // the address: 2 + 2 + 1 = 5
    expect(() => throttle.begin('203.0.113.1', 'ann')).to.throw(TooManyRequestsError);
  });

  it('counts attempts in flight once a key has failed, so a burst cannot slip past the limit', () => {
    const { throttle } = throttleAt(limits);
    // A clean address: many at once (an office after a restart) all get their check.
    const office = Array.from({ length: 10 }, (_, i) => throttle.begin('192.0.2.9', `user-${i}`));
    office.forEach((a) => a.succeeded());
    fail(throttle, '203.0.113.1', 'ann');
    const inFlight = [throttle.begin('203.0.113.1', 'ann'), throttle.begin('203.0.113.1', 'ann')];
    expect(() => throttle.begin('203.0.113.1', 'ann')).to.throw(TooManyRequestsError);
    inFlight[0].abandoned(); // an error (database down) is no failure
    throttle.begin('203.0.113.1', 'ann').failed();
    inFlight[1].failed();
    expect(() => throttle.begin('203.0.113.1', 'ann')).to.throw(TooManyRequestsError);
  });

  it('counts attempts in flight from the start of the window after one that ended with failures', () => {
    const { clock, throttle } = throttleAt(limits);
    fail(throttle, '203.0.113.1', 'ann', 3);
    clock.now += 60_000;
    // the attacker's flood, the moment the window ends: three get their check, no more
    const burst = [1, 2, 3].map(() => throttle.begin('203.0.113.1', 'ann'));
    expect(retryAfter(() => throttle.begin('203.0.113.1', 'ann'))).to.equal(60);
    burst.forEach((a) => a.failed());
    expect(() => throttle.begin('203.0.113.1', 'ann')).to.throw(TooManyRequestsError);
    // a window without failures clears the suspicion
    clock.now += 120_000;
    const office = Array.from({ length: 6 }, (_, i) => throttle.begin('203.0.113.1', `user-${i}`));
    office.forEach((a) => a.succeeded());
  });

  it('drops attempts admitted before the failures that used up the limit landed (recheck before hashing)', () => {
    const { throttle } = throttleAt(limits);
    const burst = Array.from({ length: 5 }, () => throttle.begin('203.0.113.1', 'ann')); // a clean key: all admitted
    burst.slice(0, 3).forEach((a) => a.failed());
    for (const a of burst.slice(3)) {
      expect(() => a.recheck()).to.throw(TooManyRequestsError);
      a.abandoned();
    }
    const other = throttle.begin('203.0.113.1', 'bob');
    other.recheck();
    other.succeeded();
  });

  it('tells whether an attempt is suspect: its address or its pair failed in this window or the one before', () => {
    const { clock, throttle } = throttleAt(limits);
    const clean = throttle.begin('203.0.113.1', 'ann');
    expect(clean.suspect()).to.equal(false);
    fail(throttle, '203.0.113.1', 'bob');
    expect(clean.suspect()).to.equal(true); // the address failed meanwhile
    clean.succeeded();
    clock.now += 60_000;
    const next = throttle.begin('203.0.113.1', 'ann');
    expect(next.suspect()).to.equal(true); // the window before had a failure
    next.succeeded();
    clock.now += 120_000;
    expect(throttle.begin('203.0.113.1', 'ann').suspect()).to.equal(false);
  });

  it('ends an attempt once, whatever is called after', () => {
    const { throttle } = throttleAt(limits);
    const attempt = throttle.begin('203.0.113.1', 'ann');
    attempt.failed();
    attempt.failed();
    attempt.abandoned();
    expect(throttle.stats().failures).to.equal(1);
  });

  it('divides the limits among processes, at least one failure each', () => {
    const { throttle } = throttleAt({ ...limits, perLogin: 5, perAddress: 20, processes: 2 });
    fail(throttle, '203.0.113.1', 'ann', 2);
    expect(() => throttle.begin('203.0.113.1', 'ann')).to.throw(TooManyRequestsError);
    const many = throttleAt({ ...limits, processes: 8 }).throttle;
    fail(many, '203.0.113.1', 'ann');
    expect(() => many.begin('203.0.113.1', 'ann')).to.throw(TooManyRequestsError);
  });

  it('keeps a bounded number of counters under a flood from very many addresses', () => {
    const { clock, throttle } = throttleAt(limits);
    for (let i = 0; i < 60_000; i++) fail(throttle, `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, 'ann');
    expect(throttle.size).to.be.at.most(50_000);
    clock.now += 60_000;
    fail(throttle, '203.0.113.1', 'ann');
    expect(throttle.size).to.be.at.most(50_000);
  });

  it('forgets counters whose window has ended', () => {
    const { clock, throttle } = throttleAt(limits);
    fail(throttle, '203.0.113.1', 'ann', 3);
    expect(throttle.size).to.equal(2); // the pair and the address
    clock.now += 60_000;
    throttle.begin('203.0.113.1', 'ann').succeeded();
    expect(throttle.size).to.equal(1); // the address stays suspect for one more window
    clock.now += 60_000;
    throttle.begin('203.0.113.1', 'ann').succeeded();
    expect(throttle.size).to.equal(0);
  });

  it('keys long logins by digest: still one counter per login', () => {
    const { throttle } = throttleAt(limits);
    const long = 'x'.repeat(10_000);
    fail(throttle, '203.0.113.1', long, 3);
    expect(() => throttle.begin('203.0.113.1', long)).to.throw(TooManyRequestsError);
    throttle.begin('203.0.113.1', long + 'y').succeeded();
  });
});
