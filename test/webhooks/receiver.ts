// A webhook receiver for specs: an HTTP server on 127.0.0.1 that records every request (headers
// and body) and answers with the status the spec chooses (200 by default), optionally late.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { createHmac } from 'node:crypto';

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  json: any;
  at: number;
}

export class Receiver {
  readonly received: Received[] = [];
  /** Decides the answer to each request (status, and a delay in ms before answering). */
  answer: (r: Received) => { status: number; delayMs?: number } = () => ({
    status: 200,
  });
  private server: Server | undefined;
  port = 0;

  async start(port = 0): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(body);
        } catch {
          json = undefined;
        }
        const r: Received = {
          headers: req.headers,
          body,
          json,
          at: Date.now(),
        };
        this.received.push(r);
        const { status, delayMs } = this.answer(r);
        const reply = () => res.writeHead(status, { 'Content-Type': 'text/plain' }).end('a body the service must not keep');
        if (delayMs) setTimeout(reply, delayMs);
        else reply();
      });
    });
    this.server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/hook`;
  }

  /** The event ids received, in arrival order. */
  eventIds(): number[] {
    return this.received.map((r) => Number(r.headers['webhook-id']));
  }

  async waitFor(check: () => boolean, timeoutMs = 10_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > until) throw new Error(`receiver: still waiting after ${timeoutMs} ms (${this.received.length} received)`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }
}

/** What a receiver does to check a delivery, per Standard Webhooks (README "Checking a delivery"). */
export function verifySignature(secret: string, headers: IncomingHttpHeaders, body: string): boolean {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${headers['webhook-id']}.${headers['webhook-timestamp']}.${body}`).digest('base64');
  return String(headers['webhook-signature'] ?? '')
    .split(' ')
    .some((s) => s === `v1,${expected}`);
}
