// The operations of the API on one resource (contacts, firms): each write is one transaction in
// which the record is read (locked on MySQL), the input laid over it, validated, only real
// changes written, and one change event recorded for what changed.
import type { Knex } from 'knex';
import { isUniqueViolation } from '../db/errors.js';
import { writeTransaction } from '../db/transaction.js';
import { InvalidError, NotFoundError, PreconditionFailedError } from '../errors.js';
import { changesBetween, creationChanges, recordEvent } from '../events/record.js';
import type { EventZname } from '../events/record.js';
import { recordObject } from '../json/record-json.js';
import { MESSAGES } from '../contacts/messages.js';
import type { Lookups } from '../contacts/types.js';
import { nowToSecond } from '../time.js';
import { isUnchanged, recordChanges } from './changes.js';
import { draftForCreate, draftForUpdate, type Input } from './draft.js';
import { etagOf, ifMatchAccepts } from './etag.js';
import { countRecords, listRefs, type ListSize, type Scope } from './list.js';
import type { ListQuery } from './list-query.js';
import { LISTS_KEPT, type Marks } from './page-marks.js';
import { perTurn } from '../db/per-turn.js';
import { findRecord, findRecords, findRef, findRefs, remoteIdTaken, type RecordKey, type RecordRef } from './read.js';
import type { ResourceSpec, Row } from './spec.js';
import { checkRecord, type Draft, type Values } from './validate.js';
import { addToTally, KeptUntilWrite, talliesThisTurn, tallyIn, type Tallies } from './tallies.js';
import { deleteRecord, insertRecord, updateRecord } from './write.js';

type Trx = Knex.Transaction;

const REMOTE_ID_TAKEN = `Remote id ${MESSAGES.taken}`;

/** What a resource checks beyond its fields (a firm's parent) and before a delete (a firm still used). */
export interface ResourceRules {
  /** Run on the draft's cleaned text, so its problems are listed with every other one. */
  check?(trx: Trx, businessFileId: number, fields: Draft['fields'], id: number | undefined): Promise<string[]>;
  deleteProblems?(trx: Trx, businessFileId: number, id: number): Promise<string[]>;
}

export interface Page {
  refs: RecordRef[];
  totalEntries: number;
}

/** Counts of filtered list queries kept, each while its business file sees no write (tallies.ts). */
const COUNTS_KEPT = 1_000;

/** How each kind of write moves the number of records. */
const RECORDS_ADDED = { create: 1, update: 0, destroy: -1 } as const;

const unfiltered = (f: ListQuery['filters']) => Object.keys(f.anyOf).length === 0 && f.remoteId === undefined && f.updatedSince === undefined && f.q === undefined;

/** A record asked for by id in a business file. */
interface ById {
  businessFileId: number;
  id: number;
}
const nameById = ({ businessFileId, id }: ById) => `${businessFileId} ${id}`;

export class ResourceService {
  private readonly counts = new KeptUntilWrite<number>(COUNTS_KEPT);
  private readonly pageMarks = new KeptUntilWrite<Marks>(LISTS_KEPT);
  /** The stamps asked for in one turn, one query per business file (src/db/per-turn.ts). */
  private readonly refsThisTurn;
  /** A business file's tallies, read once per turn (shared by every resource: tallies.ts). */
  private readonly talliesThisTurn;
  /** The resources whose writes can change what this one's renderings show: itself, and what they show of another. */
  readonly shownResources: string[];

  constructor(
    private readonly db: Knex,
    readonly spec: ResourceSpec,
    readonly lookups: Lookups,
    private readonly rules: ResourceRules = {},
  ) {
    this.refsThisTurn = perTurn<ById, RecordRef>(nameById, async (keys) => {
      const idsByFile = new Map<number, number[]>();
      for (const { businessFileId, id } of keys) (idsByFile.get(businessFileId) ?? idsByFile.set(businessFileId, []).get(businessFileId)!).push(id);
      const found = new Map<string, RecordRef>();
      await Promise.all(
        [...idsByFile].map(async ([businessFileId, ids]) => {
          for (const ref of await findRefs(db, spec, businessFileId, ids)) found.set(nameById({ businessFileId, id: ref.id }), ref);
        }),
      );
      return found;
    });
    this.talliesThisTurn = talliesThisTurn(db);
    this.shownResources = [spec.plural, ...(spec.dependency ? [spec.dependency.resource] : [])];
  }

  notFound(): NotFoundError {
    return new NotFoundError(`${this.spec.label} not found.`);
  }

  /**
   * total_entries of a list, and the business file's records: the business file's tally when
   * nothing narrows the list; else a count, counted again only after a write to the business
   * file. The tally is read first: a write committed during the count then moves it past what
   * the kept count is filed under. The list's page marks are kept under the same count.
   */
  private async size(businessFileId: number, query: ListQuery, scope?: Scope): Promise<ListSize> {
    const tally = tallyIn(await this.talliesThisTurn(businessFileId), this.spec.plural);
    const key = `${businessFileId} ${JSON.stringify(query.filters)} ${JSON.stringify(scope ?? null)}`;
    const marks = (direction: string) => {
      const list = `${key} ${direction}`;
      return this.pageMarks.get(list, tally.writes) ?? this.pageMarks.set(list, tally.writes, new Map());
    };
    if (!scope && unfiltered(query.filters)) return { total: tally.records, records: tally.records, marks };
    const kept = this.counts.get(key, tally.writes);
    const total = kept ?? this.counts.set(key, tally.writes, await countRecords(this.db, this.spec, businessFileId, query.filters, scope));
    return { total, records: tally.records, marks };
  }

  /**
   * From a business file's tallies: moves with every committed write that can change a rendering
   * of this resource in the business file (a list page, a record's stamp): its own writes and
   * those of what its renderings show (a contact's firm, a firm's contacts), by any process on
   * any node. What the service keeps under it is never older than the state it names (tallies.ts).
   */
  writesTokenOf(tallies: Tallies): string {
    return this.shownResources.map((resource) => tallyIn(tallies, resource).writes).join(':');
  }

  async list(businessFileId: number, query: ListQuery, scope?: Scope): Promise<Page> {
    if (!query.pagination) return { refs: await listRefs(this.db, this.spec, businessFileId, query, scope), totalEntries: 0 };
    // The size first: it tells from which end, and how, the page is read quicker.
    const size = await this.size(businessFileId, query, scope);
    return { refs: await listRefs(this.db, this.spec, businessFileId, query, scope, size), totalEntries: size.total };
  }

  /** Which state of a record is current, or 404. */
  async ref(businessFileId: number, key: RecordKey): Promise<RecordRef> {
    const ref = 'id' in key ? await this.refsThisTurn({ businessFileId, id: key.id }) : await findRef(this.db, this.spec, businessFileId, key);
    if (!ref) throw this.notFound();
    return ref;
  }

  /** The records with these ids (those that still exist), in no particular order. */
  getMany(businessFileId: number, ids: number[]): Promise<Row[]> {
    return findRecords(this.db, this.spec, businessFileId, ids);
  }

  async get(businessFileId: number, key: RecordKey): Promise<Row> {
    const record = await findRecord(this.db, this.spec, businessFileId, key);
    if (!record) throw this.notFound();
    return record;
  }

  /** Validates a draft, remote_id uniqueness and the resource's rules included: every problem at once, or the values. */
  private async validate(trx: Trx, businessFileId: number, draft: Draft, problems: string[], exceptId?: number): Promise<Values> {
    const checked = checkRecord(this.spec, draft, this.lookups, problems);
    const remoteId = draft.fields.remote_id;
    const taken = remoteId != null && (await remoteIdTaken(trx, this.spec, businessFileId, remoteId, exceptId));
    const ruled = this.rules.check ? await this.rules.check(trx, businessFileId, draft.fields, exceptId) : [];
    const errors = [...(checked.errors ?? []), ...(taken ? [REMOTE_ID_TAKEN] : []), ...ruled];
    if (errors.length > 0 || !checked.values) throw new InvalidError(errors);
    return checked.values;
  }

  /** Runs a write (in `outer` when given); a unique-key race on remote_id becomes the same 422 as the check. */
  private async write<T>(outer: Trx | undefined, work: (trx: Trx) => Promise<T>): Promise<T> {
    try {
      return await (outer ? work(outer) : writeTransaction(this.db, work));
    } catch (error) {
      if (isUniqueViolation(error)) throw new InvalidError([REMOTE_ID_TAKEN]);
      throw error;
    }
  }

  private checkPrecondition(current: Row, ifMatch: string | undefined): void {
    if (ifMatch !== undefined && !ifMatchAccepts(ifMatch, etagOf(this.spec, current))) throw new PreconditionFailedError();
  }

  /** What every write records beside itself, in its transaction: its change event and its tally. */
  private async recordWrite(trx: Trx, businessFileId: number, zid: number, action: 'create' | 'update' | 'destroy', actor: number | null, before: Row | null, after: Row | null): Promise<void> {
    const beforeObject = before && recordObject(this.spec, before);
    const afterObject = after && recordObject(this.spec, after);
    const changes = action === 'create' ? creationChanges(afterObject!) : action === 'update' ? changesBetween(beforeObject!, afterObject!) : {};
    await recordEvent(trx, { businessFileId, zname: this.spec.plural as EventZname, zid, action, changes, userId: actor, objectData: (afterObject ?? beforeObject)! });
    await addToTally(trx, businessFileId, this.spec.plural, { records: RECORDS_ADDED[action], writes: 1 });
  }

  /** `outer`: a transaction of the caller's to create in (idempotent requests). `actor`: the API user. */
  async create(businessFileId: number, input: Input, actor: number | null, outer?: Trx): Promise<Row> {
    const draft = draftForCreate(this.spec, input);
    return this.write(outer, async (trx) => {
      const values = await this.validate(trx, businessFileId, draft, input.problems);
      const now = nowToSecond();
      const id = await insertRecord(trx, this.spec, businessFileId, values, { createdAt: now, updatedAt: now }, actor);
      const created = (await findRecord(trx, this.spec, businessFileId, { id })) as Row;
      await this.recordWrite(trx, businessFileId, id, 'create', actor, null, created);
      return created;
    });
  }

  /** `ifMatch`: the request's If-Match header; a stale tag changes nothing (412). */
  async update(businessFileId: number, key: RecordKey, input: Input, actor: number | null, ifMatch?: string): Promise<Row> {
    return this.write(undefined, async (trx) => {
      const current = await findRecord(trx, this.spec, businessFileId, key, true);
      if (!current) throw this.notFound();
      this.checkPrecondition(current, ifMatch);
      const { draft, errors } = draftForUpdate(this.spec, current, input);
      const values = await this.validate(trx, businessFileId, draft, [...input.problems, ...errors], current.id);
      const changes = recordChanges(this.spec, current, values);
      if (isUnchanged(changes)) return current;
      await updateRecord(trx, this.spec, current.id, values, changes, { at: nowToSecond(), actor });
      const updated = (await findRecord(trx, this.spec, businessFileId, { id: current.id })) as Row;
      await this.recordWrite(trx, businessFileId, current.id, 'update', actor, current, updated);
      return updated;
    });
  }

  async remove(businessFileId: number, key: RecordKey, actor: number | null, ifMatch?: string): Promise<void> {
    await this.write(undefined, async (trx) => {
      const current = await findRecord(trx, this.spec, businessFileId, key, true);
      if (!current) throw this.notFound();
      this.checkPrecondition(current, ifMatch);
      const problems = (await this.rules.deleteProblems?.(trx, businessFileId, current.id)) ?? [];
      if (problems.length > 0) throw new InvalidError(problems);
      await deleteRecord(trx, this.spec, businessFileId, current.id);
      await this.recordWrite(trx, businessFileId, current.id, 'destroy', actor, current, null);
    });
  }
}
