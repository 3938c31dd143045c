// `contacts webhooks add|list|remove|deliveries`: a thin shell around the webhook registry.
import type { Knex } from 'knex';
import { readEventSettings } from '../events/settings.js';
import { addWebhook, findWebhook, listDeliveries, listWebhooks, removeWebhook } from '../webhooks/registry.js';
import { UnsafeUrlError } from '../webhooks/url-safety.js';
import { toIso } from '../time.js';
import { UsageError } from './args.js';

export const WEBHOOKS_USAGE = `  webhooks add --url U [--business-file N]
                                         register a webhook; prints its id and its secret (shown only then)
  webhooks list [--business-file N]      list the business file's webhooks
  webhooks remove --id W [--business-file N]
                                         remove a webhook
  webhooks deliveries --id W [--business-file N]
                                         the latest delivery attempts of a webhook`;

export interface WebhookArgs {
  businessFileId: number;
  url?: string;
  id?: number;
}

/** Runs one webhooks subcommand; resolves to the exit code. */
export async function webhooksCommand(db: Knex, command: string, args: WebhookArgs, print: (line: string) => void, printError: (line: string) => void): Promise<number> {
  const { businessFileId } = args;
  const needId = () => {
    if (args.id === undefined) throw new UsageError(`${command} needs --id`);
    return args.id;
  };
  switch (command) {
    case 'webhooks add': {
      if (!args.url) throw new UsageError('webhooks add needs --url');
      try {
        const hook = await addWebhook(db, businessFileId, args.url, readEventSettings().allowPrivate);
        print(`Added webhook ${hook.id} for business file ${businessFileId}: ${hook.url}`);
        print(`Secret: ${hook.secret}`);
        print('(shown only this once: the receiver checks the webhook-signature header with it)');
        return 0;
      } catch (error) {
        if (!(error instanceof UnsafeUrlError)) throw error;
        printError(`contacts: ${error.message}`);
        return 1;
      }
    }
    case 'webhooks list': {
      const hooks = await listWebhooks(db, businessFileId);
      if (hooks.length === 0) print(`No webhooks for business file ${businessFileId}.`);
      for (const h of hooks) print(`${h.id}\t${h.url}\tdelivered through event ${h.deliveredThrough}${h.failing ? '\tFAILING' : ''}`);
      return 0;
    }
    case 'webhooks remove': {
      const id = needId();
      if (!(await removeWebhook(db, businessFileId, id))) {
        printError(`contacts: no webhook ${id} in business file ${businessFileId}`);
        return 1;
      }
      print(`Removed webhook ${id}.`);
      return 0;
    }
    case 'webhooks deliveries': {
      const id = needId();
      if (!(await findWebhook(db, businessFileId, id))) {
        printError(`contacts: no webhook ${id} in business file ${businessFileId}`);
        return 1;
      }
      for (const d of await listDeliveries(db, id, 100)) {
        print(`event ${d.eventId}\tattempt ${d.attempt}\t${toIso(d.attemptedAt)}\t${d.status ?? d.error}\t${d.milliseconds} ms`);
      }
      return 0;
    }
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}
