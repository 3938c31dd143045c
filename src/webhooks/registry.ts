// Webhook endpoints of a business file: register (the secret is returned only then), list,
// remove, and the log of delivery attempts. Plain functions over `db`, shared by the HTTP
// routes and the CLI.
import type { Knex } from 'knex';
import { writeTransaction } from '../db/transaction.js';
import { fromDbText, toDbText } from '../time.js';
import { newSecret } from './signing.js';
import { checkWebhookUrl } from './url-safety.js';

export interface Webhook {
  id: number;
  businessFileId: number;
  url: string;
  createdAt: Date;
  /** Every event up to this id has been delivered. */
  deliveredThrough: number;
  failing: boolean;
}

export interface DeliveryAttempt {
  eventId: number;
  attempt: number;
  attemptedAt: Date;
  status: number | null;
  error: string | null;
  milliseconds: number;
}

interface DbWebhookRow {
  id: number;
  business_file_id: number;
  url: string;
  created_at: string | Date;
  delivered_through: number | string;
  failing: number | boolean;
}

const webhookOf = (r: DbWebhookRow): Webhook => ({
  id: Number(r.id),
  businessFileId: Number(r.business_file_id),
  url: r.url,
  createdAt: fromDbText(r.created_at),
  deliveredThrough: Number(r.delivered_through),
  failing: Boolean(r.failing),
});

const COLUMNS = ['id', 'business_file_id', 'url', 'created_at', 'delivered_through', 'failing'];

export const URL_MAX = 2048;

/**
 * Registers an endpoint; it receives the events recorded from now on. Throws UnsafeUrlError
 * for a URL that is not allowed.
 */
export async function addWebhook(db: Knex, businessFileId: number, url: string, allowPrivate: boolean): Promise<Webhook & { secret: string }> {
  const checked = await checkWebhookUrl(url, allowPrivate);
  const secret = newSecret();
  // Starts after the last position given so far: every later position is a later event.
  const seq = (await db('event_sequence').where('id', 1).first('last_position')) as { last_position: number | string };
  const row = {
    business_file_id: businessFileId,
    url: checked.href,
    secret,
    created_at: toDbText(new Date()),
    delivered_through: Number(seq.last_position),
    next_attempt_at: 0,
  };
  const [id] = await db('webhooks').insert(row);
  return { ...webhookOf({ ...row, id: Number(id), failing: false }), secret };
}

export async function listWebhooks(db: Knex, businessFileId: number): Promise<Webhook[]> {
  return ((await db('webhooks').select(COLUMNS).where('business_file_id', businessFileId).orderBy('id')) as DbWebhookRow[]).map(webhookOf);
}

export async function findWebhook(db: Knex, businessFileId: number, id: number): Promise<Webhook | undefined> {
  const row = (await db('webhooks').select(COLUMNS).where({ id, business_file_id: businessFileId }).first()) as DbWebhookRow | undefined;
  return row && webhookOf(row);
}

/** True when it existed. Its log goes with it; an attempt in flight finishes and is not recorded. */
export async function removeWebhook(db: Knex, businessFileId: number, id: number): Promise<boolean> {
  return writeTransaction(db, async (trx) => {
    const found = await trx('webhooks').where({ id, business_file_id: businessFileId }).first('id');
    if (!found) return false;
    await trx('webhook_deliveries').where('webhook_id', id).delete();
    await trx('webhooks').where('id', id).delete();
    return true;
  });
}

/** The latest attempts, newest first. */
export async function listDeliveries(db: Knex, webhookId: number, limit: number): Promise<DeliveryAttempt[]> {
  const rows = await db('webhook_deliveries').select('event_id', 'attempt', 'attempted_at', 'status', 'error', 'milliseconds').where('webhook_id', webhookId).orderBy('id', 'desc').limit(limit);
  return rows.map((r) => ({
    eventId: Number(r.event_id),
    attempt: Number(r.attempt),
    attemptedAt: fromDbText(r.attempted_at),
    status: r.status === null ? null : Number(r.status),
    error: r.error,
    milliseconds: Number(r.milliseconds),
  }));
}
