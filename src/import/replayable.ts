// An import's byte stream, readable again from its start: a file is one transaction, and a
// transaction the database refuses as a lock conflict (on Galera, a certification conflict,
// often at COMMIT) can only be run again whole, so its input must be read again. The bytes
// are copied to a temporary file (mode 0600) as they are first read; a new reading replays the
// file, then goes on with the part of the source not read yet. Memory stays bounded.
import { createReadStream } from 'node:fs';
import { mkdtemp, open, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

type Chunk = Uint8Array | string;

export class ReplayableSource {
  private readonly iterator: AsyncIterator<Chunk>;
  private dir?: string;
  private file?: FileHandle;
  private spooled = 0;
  private done = false;

  constructor(source: AsyncIterable<Chunk>) {
    this.iterator = source[Symbol.asyncIterator]();
  }

  /** A new reading from the start. Only one reading at a time; a reading left unfinished is abandoned, not closed. */
  async *read(): AsyncGenerator<Uint8Array> {
    if (this.spooled > 0 && this.dir) {
      // Read through a stream of its own, up to what was spooled (appends may follow).
      for await (const chunk of createReadStream(join(this.dir, 'body'), { start: 0, end: this.spooled - 1 })) yield chunk as Buffer;
    }
    while (!this.done) {
      // next(), never for-await: leaving the loop must not close the source (an HTTP body).
      const { value, done } = await this.iterator.next();
      if (done) {
        this.done = true;
        break;
      }
      const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
      await this.spool(bytes);
      yield bytes;
    }
  }

  private async spool(bytes: Uint8Array): Promise<void> {
    if (bytes.length === 0) return;
    if (!this.file) {
      this.dir = await mkdtemp(join(tmpdir(), 'contacts-import-'));
      this.file = await open(join(this.dir, 'body'), 'wx', 0o600);
    }
    await this.file.write(bytes, 0, bytes.length, this.spooled);
    this.spooled += bytes.length;
  }

  /** Removes the copy; the source itself is read to its end by the caller or left as it is. */
  async close(): Promise<void> {
    await this.file?.close();
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
    this.file = undefined;
    this.dir = undefined;
  }
}
