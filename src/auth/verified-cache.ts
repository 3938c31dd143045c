// Remembers which (stored hash, presented password) pairs scrypt has already verified, so
// legacy clients that send Basic credentials with every request do not pay a slow hash each
// time. The key binds the stored hash, so a changed password never matches an old entry; the
// user row is still read on every request, so a removed user is refused at once. Presented
// passwords are kept only as an HMAC under a key that lives in this process's memory.
import { createHmac, randomBytes } from 'node:crypto';

const MAX_ENTRIES = 10_000;

export class VerifiedCache {
  private readonly secret = randomBytes(32);
  private readonly entries = new Set<string>();

  private key(storedHash: string, password: string): string {
    return createHmac('sha256', this.secret).update(storedHash).update('\0').update(password).digest('base64');
  }

  has(storedHash: string, password: string): boolean {
    return this.entries.has(this.key(storedHash, password));
  }

  add(storedHash: string, password: string): void {
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    this.entries.add(this.key(storedHash, password));
  }
}
