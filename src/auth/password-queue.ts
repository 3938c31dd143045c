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

export interface CheckOptions {
  /** Called once the check has its turn: may still refuse it by throwing. */
  admit?: () => void;
  /** Whether the request's address or login has failed lately: waiting checks that are not go first. */
  suspect?: () => boolean;
}

interface Waiting {
  go: () => void;
  suspect: () => boolean;
}

export class PasswordQueue {
  private running = 0;
  private checked = 0;
  private rejected = 0;
  /** Told of each check started and each refused: for metrics. */
  onCheck?: () => void;
  onRejected?: () => void;
  private readonly queue: Waiting[] = [];
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

  /** Runs `check` for a request from `address` once it has its turn. */
  async run<T>(address: string, check: () => Promise<T>, { admit, suspect = () => false }: CheckOptions = {}): Promise<T> {
    const held = this.held.get(address) ?? 0;
    const full = this.running >= this.concurrency && this.queue.length >= this.waiting;
    if (full || held >= this.perAddress) {
      this.rejected++;
      this.onRejected?.();
      throw new ServiceUnavailableError('Too many password checks at once. Please retry shortly.', 1);
    }
    this.held.set(address, held + 1);
    if (this.running < this.concurrency) this.running++;
    else await new Promise<void>((go) => this.queue.push({ go, suspect }));
    try {
      admit?.();
      this.checked++;
      this.onCheck?.();
      return await check();
    } finally {
      this.handOn();
      this.release(address);
    }
  }

  /**
   * Gives the slot to the first waiting check that is not suspect, or else the first in line, or
   * frees it. Asked when the slot frees, not when the check queued: an attacker's burst queues
   * before its first failures land.
   */
  private handOn(): void {
    if (this.queue.length === 0) {
      this.running--;
      return;
    }
    const clean = this.queue.findIndex((w) => !w.suspect());
    const [next] = this.queue.splice(Math.max(0, clean), 1);
    next.go();
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
