// The knobs of events and webhooks, from the environment, with the contract's defaults. The
// durations are settable so that tests can watch retries, failing endpoints and leases in
// seconds rather than hours.

export interface EventSettings {
  /** Events (and delivery attempts) older than this many days are purged; EVENTS_RETENTION_DAYS. */
  retentionDays: number;
  /** WEBHOOKS_ALLOW_PRIVATE=1: URLs on loopback, private and link-local addresses are allowed. */
  allowPrivate: boolean;
  /** First retry delay, doubled on each failure up to retryMaxMs. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** An endpoint failing for this long is marked failing (its deliveries are kept). */
  failingAfterMs: number;
  /** A receiver's answer must start within this long. */
  timeoutMs: number;
  /** How long a process owns an endpoint's deliveries without renewing (a killed process's lease lapses after it). */
  leaseMs: number;
  /** How often each process looks for work another process created (events to sequence, deliveries due). */
  pollMs: number;
  /** How often old events are purged. */
  purgeEveryMs: number;
}

export const DEFAULT_EVENT_SETTINGS: EventSettings = {
  retentionDays: 30,
  allowPrivate: false,
  retryBaseMs: 1_000,
  retryMaxMs: 3_600_000,
  failingAfterMs: 24 * 3_600_000,
  timeoutMs: 10_000,
  leaseMs: 30_000,
  pollMs: 200,
  purgeEveryMs: 3_600_000,
};

function number(name: string, raw: string | undefined, fallback: number, min: number): number {
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min) throw new Error(`${name} must be an integer >= ${min}, got "${raw}"`);
  return Number(raw);
}

export function readEventSettings(env: NodeJS.ProcessEnv = process.env): EventSettings {
  const d = DEFAULT_EVENT_SETTINGS;
  return {
    retentionDays: number('EVENTS_RETENTION_DAYS', env.EVENTS_RETENTION_DAYS, d.retentionDays, 1),
    allowPrivate: env.WEBHOOKS_ALLOW_PRIVATE === '1' || env.WEBHOOKS_ALLOW_PRIVATE === 'true',
    retryBaseMs: number('WEBHOOKS_RETRY_BASE_MS', env.WEBHOOKS_RETRY_BASE_MS, d.retryBaseMs, 1),
    retryMaxMs: number('WEBHOOKS_RETRY_MAX_MS', env.WEBHOOKS_RETRY_MAX_MS, d.retryMaxMs, 1),
    failingAfterMs: number('WEBHOOKS_FAILING_AFTER_MS', env.WEBHOOKS_FAILING_AFTER_MS, d.failingAfterMs, 1),
    timeoutMs: number('WEBHOOKS_TIMEOUT_MS', env.WEBHOOKS_TIMEOUT_MS, d.timeoutMs, 1),
    leaseMs: number('WEBHOOKS_LEASE_MS', env.WEBHOOKS_LEASE_MS, d.leaseMs, 100),
    pollMs: number('EVENTS_POLL_MS', env.EVENTS_POLL_MS, d.pollMs, 10),
    purgeEveryMs: number('EVENTS_PURGE_EVERY_MS', env.EVENTS_PURGE_EVERY_MS, d.purgeEveryMs, 10),
  };
}
