// The event of a contact write, from the contact before and after, in its JSON representation
// (as consumers fetch it): what the contact service and the importer record.
import type { Knex } from 'knex';
import type { Contact } from '../contacts/types.js';
import { contactObject } from '../json/contact-json.js';
import { changeEvent, recordEvents, type EventInput } from './record.js';

/** The event for a contact going from `before` to `after` (undefined: not there); undefined when nothing changed. */
export function contactEvent(businessFileId: number, before: Contact | undefined, after: Contact | undefined, userId: number | null): EventInput | undefined {
  return changeEvent(businessFileId, 'contacts', before && contactObject(before), after && contactObject(after), userId);
}

export async function recordContactEvent(trx: Knex.Transaction, businessFileId: number, before: Contact | undefined, after: Contact | undefined, userId: number | null): Promise<void> {
  const event = contactEvent(businessFileId, before, after, userId);
  if (event) await recordEvents(trx, [event]);
}
