// A process's background job over the database, run in steps (one transaction each) until
// nothing is left: after a kick (a commit of this process's), and on a poll for other
// processes' writes. One run at a time; a kick during a run makes it go round once more. A
// failure (the database down) is logged once per outage, and tried again on the next poll.
// Used by the events' sequencer and the search indexer.

export interface LoopWork {
  /** Named in the log: "events: sequencing". */
  label: string;
  /** A cheap indexed probe: is there anything to do? An idle process then takes no lock on each poll. */
  pending(): Promise<boolean>;
  /** One step; true when it did a full batch (more may be left). */
  step(): Promise<boolean>;
}

/** Gathers the commits of a few milliseconds into one run. */
const KICK_DELAY_MS = 2;

export class BackgroundLoop {
  private running: Promise<void> | undefined;
  private again = false;
  private scheduled: NodeJS.Timeout | undefined;
  private readonly timer: NodeJS.Timeout;
  private stopped = false;
  private failing = false;

  constructor(
    private readonly work: LoopWork,
    pollMs: number,
    private readonly log: (line: string) => void,
  ) {
    this.timer = setInterval(() => this.run(), pollMs);
    this.timer.unref();
  }

  kick(): void {
    if (this.scheduled || this.stopped) return;
    this.scheduled = setTimeout(() => {
      this.scheduled = undefined;
      this.run();
    }, KICK_DELAY_MS);
  }

  /** Runs steps until nothing is left; a call while running makes it go round once more. */
  run(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          if (!(await this.work.pending())) continue;
          while ((await this.work.step()) && !this.stopped);
        } while (this.again && !this.stopped);
        this.failing = false;
      } catch (error) {
        if (!this.failing) this.log(`${this.work.label} failed (${(error as { code?: string }).code ?? (error as Error).name}); retried on every poll`);
        this.failing = true;
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    clearTimeout(this.scheduled);
    await this.running;
  }
}
