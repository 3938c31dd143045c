// Change events and webhook deliveries: attempts by outcome (counted by the delivering process),
// and, read from the database when scraped, the newest event id and the age of the oldest
// event some endpoint has not received yet. Those two are the same in every process, so the
// cluster aggregate takes the largest, not the sum. A database that does not answer leaves
// them out of the scrape rather than failing it.
import type { Knex } from 'knex';
import { fromDbText } from '../time.js';
import { counter, gauge } from './registry.js';
import { largestOverDatabases } from './database.js';

export type DeliveryOutcome = 'delivered' | 'http_error' | 'failed';

const deliveries = counter('contacts_webhook_deliveries_total', 'Webhook delivery attempts: delivered (2xx), http_error (another status), failed (no answer: refused, timeout, error).', [
  'outcome',
]);

/** One attempt of a delivery: `status` is the receiver's, or null when it did not answer. */
export function countDelivery(ok: boolean, status: number | null): void {
  deliveries.inc({ outcome: ok ? 'delivered' : status === null ? 'failed' : 'http_error' });
}

async function newestEventId(db: Knex): Promise<number> {
  const row = (await db('event_sequence').where({ id: 1 }).first('last_position')) as { last_position: number | string } | undefined;
  return Number(row?.last_position ?? 0);
}

async function oldestPendingSeconds(db: Knex): Promise<number> {
  const row = (await db('webhooks as w')
    .join('events as e', function () {
      this.on('e.business_file_id', '=', 'w.business_file_id').andOn('e.position', '>', 'w.delivered_through');
    })
    .min({ oldest: 'e.created_at' })
    .first()) as { oldest: string | Date | null } | undefined;
  return row?.oldest ? Math.max(0, (Date.now() - fromDbText(row.oldest).getTime()) / 1000) : 0;
}

gauge('contacts_events_newest_id', 'The id of the newest change event visible in the feed.', { aggregator: 'max', collect: largestOverDatabases(newestEventId) });
gauge('contacts_webhook_oldest_pending_seconds', 'Age of the oldest event a webhook endpoint has not received yet (0: none pending).', {
  aggregator: 'max',
  collect: largestOverDatabases(oldestPendingSeconds),
});
