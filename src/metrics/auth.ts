// Password guessing, measured: failed logins, 429s of the failed-login throttle, and the
// password-check queue (checks run, refused with a 503, running and waiting now). The throttle
// and the queue only call hooks, so src/auth stays free of metrics.
import type { PasswordQueue } from '../auth/password-queue.js';
import type { AuthGuards } from '../http/auth.js';
import { counter, gauge } from './registry.js';

const failures = counter('contacts_login_failures_total', 'Failed logins: a wrong password or unknown login (basic), an unknown token (token).', ['scheme']);
const throttled = counter('contacts_login_throttled_total', 'Attempts answered 429 by the failed-login throttle, without a password check.');
const checks = counter('contacts_password_checks_total', 'Password checks (scrypt) run.');
const rejected = counter('contacts_password_checks_rejected_total', 'Password checks refused with a 503 because the queue was full.');

/** The queues of the services running in this process (one, except in tests). */
const queues = new Set<WeakRef<PasswordQueue>>();
function queueGauge(name: string, help: string, read: (q: PasswordQueue) => number) {
  gauge(name, help, {
    collect() {
      let total = 0;
      for (const ref of queues) {
        const queue = ref.deref();
        if (queue) total += read(queue);
        else queues.delete(ref);
      }
      this.set(total);
    },
  });
}
queueGauge('contacts_password_checks_running', 'Password checks running now.', (q) => q.stats().running);
queueGauge('contacts_password_checks_waiting', 'Password checks waiting for their turn now.', (q) => q.stats().waiting);

export function measureAuth({ throttle, queue }: AuthGuards): void {
  throttle.onFailure = (scheme) => failures.inc({ scheme });
  throttle.onThrottled = () => throttled.inc();
  queue.onCheck = () => checks.inc();
  queue.onRejected = () => rejected.inc();
  queues.add(new WeakRef(queue));
}
