// /health (no authentication) and /lookups.
import type Router from '@koa/router';
import type { Knex } from 'knex';
import type { Lookups } from '../../contacts/types.js';
import { databaseReady } from '../../db/cluster.js';
import { ServiceUnavailableError } from '../../errors.js';
import { sendLookups } from '../respond.js';
import type { AppState } from '../state.js';

const HEALTH_TIMEOUT_MS = 1_000;

export function healthRoutes(router: Router<AppState>, db: Knex): void {
  router.get('/health', async (ctx) => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new ServiceUnavailableError()), HEALTH_TIMEOUT_MS);
    });
    try {
      // A Galera node must also be synced and in the Primary component (db/cluster.ts).
      if (!(await Promise.race([databaseReady(db), timeout]))) throw new ServiceUnavailableError();
    } catch {
      throw new ServiceUnavailableError();
    } finally {
      clearTimeout(timer);
    }
    ctx.type = 'text/plain; charset=utf-8';
    ctx.body = 'ok\n';
  });
}

export function lookupRoutes(router: Router<AppState>, lookups: Lookups): void {
  router.get('/lookups', (ctx) => sendLookups(ctx, lookups));
}
