// The events of an import chunk, recorded in the import's own transaction (so a rolled-back
// import records nothing): one per contact created or changed, none for an unchanged one.
// The contacts are read back once per chunk, as written, for their JSON representation.
import type { Knex } from 'knex';
import { findContacts } from '../contacts/read.js';
import type { Contact } from '../contacts/types.js';
import { contactEvent } from './contact-events.js';
import { recordEvents, type EventInput } from './record.js';

export async function recordImportEvents(trx: Knex.Transaction, businessFileId: number, written: { createdIds: number[]; replaced: Contact[] }, userId: number | null): Promise<void> {
  const ids = [...written.replaced.map((c) => c.id), ...written.createdIds];
  if (ids.length === 0) return;
  const now = new Map((await findContacts(trx, businessFileId, ids)).map((c) => [c.id, c]));
  const events = [
    ...written.replaced.map((before) => contactEvent(businessFileId, before, now.get(before.id), userId)),
    ...written.createdIds.map((id) => contactEvent(businessFileId, undefined, now.get(id), userId)),
  ].filter((e): e is EventInput => e !== undefined);
  await recordEvents(trx, events);
}
