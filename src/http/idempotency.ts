// Idempotency-Key on POST: the first answer is stored with a digest of the request, in the
// same transaction as the write, and replayed to a retry with the same key and the same
// request for 24 hours; the same key with another request is a 422. Concurrent retries meet
// on the (user, key) unique index, so only one of them writes.
import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { isUniqueViolation } from '../db/errors.js';
import { BadRequestError, InvalidError } from '../errors.js';
import { nowToSecond, toDbText } from '../time.js';
import { writeTransaction } from '../db/transaction.js';

export const IDEMPOTENCY_WINDOW_MS = 24 * 60 * 60 * 1000;
const MAX_KEY_LENGTH = 255;
const MAX_ATTEMPTS = 5;

export interface StoredAnswer {
  status: number;
  location: string | null;
  etag: string | null;
  contentType: string;
  body: string;
}

export function requestDigest(method: string, path: string, body: Uint8Array): string {
  return createHash('sha256').update(`${method} ${path}\n`).update(body).digest('hex');
}

export function checkKey(key: string): void {
  if (key.length > MAX_KEY_LENGTH || /[^\x21-\x7e]/.test(key)) throw new BadRequestError(`Idempotency-Key must be 1 to ${MAX_KEY_LENGTH} visible ASCII characters.`);
}

interface StoredRow {
  id: number;
  digest: string;
  createdAt: string;
  answer: StoredAnswer;
}

async function stored(trx: Knex.Transaction, userId: number, key: string): Promise<StoredRow | undefined> {
  const row = await trx('idempotency_keys').where({ user_id: userId, idempotency_key: key }).first();
  return (
    row && {
      id: row.id,
      digest: row.request_digest,
      createdAt: String(row.created_at),
      answer: { status: row.status, location: row.location, etag: row.etag, contentType: row.content_type, body: row.body },
    }
  );
}

function replay(found: StoredRow, digest: string): StoredAnswer {
  if (found.digest !== digest) throw new InvalidError(['Idempotency-Key has already been used with another request']);
  return found.answer;
}

/**
 * Runs `work` once per (user, key, request); a retry gets the stored answer. `work` writes
 * through the transaction it is given, so the answer and the write commit together.
 */
export async function once(db: Knex, userId: number, key: string, digest: string, work: (trx: Knex.Transaction) => Promise<StoredAnswer>): Promise<StoredAnswer> {
  const attempt = () =>
    writeTransaction(db, async (trx) => {
      const found = await stored(trx, userId, key);
      const cutoff = toDbText(new Date(Date.now() - IDEMPOTENCY_WINDOW_MS));
      if (found && found.createdAt >= cutoff) return replay(found, digest);
      // Only a row seen expired is removed, by its id: a DELETE by key would be a locking read
      // that could remove a claim another request has just committed.
      if (found) await trx('idempotency_keys').where('id', found.id).andWhere('created_at', '<', cutoff).del();
      // Claim the key before the work: a concurrent request with it waits here on the unique
      // index until this transaction ends, then fails as a duplicate and retries as a replay.
      const [id] = await trx('idempotency_keys').insert({
        user_id: userId,
        idempotency_key: key,
        request_digest: digest,
        status: 0,
        content_type: '',
        body: '',
        created_at: toDbText(nowToSecond()),
      });
      const answer = await work(trx);
      await trx('idempotency_keys').where('id', id).update({ status: answer.status, location: answer.location, etag: answer.etag, content_type: answer.contentType, body: answer.body });
      return answer;
    });
  for (let tries = 1; ; tries++) {
    try {
      return await attempt();
    } catch (error) {
      // Another request with this key got there first: ours rolled back whole; try again, which
      // replays the other's answer. (Lock conflicts are run again by writeTransaction itself.)
      if (tries >= MAX_ATTEMPTS || !isUniqueViolation(error)) throw error;
    }
  }
}
