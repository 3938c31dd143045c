// The outcomes a request can end in, one class each. The error middleware maps them to a
// status and a body with `instanceof`; anything that is not an HttpError is a plain 500.

export abstract class HttpError extends Error {
  abstract readonly status: number;
  /** Messages shown to the client, each a full sentence. */
  readonly messages: string[];
  /** Extra response headers (Allow, Retry-After, WWW-Authenticate). */
  readonly headers: Record<string, string> = {};

  constructor(messages: string | string[]) {
    const list = Array.isArray(messages) ? messages : [messages];
    super(list.join(' '));
    this.messages = list;
    this.name = new.target.name;
  }
}

export class BadRequestError extends HttpError {
  readonly status = 400;
}

export class UnauthorizedError extends HttpError {
  readonly status = 401;
  constructor(message = 'Authentication required.') {
    super(message);
    this.headers['WWW-Authenticate'] = 'Basic realm="contacts"';
  }
}

export class ForbiddenError extends HttpError {
  readonly status = 403;
  constructor(message = 'You do not have access to this business file.') {
    super(message);
  }
}

export class NotFoundError extends HttpError {
  readonly status = 404;
  constructor(message = 'Not found.') {
    super(message);
  }
}

export class MethodNotAllowedError extends HttpError {
  readonly status = 405;
  constructor(allowed: string[]) {
    super('Method not allowed.');
    this.headers.Allow = allowed.join(', ');
  }
}

/** What was asked for existed once and is no longer kept (an events `after` past retention). */
export class GoneError extends HttpError {
  readonly status = 410;
}

export class PreconditionFailedError extends HttpError {
  readonly status = 412;
  constructor(message = 'The contact has changed since you read it.') {
    super(message);
  }
}

export class PayloadTooLargeError extends HttpError {
  readonly status = 413;
  constructor(limit: number) {
    super(`Request body is too large (maximum is ${limit} bytes).`);
  }
}

export class UnsupportedMediaTypeError extends HttpError {
  readonly status = 415;
}

/** Validation failures: every message at once, each starting with the humanized field name. */
export class InvalidError extends HttpError {
  readonly status = 422;
}

/** Too many failed logins from the client's address (or for its login from there). */
export class TooManyRequestsError extends HttpError {
  readonly status = 429;
  constructor(retryAfterSeconds: number, message = 'Too many failed logins. Please retry later.') {
    super(message);
    this.headers['Retry-After'] = String(retryAfterSeconds);
  }
}

export class ServiceUnavailableError extends HttpError {
  readonly status = 503;
  constructor(message = 'The database is unavailable. Please retry shortly.', retryAfterSeconds = 5) {
    super(message);
    this.headers['Retry-After'] = String(retryAfterSeconds);
  }
}
