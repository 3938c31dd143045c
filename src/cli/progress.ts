// A one-line progress bar for a terminal: contacts done, rate, share of bytes read, ETA.
// Off a terminal it prints nothing; the caller prints the summary line.

export class ProgressBar {
  private readonly started = Date.now();
  private last = 0;

  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly label: string,
    private readonly totalBytes: number,
  ) {}

  update(done: number, bytesRead: number, force = false): void {
    const now = Date.now();
    if (!force && now - this.last < 100) return;
    this.last = now;
    const seconds = Math.max((now - this.started) / 1000, 0.001);
    const share = this.totalBytes > 0 ? Math.min(bytesRead / this.totalBytes, 1) : 0;
    const eta = share > 0 ? Math.round(seconds / share - seconds) : 0;
    const width = 24;
    const filled = Math.round(share * width);
    const bar = '#'.repeat(filled) + '-'.repeat(width - filled);
    const line = `${this.label} [${bar}] ${(share * 100).toFixed(0).padStart(3)}%  ${done.toLocaleString('en')} contacts  ${Math.round(done / seconds).toLocaleString('en')}/s  ETA ${Math.floor(eta / 60)}:${String(eta % 60).padStart(2, '0')}`;
    this.out.write(`\r${line.slice(0, (this.out.columns || 100) - 1)}\x1b[K`);
  }

  finish(): void {
    this.out.write('\r\x1b[K');
  }
}
