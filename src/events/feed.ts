// The feed: a business file's events after a position, oldest first. Only events with a
// position are shown (see sequencer.ts), so a client that asks again after the last id it saw
// never misses one and never sees one twice.
import type { Knex } from 'knex';
import { GoneError } from '../errors.js';
import { fromDbText } from '../time.js';
import type { EventAction, EventChanges, EventZname } from './record.js';
import { sequenceBeforeRead } from './sequencer.js';

export interface FeedEvent {
  id: number;
  businessFileId: number;
  zname: EventZname;
  zid: number;
  action: EventAction;
  userId: number | null;
  createdAt: Date;
  changes: EventChanges;
}

export interface FeedQuery {
  after: number;
  limit: number;
  zname?: EventZname;
}

interface DbEventRow {
  position: number | string;
  business_file_id: number;
  object_zname: EventZname;
  object_zid: number | string;
  object_action: EventAction;
  user_id: number | null;
  created_at: string | Date;
  object_changes: string;
}

export function feedEventOf(r: DbEventRow): FeedEvent {
  return {
    id: Number(r.position),
    businessFileId: Number(r.business_file_id),
    zname: r.object_zname,
    zid: Number(r.object_zid),
    action: r.object_action,
    userId: r.user_id === null ? null : Number(r.user_id),
    createdAt: fromDbText(r.created_at),
    changes: JSON.parse(r.object_changes) as EventChanges,
  };
}

/** Everything below this position may have been purged (0: nothing was). */
export async function purgedThrough(db: Knex): Promise<number> {
  const row = (await db('event_sequence').where('id', 1).first('purged_through')) as { purged_through: number | string } | undefined;
  return Number(row?.purged_through ?? 0);
}

export async function readFeed(db: Knex, businessFileId: number, query: FeedQuery, retentionDays: number): Promise<FeedEvent[]> {
  await sequenceBeforeRead(db);
  const q = db('events')
    .select('position', 'business_file_id', 'object_zname', 'object_zid', 'object_action', 'user_id', 'created_at', 'object_changes')
    .where('business_file_id', businessFileId)
    .where('position', '>', query.after);
  if (query.zname) q.where('object_zname', query.zname);
  const rows = (await q.orderBy('position').limit(query.limit)) as DbEventRow[];
  // Checked after reading: the purge raises the mark before it deletes, so rows missing from
  // this read because of a purge always show in the mark read next.
  if (query.after > 0 && query.after < (await purgedThrough(db))) {
    throw new GoneError(`Events after ${query.after} are no longer kept (events are kept ${retentionDays} days). ` + 'Read the whole list again, then ask for the events after the latest event id.');
  }
  return rows.map(feedEventOf);
}
