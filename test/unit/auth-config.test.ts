// The password-guessing settings read from the environment: defaults, the division among
// WORKERS, an explicit process count for several servers, and refusals at start-up.
import { expect } from 'chai';
import { readConfig } from '../../src/config.js';

describe('readConfig: password guessing', () => {
  it('has the documented defaults, TRUST_PROXY off', () => {
    expect(readConfig({}).auth).to.deep.equal({
      trustProxy: undefined,
      throttle: { windowMs: 60_000, perLogin: 5, perAddress: 30, processes: 1 },
      passwordChecks: 2,
      passwordCheckQueue: 8,
    });
  });

  it('shares the limits among WORKERS, or LOGIN_THROTTLE_PROCESSES when several servers share them', () => {
    expect(readConfig({ WORKERS: '4' }).auth?.throttle?.processes).to.equal(4);
    expect(readConfig({ WORKERS: '4', LOGIN_THROTTLE_PROCESSES: '12' }).auth?.throttle?.processes).to.equal(12);
  });

  it('reads every variable', () => {
    const env = {
      TRUST_PROXY: '10.0.0.0/8, 127.0.0.1',
      LOGIN_FAILURE_WINDOW_MS: '1500',
      LOGIN_FAILURES_PER_LOGIN: '3',
      LOGIN_FAILURES_PER_ADDRESS: '7',
      PASSWORD_CHECKS: '1',
      PASSWORD_CHECK_QUEUE: '0',
    };
    expect(readConfig(env).auth).to.deep.equal({
      trustProxy: '10.0.0.0/8, 127.0.0.1',
      throttle: { windowMs: 1500, perLogin: 3, perAddress: 7, processes: 1 },
      passwordChecks: 1,
      passwordCheckQueue: 0,
    });
  });

  it('refuses limits that are not positive integers', () => {
    for (const [name, value] of [
      ['LOGIN_FAILURES_PER_LOGIN', '0'],
      ['LOGIN_FAILURES_PER_ADDRESS', 'ten'],
      ['LOGIN_FAILURE_WINDOW_MS', '-1'],
      ['PASSWORD_CHECKS', '0'],
      ['LOGIN_THROTTLE_PROCESSES', '1.5'],
    ]) {
      expect(() => readConfig({ [name]: value }), name).to.throw(name);
    }
  });
});
