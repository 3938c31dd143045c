// Answers kept while what they show is unchanged: a request's user, a GET's record stamp, a
// list page's body, each read again only when something may have been written since it was
// read (by this process, another worker or node, or the CLI), so a removed user or a changed
// record is seen by the next request as before. What tells:
// - SQLite: ChangeWatch's token (PRAGMA data_version and this process's own writes), which
//   moves with any commit.
// - MySQL: the write tallies (src/resources/tallies.ts), which every write moves in its own
//   transaction: the service-wide users' tally for a user; the business file's tallies of a
//   resource and of what its renderings show for a stamp or a page. The auth middleware asks for
//   the users' tally and the path's business file's tallies at once, so one query per turn of
//   the event loop serves both (per-turn.ts).
// Each request reads them once (ctx.state), before any value kept under them: a value kept
// under a token was read at that state or later.
import type { ChangeWatch } from '../db/change-watch.js';
import { isPositiveId } from '../ids.js';
import { SERVICE_WIDE, talliesThisTurn, tallyIn, USERS, type Tallies } from '../resources/tallies.js';
import type { ResourceService } from '../resources/service.js';
import type { AppContext } from './state.js';

/** The request's change token (SQLite): read on first use, then the same for the whole request. */
export function changeTokenOf(ctx: AppContext, changes: ChangeWatch): Promise<string | undefined> {
  return (ctx.state.changeToken ??= changes.token());
}

/** A business file's tallies as this request first read them. */
function talliesOf(ctx: AppContext, changes: ChangeWatch, businessFileId: number): Promise<Tallies> {
  const seen = (ctx.state.tallies ??= new Map());
  let tallies = seen.get(businessFileId);
  if (!tallies) seen.set(businessFileId, (tallies = talliesThisTurn(changes.db)(businessFileId)));
  return tallies;
}

/** The business file a path names (`/{bf}/…`, `/{resource}/{action}/{bf}…`), if it names one. */
const PATH_BUSINESS_FILE = /^\/(?:(\d+)\/|[a-z_]+\/[a-z_]+\/(\d+)(?:\/|\.|$))/;

/** What a user read is kept under. MySQL: also asks for the path's business file's tallies in the same query. */
export async function usersTokenOf(ctx: AppContext, changes: ChangeWatch): Promise<string | undefined> {
  if (changes.sqlite) return changeTokenOf(ctx, changes);
  const match = PATH_BUSINESS_FILE.exec(ctx.path);
  const named = match && (match[1] ?? match[2]);
  // Not awaited here: a request that stops at authentication never reads it.
  if (named && isPositiveId(named)) talliesOf(ctx, changes, Number(named)).catch(() => undefined);
  return String(tallyIn(await talliesOf(ctx, changes, SERVICE_WIDE), USERS).writes);
}

/** What a record's stamp or a list page of the service's resource in the business file is kept under. */
export async function recordsTokenOf(ctx: AppContext, changes: ChangeWatch, service: ResourceService, businessFileId: number): Promise<string | undefined> {
  if (changes.sqlite) return changeTokenOf(ctx, changes);
  return service.writesTokenOf(await talliesOf(ctx, changes, businessFileId));
}

/** Values by key, each valid only under the token it was read under; bounded (then starts over). */
export class KeptWhileUnchanged<T> {
  private readonly entries = new Map<string, { token: string; value: T }>();

  /** `worth`: whether a value is kept at all (a bound on big ones). */
  constructor(
    private readonly most: number,
    private readonly worth: (value: T) => boolean = () => true,
  ) {}

  /** The value kept for `key` under `token`, else `read()` (kept when it is not undefined and a token is known). */
  async get(key: string, token: string | undefined, read: () => Promise<T | undefined>): Promise<T | undefined> {
    if (token === undefined) return read();
    const kept = this.entries.get(key);
    if (kept?.token === token) return kept.value;
    const value = await read();
    if (value !== undefined && this.worth(value)) {
      if (this.entries.size >= this.most) this.entries.clear();
      this.entries.set(key, { token, value });
    } else this.entries.delete(key);
    return value;
  }
}
