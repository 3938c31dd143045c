// A TCP proxy between the service and its database, so a test can take the database away
// (cut every connection and refuse new ones) and bring it back.
import { connect, createServer, type Server, type Socket } from 'node:net';

export class TcpProxy {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private trap?: { wrote: RegExp; delayMs?: number; sprung: () => void };
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async open(port = this.port): Promise<void> {
    this.server = createServer((client) => {
      const upstream = connect(this.targetPort, this.targetHost);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      let wrote = false; // this connection sent a statement the trap waits for, not committed yet
      client.on('data', (chunk: Buffer) => {
        const text = chunk.toString('latin1');
        if (this.trap?.wrote.test(text)) wrote = true;
        if (/\b(COMMIT|ROLLBACK)\b/i.test(text)) {
          if (this.trap && wrote && /\bCOMMIT\b/i.test(text)) {
            const { sprung, delayMs } = this.trap;
            this.trap = undefined;
            sprung();
            if (delayMs === undefined) {
              client.destroy();
              upstream.destroy();
            } else setTimeout(() => upstream.write(chunk), delayMs); // the client sends nothing more before the answer
            wrote = false;
            return;
          }
          wrote = false;
        }
        upstream.write(chunk);
      });
      client.on('end', () => upstream.end());
      upstream.pipe(client);
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
  }

  /**
   * Once: the first connection that sends COMMIT after a statement matching `wrote` (since its
   * last COMMIT or ROLLBACK) is cut instead, so the database never receives that COMMIT and rolls
   * the transaction back. Resolves when it has happened.
   */
  cutCommitAfter(wrote: RegExp): Promise<void> {
    return new Promise((sprung) => (this.trap = { wrote, sprung }));
  }

  /** Once, like cutCommitAfter: that COMMIT reaches the database `delayMs` late instead (a slow COMMIT). */
  delayCommitAfter(wrote: RegExp, delayMs: number): Promise<void> {
    return new Promise((sprung) => (this.trap = { wrote, delayMs, sprung }));
  }

  /** Cuts every connection and stops listening: the database is gone. */
  async cut(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}
