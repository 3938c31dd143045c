// A TCP proxy between the service and its database, so a test can take the database away (cut
// every connection and refuse new ones, or close new ones at once: dropNext) and bring it back,
// decide what becomes of one transaction's COMMIT (trapCommit), or leave one statement
// unanswered (neverAnswer).
import { connect, createServer, type Server, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Config } from '../../src/config.js';
import type { Engine } from './engines.js';
import { TestServer } from './server.js';

/**
 * What becomes of a trapped COMMIT: `cut`, the connection is cut at it (lost before its answer);
 * `lost`, it is never sent on and the connection stays open (the service's query deadline
 * fires); `{ lateMs }`, it is sent on that late, and the database side of the connection stays
 * open for it (and a second more) even when the service has given up on the connection.
 */
export type CommitFate = 'cut' | 'lost' | { lateMs: number };

/** How long the database side of a connection stays open after a late COMMIT was sent on. */
const LATE_ANSWER_MS = 1_000;

export class TcpProxy {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private trap?: { wrote: RegExp; fate: CommitFate };
  private unanswered?: RegExp;
  private toDrop = 0;
  /** COMMITs trapped so far. */
  commitsTrapped = 0;
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async open(port = this.port): Promise<void> {
    this.server = createServer((client) => {
      if (this.toDrop > 0) {
        this.toDrop--;
        client.destroy();
        return;
      }
      const upstream = connect(this.targetPort, this.targetHost);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {}); // a close follows, handled below
      }
      let wrote = false; // this connection sent a statement the trap waits for, not committed yet
      let late: Promise<void> | undefined; // a late COMMIT of this connection, until sent on
      client.on('data', (chunk: Buffer) => {
        const text = chunk.toString('latin1');
        if (this.unanswered?.test(text)) {
          this.unanswered = undefined;
          return;
        }
        if (this.trap?.wrote.test(text)) wrote = true;
        const end = /\b(COMMIT|ROLLBACK)\b/i.exec(text);
        if (end && this.trap && wrote && end[1].toUpperCase() === 'COMMIT') {
          const { fate } = this.trap;
          this.trap = undefined;
          this.commitsTrapped++;
          wrote = false;
          if (fate === 'cut') {
            client.destroy();
            upstream.destroy();
          } else if (fate !== 'lost') {
            late = sleep(fate.lateMs).then(() => void upstream.write(chunk)); // the client sends nothing more before the answer
          }
          return;
        }
        if (end) wrote = false;
        upstream.write(chunk);
      });
      upstream.on('data', (chunk: Buffer) => client.destroyed || client.write(chunk));
      upstream.on('close', () => client.destroy());
      client.on('close', () => {
        if (late) void late.then(() => setTimeout(() => upstream.end(), LATE_ANSWER_MS));
        else upstream.end();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
  }

  /**
   * Once: the first connection to send COMMIT after a statement matching `wrote` (since its last
   * COMMIT or ROLLBACK) has that COMMIT meet `fate`; `commitsTrapped` counts it.
   */
  trapCommit(wrote: RegExp, fate: CommitFate): void {
    this.trap = { wrote, fate };
  }

  /**
   * Once: the next statement a client sends that matches is never sent on, and its connection
   * stays open, as a server that hangs at that statement.
   */
  neverAnswer(statement: RegExp): void {
    this.unanswered = statement;
  }

  /** The next `count` connections are closed as soon as accepted, as HAProxy does with no node up. */
  dropNext(count: number): void {
    this.toDrop = count;
  }

  /** Cuts every connection and stops listening: the database is gone. */
  async cut(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

/** A service on the MySQL database of `engine`, reaching it through a new TcpProxy. */
export async function serveThroughProxy(engine: Engine, config: Partial<Omit<Config, 'databaseUrl'>> = {}): Promise<{ proxy: TcpProxy; server: TestServer }> {
  const target = new URL(engine.url());
  const proxy = new TcpProxy(target.hostname, Number(target.port));
  await proxy.open();
  target.port = String(proxy.port);
  const server = await TestServer.start({ name: 'mysql', url: () => target.toString() }, [], config);
  return { proxy, server };
}
