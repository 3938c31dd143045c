// Bounds the cost of checking passwords: at most `concurrency` scrypt checks run at once in this
// process and at most `waiting` more wait their turn; past that the answer is a quick 503 with
// Retry-After instead of a wait that grows with the flood. One client address may hold at most
// half of the places, so that a burst from one address leaves room for everyone else. scrypt runs on libuv's thread pool
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
  /** Checks running or waiting, per client address. */
  private readonly held = new Map<string, number>();
  /** What one address may hold of the queue: half of it, so one address cannot fill it alone. */
  private readonly perAddress: number;

  constructor(
    private readonly concurrency = DEFAULT_PASSWORD_CHECKS,
    private readonly waiting = DEFAULT_PASSWORD_CHECK_QUEUE,
  ) {
    this.perAddress = Math.max(1, Math.floor((concurrency + waiting) / 2));
  }

  /**
   * Runs `check` for a request from `address` once it has its turn; `admit`, called then, may
   * still refuse it by throwing.
   */
  async run<T>(address: string, check: () => Promise<T>, admit: () => void = () => {}): Promise<T> {
    const held = this.held.get(address) ?? 0;
    const full = this.running >= this.concurrency && this.queue.length >= this.waiting;
    if (full || held >= this.perAddress) {
      this.rejected++;
      this.onRejected?.();
      throw new ServiceUnavailableError('Too many password checks at once. Please retry shortly.', 1);
    }
    this.held.set(address, held + 1);
    try {
      if (this.running < this.concurrency) this.running++;
      else await new Promise<void>((resolve) => this.queue.push(resolve));
    } catch (error) {
      this.release(address);
      throw error;
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
      this.release(address);
    }
  }

  private release(address: string): void {
    const held = (this.held.get(address) ?? 1) - 1;
    if (held > 0) this.held.set(address, held);
    else this.held.delete(address);
  }

  stats(): PasswordQueueStats {
    return { running: this.running, waiting: this.queue.length, checked: this.checked, rejected: this.rejected };
  }
}
