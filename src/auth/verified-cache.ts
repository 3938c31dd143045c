// Remembers which (stored hash, presented password) pairs scrypt has already verified, so
// legacy clients that send Basic credentials with every request do not pay a slow hash each
// time. The key binds the stored hash, so a changed password never matches an old entry; the
// user row is read again whenever the database may have changed, so a removed user is refused
// at once. Presented passwords are kept only as a SHA-256 digest keyed by a secret that lives
// in this process's memory: secret, hash and password in one call of crypto.hash, a third of
// an HMAC's cost on every request (the digests never leave the process, so HMAC's guard against
// length extension buys nothing here; a stored hash holds no NUL, so the fields cannot run
// together).
import { hash, randomBytes } from 'node:crypto';

const MAX_ENTRIES = 10_000;

export class VerifiedCache {
  private readonly secret = randomBytes(32).toString('base64');
  private readonly entries = new Set<string>();

  private key(storedHash: string, password: string): string {
    return hash('sha256', `${this.secret}\0${storedHash}\0${password}`, 'base64');
  }

  has(storedHash: string, password: string): boolean {
    return this.entries.has(this.key(storedHash, password));
  }

  add(storedHash: string, password: string): void {
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    this.entries.add(this.key(storedHash, password));
  }
}
