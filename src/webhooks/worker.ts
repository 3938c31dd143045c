// The delivery worker, one per service process. Each endpoint (webhook) is delivered by one
// process at a time: a process takes the endpoint's lease (a conditional UPDATE on its row:
// lease_owner, lease_until), then sends the endpoint's events one after the other in feed
// order, moving the endpoint's cursor (`delivered_through`) in the database as they succeed.
// A failure stops the endpoint until its next attempt (1 s doubling, at most 1 h apart) and
// releases the lease; after 24 h of failures the endpoint is marked failing, and still retried.
// Endpoints run concurrently, so a slow one never holds up another; an API write only records
// its event. Everything is in the database: after a restart or a kill -9 (once the dead
// process's lease lapses) delivery resumes where the cursor is: at least once, in order.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Knex } from 'knex';
import { writeTransaction } from '../db/transaction.js';
import type { EventSettings } from '../events/settings.js';
import { countDelivery } from '../metrics/events.js';
import { toDbText } from '../time.js';
import { deliveryBody, deliveryHeaders, type DbDeliveryEvent } from './payload.js';
import { postWebhook } from './send.js';

/** Events read per query while an endpoint is behind. */
const EVENTS_BATCH = 100;
/** The cursor and the attempt log are written at least this often while deliveries succeed. */
const FLUSH_EVERY = 50;
const FLUSH_MS = 250;

interface EndpointRow {
  id: number;
  business_file_id: number;
  url: string;
  secret: string;
  delivered_through: number | string;
  attempts: number;
  first_failed_at: number | string | null;
}

interface LogRow {
  webhook_id: number;
  event_id: number;
  attempt: number;
  attempted_at: string;
  status: number | null;
  error: string | null;
  milliseconds: number;
}

export function retryDelay(attempts: number, settings: Pick<EventSettings, 'retryBaseMs' | 'retryMaxMs'>): number {
  return Math.min(settings.retryBaseMs * 2 ** Math.min(attempts - 1, 40), settings.retryMaxMs);
}

export class DeliveryWorker {
  private readonly owner = `${hostname().slice(0, 30)}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly active = new Map<number, Promise<void>>();
  private readonly abort = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private scanning: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private scanFailing = false;

  constructor(
    private readonly db: Knex,
    private readonly settings: EventSettings,
    private readonly log: (line: string) => void,
  ) {
    this.timer = setInterval(() => void this.scan(), settings.pollMs);
    this.timer.unref();
  }

  /** Looks for due endpoints now (after events were committed or sequenced). */
  wake(): void {
    void this.scan();
  }

  private scan(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.scanning) {
      this.again = true;
      return this.scanning;
    }
    this.scanning = (async () => {
      try {
        do {
          this.again = false;
          await this.claimDue();
        } while (this.again && !this.stopped);
        this.scanFailing = false;
      } catch (error) {
        // Once per outage (the database down), not on every poll.
        if (!this.scanFailing) this.log(`webhooks: looking for deliveries failed (${(error as { code?: string }).code ?? (error as Error).name}); retried on every poll`);
        this.scanFailing = true;
      } finally {
        this.scanning = undefined;
      }
    })();
    return this.scanning;
  }

  private async claimDue(): Promise<void> {
    const now = Date.now();
    const db = this.db;
    const due = (await db('webhooks as w')
      .select('w.id')
      .where('w.next_attempt_at', '<=', now)
      .where('w.lease_until', '<', now)
      .whereExists(db('events as e').select(db.raw('1')).whereRaw('e.business_file_id = w.business_file_id').whereRaw('e.position > w.delivered_through'))) as { id: number }[];
    for (const { id } of due) {
      if (this.stopped || this.active.has(id)) continue;
      const claimed = await db('webhooks')
        .where('id', id)
        .where('lease_until', '<', now)
        .where('next_attempt_at', '<=', now)
        .update({
          lease_owner: this.owner,
          lease_until: now + this.settings.leaseMs,
        });
      if (claimed !== 1) continue; // another process took it
      const run = this.deliver(id, now + this.settings.leaseMs)
        .catch((error) => this.log(`webhooks: delivery to endpoint ${id} stopped (${(error as { code?: string }).code ?? (error as Error).name}); retried after its lease`))
        .finally(() => this.active.delete(id));
      this.active.set(id, run);
    }
  }

  /** Delivers an endpoint's pending events while they succeed; holds the lease throughout. */
  private async deliver(id: number, leaseUntil: number): Promise<void> {
    const { db, settings } = this;
    const row = (await db('webhooks').select('id', 'business_file_id', 'url', 'secret', 'delivered_through', 'attempts', 'first_failed_at').where({ id, lease_owner: this.owner }).first()) as
      EndpointRow | undefined;
    if (!row) return;
    let cursor = Number(row.delivered_through);
    let attempts = Number(row.attempts);
    let firstFailedAt = row.first_failed_at === null ? null : Number(row.first_failed_at);
    let logs: LogRow[] = [];
    let lastFlush = Date.now();

    /** Writes cursor, retry state and log; false when the lease was lost (or the endpoint removed). */
    const flush = async (state: { release: boolean; nextAttemptAt?: number }): Promise<boolean> => {
      const now = Date.now();
      const failing = firstFailedAt !== null && now - firstFailedAt >= settings.failingAfterMs;
      const written = logs;
      logs = [];
      lastFlush = now;
      return writeTransaction(db, async (trx) => {
        const updated = await trx('webhooks')
          .where({ id, lease_owner: this.owner })
          .update({
            delivered_through: cursor,
            attempts,
            first_failed_at: firstFailedAt,
            failing,
            next_attempt_at: state.nextAttemptAt ?? 0,
            lease_owner: state.release ? null : this.owner,
            lease_until: state.release ? 0 : (leaseUntil = now + settings.leaseMs),
          });
        if (updated !== 1) return false;
        if (written.length > 0) await trx('webhook_deliveries').insert(written);
        return true;
      });
    };

    try {
      for (;;) {
        const events = (await db('events')
          .select('position', 'business_file_id', 'object_zname', 'object_zid', 'object_action', 'user_id', 'object_changes', 'object_data')
          .where('business_file_id', row.business_file_id)
          .where('position', '>', cursor)
          .orderBy('position')
          .limit(EVENTS_BATCH)) as DbDeliveryEvent[];
        if (events.length === 0) break;
        for (const event of events) {
          if (this.stopped) return;
          // The lease must outlast the attempt: renewed (with what was done so far) when short.
          if (leaseUntil - Date.now() < settings.timeoutMs + 5_000 && !(await flush({ release: false }))) return;
          const eventId = Number(event.position);
          const body = deliveryBody(event);
          const attemptedAt = toDbText(new Date());
          const result = await postWebhook(row.url, deliveryHeaders(row.secret, eventId, body), body, settings.timeoutMs, settings.allowPrivate, this.abort.signal);
          if (this.stopped && !result.ok) return; // cut short by the stop: the next owner tries again
          countDelivery(result.ok, result.status);
          logs.push({
            webhook_id: id,
            event_id: eventId,
            attempt: attempts + 1,
            attempted_at: attemptedAt,
            status: result.status,
            error: result.error,
            milliseconds: result.milliseconds,
          });
          if (!result.ok) {
            attempts++;
            firstFailedAt ??= Date.now();
            await flush({
              release: true,
              nextAttemptAt: Date.now() + retryDelay(attempts, settings),
            });
            return;
          }
          cursor = eventId;
          attempts = 0;
          firstFailedAt = null;
          if ((logs.length >= FLUSH_EVERY || Date.now() - lastFlush >= FLUSH_MS) && !(await flush({ release: false }))) return;
        }
      }
      await flush({ release: true });
    } finally {
      // Whatever happened above, what was delivered is recorded and the lease given back.
      if (logs.length > 0 || this.stopped) await flush({ release: true }).catch(() => {});
    }
  }

  /** Stops looking for work, cuts attempts in flight short, and gives the leases back. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.abort.abort();
    await this.scanning;
    await Promise.all(this.active.values());
  }
}
