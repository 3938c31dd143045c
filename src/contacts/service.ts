// The contact operations of the API: each write is one transaction in which the contact is
// read (locked on MySQL), the input laid over it, validated, and only real changes written.
import type { Knex } from 'knex';
import { isUniqueViolation } from '../db/errors.js';
import { InvalidError, NotFoundError, PreconditionFailedError } from '../errors.js';
import { nowToSecond } from '../time.js';
import { contactChanges, isUnchanged } from './changes.js';
import { draftForCreate, draftForUpdate } from './draft.js';
import { etagOf, ifMatchAccepts } from './etag.js';
import { countContacts, listContactRefs } from './list.js';
import type { ListQuery } from './list-query.js';
import { MESSAGES } from './messages.js';
import { findContact, findContactRef, findContacts, remoteIdTaken, type ContactKey, type ContactRef } from './read.js';
import type { Contact, ContactInput, ContactValues, Lookups } from './types.js';
import { checkContact, type ContactDraft } from './validate.js';
import { deleteContact, insertContact, updateContact } from './write.js';
import { ChangeWatch } from '../db/change-watch.js';
import { writeTransaction } from '../db/transaction.js';
import { recordContactEvent } from '../events/contact-events.js';

const REMOTE_ID_TAKEN = `Remote id ${MESSAGES.taken}`;

export interface ContactPage {
  refs: ContactRef[];
  totalEntries: number;
}

function checkPrecondition(current: Contact, ifMatch: string | undefined): void {
  if (ifMatch !== undefined && !ifMatchAccepts(ifMatch, etagOf(current))) throw new PreconditionFailedError();
}

/** Counts of list queries, kept while the database has not changed (SQLite; see ChangeWatch). */
const COUNTS_KEPT = 1_000;

export class ContactsService {
  private readonly changes: ChangeWatch;
  private readonly counts = new Map<string, { token: string; total: number }>();

  constructor(
    private readonly db: Knex,
    readonly lookups: Lookups,
  ) {
    this.changes = new ChangeWatch(db);
  }

  /** total_entries of a list: counted again only when something may have been written. */
  private async total(businessFileId: number, query: ListQuery): Promise<number> {
    const key = `${businessFileId} ${JSON.stringify(query.filters)}`;
    const token = await this.changes.token();
    const kept = this.counts.get(key);
    if (token !== undefined && kept?.token === token) return kept.total;
    const total = await countContacts(this.db, businessFileId, query.filters);
    if (token !== undefined) {
      if (this.counts.size >= COUNTS_KEPT) this.counts.clear();
      this.counts.set(key, { token, total });
    }
    return total;
  }

  async list(businessFileId: number, query: ListQuery): Promise<ContactPage> {
    const [refs, totalEntries] = await Promise.all([
      listContactRefs(this.db, businessFileId, query),
      query.pagination ? this.total(businessFileId, query) : Promise.resolve(0),
    ]);
    return { refs, totalEntries };
  }

  /** Which version of a contact is current, or 404. */
  async ref(businessFileId: number, key: ContactKey): Promise<ContactRef> {
    const ref = await findContactRef(this.db, businessFileId, key);
    if (!ref) throw new NotFoundError('Contact not found.');
    return ref;
  }

  /** The contacts with these ids (those that still exist), in no particular order. */
  getMany(businessFileId: number, ids: number[]): Promise<Contact[]> {
    return findContacts(this.db, businessFileId, ids);
  }

  async get(businessFileId: number, key: ContactKey): Promise<Contact> {
    const contact = await findContact(this.db, businessFileId, key);
    if (!contact) throw new NotFoundError('Contact not found.');
    return contact;
  }

  /** Validates a draft, remote_id uniqueness included: every problem at once, or the values. */
  private async validate(trx: Knex.Transaction, businessFileId: number, draft: ContactDraft, problems: string[], exceptId?: number): Promise<ContactValues> {
    const checked = checkContact(draft, this.lookups, problems);
    const remoteId = draft.fields.remote_id;
    const taken = remoteId !== null && (await remoteIdTaken(trx, businessFileId, remoteId, exceptId));
    const errors = [...(checked.errors ?? []), ...(taken ? [REMOTE_ID_TAKEN] : [])];
    if (errors.length > 0 || !checked.values) throw new InvalidError(errors);
    return checked.values;
  }

  /** Runs a write (in `outer` when given); a unique-key race on remote_id becomes the same 422 as the check. */
  private async write<T>(outer: Knex.Transaction | undefined, work: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
    try {
      return await (outer ? work(outer) : writeTransaction(this.db, work));
    } catch (error) {
      if (isUniqueViolation(error)) throw new InvalidError([REMOTE_ID_TAKEN]);
      throw error;
    }
  }

  /** `outer`: a transaction of the caller's to create in (idempotent requests). `userId`: the acting user, for the event. */
  async create(businessFileId: number, input: ContactInput, outer?: Knex.Transaction, userId: number | null = null): Promise<Contact> {
    const draft = draftForCreate(input);
    return this.write(outer, async (trx) => {
      const values = await this.validate(trx, businessFileId, draft, input.problems);
      const now = nowToSecond();
      const id = await insertContact(trx, businessFileId, values, { createdAt: now, updatedAt: now });
      const created = (await findContact(trx, businessFileId, { id })) as Contact;
      await recordContactEvent(trx, businessFileId, undefined, created, userId);
      return created;
    });
  }

  /** `ifMatch`: the request's If-Match header; a stale tag changes nothing (412). */
  async update(businessFileId: number, key: ContactKey, input: ContactInput, ifMatch?: string, userId: number | null = null): Promise<Contact> {
    return this.write(undefined, async (trx) => {
      const current = await findContact(trx, businessFileId, key, true);
      if (!current) throw new NotFoundError('Contact not found.');
      checkPrecondition(current, ifMatch);
      const { draft, errors } = draftForUpdate(current, input);
      const values = await this.validate(trx, businessFileId, draft, [...input.problems, ...errors], current.id);
      const changes = contactChanges(current, values);
      if (isUnchanged(changes)) return current;
      await updateContact(trx, current.id, values, changes, nowToSecond());
      const updated = (await findContact(trx, businessFileId, { id: current.id })) as Contact;
      await recordContactEvent(trx, businessFileId, current, updated, userId);
      return updated;
    });
  }

  async remove(businessFileId: number, key: ContactKey, ifMatch?: string, userId: number | null = null): Promise<void> {
    await this.write(undefined, async (trx) => {
      const current = await findContact(trx, businessFileId, key, true);
      if (!current) throw new NotFoundError('Contact not found.');
      checkPrecondition(current, ifMatch);
      await deleteContact(trx, businessFileId, current.id);
      await recordContactEvent(trx, businessFileId, current, undefined, userId);
    });
  }
}
