// Answers kept while the database is unchanged (SQLite: ChangeWatch's token, one PRAGMA
// data_version): a request's user and a GET's record stamp are read again only when something
// may have been written since they were read (by this process, another worker or the CLI), so
// a removed user or a changed record is seen by the next request as before. The token is read
// once per request (ctx.state.unchanged) and before any value kept under it: a value kept
// under a token was read at that state or later. MySQL has no such cheap signal: there every
// request reads them.
import type { ChangeWatch } from '../db/change-watch.js';
import type { AppContext } from './state.js';

/** The request's change token: read on first use, then the same for the whole request. */
export function changeTokenOf(ctx: AppContext, changes: ChangeWatch): Promise<string | undefined> {
  return (ctx.state.changeToken ??= changes.token());
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
