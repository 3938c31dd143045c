// Bounds the cost of checking passwords: at most `concurrency` scrypt checks run at once in this
// process and at most `waiting` more wait their turn; past that the answer is a quick 503 with
// Retry-After instead of a wait that grows with the flood. scrypt runs on libuv's thread pool
// (4 threads by default, shared with the file system and DNS): keeping it to a couple of threads
// leaves the rest for everything else. Cached credentials never come here.
import { ServiceUnavailableError } from '../errors.js';

export const DEFAULT_PASSWORD_CHECKS = 2;
export const DEFAULT_PASSWORD_CHECK_QUEUE = 8;

export interface PasswordQueueStats {
  running: number;
  waiting: number;
  /** Checks run since start. */
  checked: number;
  /** Checks refused with a 503 because the queue was full, since start. */
  rejected: number;
}

export class PasswordQueue {
  private running = 0;
  private checked = 0;
  private rejected = 0;
  /** Told of each check started and each refused: for metrics. */
  onCheck?: () => void;
  onRejected?: () => void;
  private readonly queue: Array<() => void> = [];

  constructor(
    private readonly concurrency = DEFAULT_PASSWORD_CHECKS,
    private readonly waiting = DEFAULT_PASSWORD_CHECK_QUEUE,
  ) {}

  /** `admit`, called once the check has its slot, may still refuse it by throwing. */
  async run<T>(check: () => Promise<T>, admit: () => void = () => {}): Promise<T> {
    if (this.running < this.concurrency) this.running++;
    else if (this.queue.length < this.waiting) await new Promise<void>((resolve) => this.queue.push(resolve));
    else {
      this.rejected++;
      this.onRejected?.();
      throw new ServiceUnavailableError('Too many password checks at once. Please retry shortly.', 1);
    }
    try {
      admit();
      this.checked++;
      this.onCheck?.();
      return await check();
    } finally {
      // Hand the slot to the next in line, or free it.
      const next = this.queue.shift();
      if (next) next();
      else this.running--;
    }
  }

  stats(): PasswordQueueStats {
    return { running: this.running, waiting: this.queue.length, checked: this.checked, rejected: this.rejected };
  }
}
