// Retention: events (and delivery attempts) older than EVENTS_RETENTION_DAYS are purged in the
// background. The purge first raises `purged_through` to the highest position it will delete,
// then deletes in batches: a feed request with an `after` below the mark gets 410.
import type { Knex } from 'knex';
import { toDbText } from '../time.js';

const DELETE_BATCH = 2_000;

export async function purgeOldEvents(db: Knex, retentionDays: number, now = Date.now()): Promise<number> {
  const cutoff = toDbText(new Date(now - retentionDays * 86_400_000));
  const top = (await db('events').where('created_at', '<', cutoff).whereNotNull('position').max({ m: 'position' }).first()) as { m: number | string | null } | undefined;
  let deleted = 0;
  if (top?.m != null) {
    const through = Number(top.m);
    await db('event_sequence').where('id', 1).where('purged_through', '<', through).update({ purged_through: through });
    for (;;) {
      const ids = (await db('events').where('position', '<=', through).orderBy('position').limit(DELETE_BATCH).pluck('id')) as number[];
      if (ids.length === 0) break;
      deleted += await db('events').whereIn('id', ids).delete();
    }
  }
  for (;;) {
    const ids = (await db('webhook_deliveries').where('attempted_at', '<', cutoff).limit(DELETE_BATCH).pluck('id')) as number[];
    if (ids.length === 0) break;
    await db('webhook_deliveries').whereIn('id', ids).delete();
  }
  return deleted;
}
