// What each service process runs in the background for events and webhooks: the sequencer
// (MySQL), the retention purge, and the delivery worker. Started by startService, stopped by
// its close() before the pool closes.
import type { Knex } from 'knex';
import { DeliveryWorker } from '../webhooks/worker.js';
import { purgeOldEvents } from './retention.js';
import { onEventsCommitted, Sequencer } from './sequencer.js';
import type { EventSettings } from './settings.js';

export interface EventWorkers {
  stop(): Promise<void>;
}

export function startEventWorkers(db: Knex, settings: EventSettings, log: (line: string) => void): EventWorkers {
  const delivery = new DeliveryWorker(db, settings, log);
  const sequencer = Sequencer.needed(db) ? new Sequencer(db, settings.pollMs, () => delivery.wake(), log) : undefined;
  // On SQLite a committed event already has its position: deliveries can start at once.
  const unsubscribe = sequencer ? () => {} : onEventsCommitted(() => delivery.wake());

  let purging: Promise<unknown> | undefined;
  const purge = () => {
    purging ??= purgeOldEvents(db, settings.retentionDays)
      .catch((error) => log(`events: purge failed (${(error as { code?: string }).code ?? (error as Error).name}); tried again later`))
      .finally(() => (purging = undefined));
  };
  const first = setTimeout(purge, Math.min(5_000, settings.purgeEveryMs));
  const timer = setInterval(purge, settings.purgeEveryMs);
  first.unref();
  timer.unref();

  return {
    async stop() {
      clearTimeout(first);
      clearInterval(timer);
      unsubscribe();
      await Promise.all([sequencer?.stop(), delivery.stop(), purging]);
    },
  };
}
