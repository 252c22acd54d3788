/** A field-level problem, as listed in `errors` of a problem+json body. */
export interface FieldError {
  field: string;
  message: string;
}

/**
 * An error a module raises on purpose. `code` is stable and machine-readable (`slot_taken`,
 * `too_short`); the global filter turns it into RFC 9457 problem+json with `status`.
 */
export class DomainError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 422 | 429,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
    readonly errors?: FieldError[],
  ) {
    super(message);
  }
}

export const badRequest = (code: string, message: string, errors?: FieldError[]) => new DomainError(400, code, message, {}, errors);
export const unauthorized = (message = 'Authentication is required.') => new DomainError(401, 'unauthorized', message);
export const forbidden = (message = 'You are not allowed to do this.') => new DomainError(403, 'forbidden', message);
export const notFound = (what: string) => new DomainError(404, 'not_found', `${what} was not found.`);
export const conflict = (code: string, message: string, extra: Record<string, unknown> = {}) => new DomainError(409, code, message, extra);
export const unprocessable = (code: string, message: string, extra: Record<string, unknown> = {}) => new DomainError(422, code, message, extra);
