// Runs first: turns every thrown error into the contract's status and body, in the request's
// format. Mapping is by class (instanceof) or driver code, never by message text. Anything
// unknown is a generic 500, reported through app.emit('error').
import type { Middleware } from 'koa';
import { isCommitOutcomeUnknown, isDatabaseUnavailable, isLockConflict } from '../db/errors.js';
import { BadRequestError, HttpError, NotFoundError, ServiceUnavailableError, UnsupportedMediaTypeError } from '../errors.js';
import { JsonShapeError } from '../json/record-json.js';
import { XmlSyntaxError } from '../xml/document.js';
import { errorBody } from './respond.js';
import type { AppState } from './state.js';

class InternalError extends HttpError {
  readonly status = 500;
  constructor() {
    super('Internal server error.');
  }
}

/** The answer when the database did not confirm a COMMIT in time (README, "Running on a cluster"). */
export const COMMIT_OUTCOME_UNKNOWN_MESSAGE =
  'The database did not confirm the write in time: it may or may not have been stored. Retry with the same Idempotency-Key, or read before writing again.';
export const WRITE_CONFLICT_MESSAGE = 'The write conflicted with concurrent writes and was not stored. Please retry.';

export function toHttpError(error: unknown): HttpError | undefined {
  if (error instanceof HttpError) return error;
  if (error instanceof XmlSyntaxError) {
    return error.kind === 'unsupported-encoding' ? new UnsupportedMediaTypeError(error.message) : new BadRequestError(error.message);
  }
  if (error instanceof JsonShapeError) return new BadRequestError(error.message);
  // Before "unavailable": the write may be stored, and a plain 503 would read as "not stored".
  if (isCommitOutcomeUnknown(error)) return new ServiceUnavailableError(COMMIT_OUTCOME_UNKNOWN_MESSAGE);
  if (isDatabaseUnavailable(error)) return new ServiceUnavailableError();
  // Still refused after every attempt of writeTransaction (rolled back: nothing stored).
  if (isLockConflict(error)) return new ServiceUnavailableError(WRITE_CONFLICT_MESSAGE, 1);
  return undefined;
}

export function renderErrors(): Middleware<AppState> {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body == null) throw new NotFoundError();
    } catch (error) {
      ctx.state.error = error; // the log line names it (log.ts), without its message
      let httpError = toHttpError(error);
      if (!httpError) {
        httpError = new InternalError();
        ctx.app.emit('error', error, ctx);
      }
      const { type, body } = errorBody(ctx.state.format ?? 'xml', httpError.messages);
      ctx.status = httpError.status;
      ctx.set(httpError.headers);
      ctx.type = type;
      ctx.body = body;
    }
  };
}
