// Idempotency-Key on POST: the first answer is stored with a digest of the request, in the
// same transaction as the write, and replayed to a retry with the same key and the same
// request for 24 hours; the same key with another request is a 422. Concurrent retries meet
// on the (user, key) unique index, so only one of them writes.
import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { isUniqueViolation } from '../db/errors.js';
import { BadRequestError, InvalidError } from '../errors.js';
import { nowToSecond, toDbText } from '../time.js';

export const IDEMPOTENCY_WINDOW_MS = 24 * 60 * 60 * 1000;
const MAX_KEY_LENGTH = 255;

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

async function stored(trx: Knex.Transaction, userId: number, key: string): Promise<{ digest: string; answer: StoredAnswer } | undefined> {
  const row = await trx('idempotency_keys')
    .where({ user_id: userId, idempotency_key: key })
    .andWhere('created_at', '>=', toDbText(new Date(Date.now() - IDEMPOTENCY_WINDOW_MS)))
    .first();
  return row && { digest: row.request_digest, answer: { status: row.status, location: row.location, etag: row.etag, contentType: row.content_type, body: row.body } };
}

function replay(found: { digest: string; answer: StoredAnswer }, digest: string): StoredAnswer {
  if (found.digest !== digest) throw new InvalidError(['Idempotency-Key has already been used with another request']);
  return found.answer;
}

/**
 * Runs `work` once per (user, key, request); a retry gets the stored answer. `work` writes
 * through the transaction it is given, so the answer and the write commit together.
 */
export async function once(db: Knex, userId: number, key: string, digest: string, work: (trx: Knex.Transaction) => Promise<StoredAnswer>): Promise<StoredAnswer> {
  const attempt = () =>
    db.transaction(async (trx) => {
      const found = await stored(trx, userId, key);
      if (found) return replay(found, digest);
      await trx('idempotency_keys').where({ user_id: userId, idempotency_key: key }).del(); // an expired one
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
  try {
    return await attempt();
  } catch (error) {
    // Another request with this key committed first: ours rolled back; answer as a retry.
    if (!isUniqueViolation(error)) throw error;
    return attempt();
  }
}
