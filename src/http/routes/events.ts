// GET /{bf}/events: the change feed (src/events/feed.ts), XML or JSON.
import type Router from '@koa/router';
import type { Knex } from 'knex';
import { BadRequestError } from '../../errors.js';
import { readFeed, type FeedQuery } from '../../events/feed.js';
import type { EventZname } from '../../events/record.js';
import { eventsDocument, eventsJson } from '../../events/render.js';
import { businessFileOf } from '../auth.js';
import { JSON_TYPE, XML_TYPE } from '../respond.js';
import type { AppContext, AppState } from '../state.js';

export const FEED_DEFAULT_LIMIT = 100;
export const FEED_MAX_LIMIT = 1_000;
const ZNAMES: readonly EventZname[] = ['contacts', 'firms'];

function integer(raw: unknown, name: string, fallback: number, min: number, max: number, problems: string[]): number {
  if (raw === undefined) return fallback;
  if (typeof raw !== 'string' || !/^\d{1,15}$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    problems.push(`Parameter ${name} must be an integer from ${min} to ${max}.`);
    return fallback;
  }
  return Number(raw);
}

export function parseFeedQuery(query: AppContext['query']): FeedQuery {
  const problems: string[] = [];
  const after = integer(query.after, 'after', 0, 0, Number.MAX_SAFE_INTEGER, problems);
  const limit = integer(query.limit, 'limit', FEED_DEFAULT_LIMIT, 1, FEED_MAX_LIMIT, problems);
  const zname = query.object_zname;
  if (zname !== undefined && (typeof zname !== 'string' || !(ZNAMES as string[]).includes(zname))) problems.push(`Parameter object_zname must be one of ${ZNAMES.join(', ')}.`);
  if (problems.length > 0) throw new BadRequestError(problems);
  return {
    after,
    limit,
    ...(zname !== undefined && { zname: zname as EventZname }),
  };
}

export function eventRoutes(router: Router<AppState>, db: Knex, retentionDays: number): void {
  const feed = async (ctx: AppContext) => {
    const businessFileId = businessFileOf(ctx);
    const events = await readFeed(db, businessFileId, parseFeedQuery(ctx.query), retentionDays);
    ctx.set('Cache-Control', 'no-store');
    if (ctx.state.format === 'json') {
      ctx.type = JSON_TYPE;
      ctx.body = eventsJson(events);
    } else {
      ctx.type = XML_TYPE;
      ctx.body = eventsDocument(events);
    }
  };
  router.get('/:bf/events', feed);
  router.get('/events', feed);
}
