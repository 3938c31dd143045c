// A bare TCP client for HTTP requests that fetch cannot send: a Content-Length that lies,
// a body dripped byte by byte, a body finished after a signal. Records when the first byte of
// the answer arrived and when the server closed the connection.
import { connect, type Socket } from 'node:net';

export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export class RawClient {
  private readonly chunks: Buffer[] = [];
  private readonly started = performance.now();
  /** Milliseconds from connect to the first byte of the answer, if any came. */
  firstByteMs?: number;
  /** Milliseconds from connect to the close of the socket, once closed. */
  closedMs?: number;
  /** The socket error, if one happened (ECONNRESET when the server destroys the socket). */
  error?: string;
  readonly closed: Promise<number>;
  private readonly waiters = new Set<() => void>();

  private constructor(readonly socket: Socket) {
    socket.on('data', (d: Buffer) => {
      this.firstByteMs ??= performance.now() - this.started;
      this.chunks.push(d);
      this.wake();
    });
    socket.on('error', (e: NodeJS.ErrnoException) => (this.error = e.code ?? e.message));
    this.closed = new Promise((resolve) =>
      socket.on('close', () => {
        this.closedMs = performance.now() - this.started;
        this.wake();
        resolve(this.closedMs);
      }),
    );
  }

  static open(port: number, host = '127.0.0.1'): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, host);
      const client = new RawClient(socket);
      socket.once('connect', () => resolve(client));
      socket.once('error', reject);
    });
  }

  get isClosed(): boolean {
    return this.closedMs !== undefined;
  }

  private wake(): void {
    for (const w of this.waiters) w();
  }

  /** Writes, resolving once flushed (or at once when the socket is already gone). */
  write(data: string | Buffer): Promise<void> {
    if (this.socket.destroyed || !this.socket.writable) return Promise.resolve();
    return new Promise((resolve) => this.socket.write(data, () => resolve()));
  }

  /** Everything received so far, decoded as UTF-8. */
  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }

  /**
   * The first complete final answer, if one has arrived: interim 1xx answers (100 Continue) are
   * skipped; the body is delimited by Content-Length, by chunked encoding, or by the close.
   */
  answer(): RawAnswer | undefined {
    const raw = Buffer.concat(this.chunks);
    let start = 0;
    for (;;) {
      const end = raw.indexOf('\r\n\r\n', start);
      if (end === -1) return undefined;
      const [statusLine, ...lines] = raw.subarray(start, end).toString('latin1').split('\r\n');
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1]);
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      const rest = raw.subarray(end + 4);
      if (status >= 100 && status < 200) {
        start = end + 4;
        continue;
      }
      if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
        const body = dechunk(rest);
        return body === undefined ? undefined : { status, headers, body: body.toString('utf8') };
      }
      if (headers['content-length'] === undefined) return this.isClosed ? { status, headers, body: rest.toString('utf8') } : undefined;
      const length = Number(headers['content-length']);
      if (rest.length < length) return undefined;
      return { status, headers, body: rest.subarray(0, length).toString('utf8') };
    }
  }

  /** Resolves true once `text()` matches, false if the socket closes or time runs out first. */
  waitForText(pattern: RegExp, timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const check = () => {
        if (pattern.test(this.text())) done(true);
        else if (this.isClosed) done(false);
      };
      const timer = setTimeout(() => done(pattern.test(this.text())), timeoutMs);
      const done = (found: boolean) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(found);
      };
      this.waiters.add(check);
      check();
    });
  }

  /** Resolves with the first complete answer, or undefined if the socket closes or time runs out first. */
  waitForAnswer(timeoutMs: number): Promise<RawAnswer | undefined> {
    return new Promise((resolve) => {
      const check = () => {
        const answer = this.answer();
        if (answer || this.isClosed) done(answer);
      };
      const timer = setTimeout(() => done(this.answer()), timeoutMs);
      const done = (answer: RawAnswer | undefined) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(answer);
      };
      this.waiters.add(check);
      check();
    });
  }

  /** Resolves true once the server closed the socket, false if it is still open after `timeoutMs`. */
  async waitForClose(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    const closed = await Promise.race([this.closed.then(() => true as const), timeout]);
    clearTimeout(timer);
    return closed;
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** A whole chunked body, or undefined while its last chunk has not arrived. */
function dechunk(raw: Buffer): Buffer | undefined {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = raw.indexOf('\r\n', at);
    if (lineEnd === -1) return undefined;
    const size = parseInt(raw.subarray(at, lineEnd).toString('latin1'), 16);
    if (Number.isNaN(size)) return undefined;
    if (size === 0) return Buffer.concat(parts);
    if (raw.length < lineEnd + 2 + size + 2) return undefined;
    parts.push(raw.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
}

/** The head of a request with exactly these headers (Host added). */
export function requestHead(method: string, path: string, headers: Record<string, string | number>): string {
  return `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}\r\n`;
}
