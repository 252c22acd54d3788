import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { QueryFailedError } from 'typeorm';
import { DomainError, FieldError } from './domain-error';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
const TYPE_BASE = 'https://pilot-booking.dev/problems/';

interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance?: string;
  errors?: FieldError[];
  [key: string]: unknown;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/**
 * The one place that turns any error into RFC 9457 problem+json. Domain errors keep their code;
 * framework and body-parser errors get a generic one; anything unexpected becomes a 500 whose body
 * says nothing about the internals (the log has the details, with the request id).
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const res = ctx.getResponse<Response>();
    const req = ctx.getRequest<Request>();
    const problem = this.toProblem(exception);
    problem.instance = req.originalUrl?.split('?')[0];
    if (problem.status === 503) {
      this.logger.warn({ error: loggableError(exception), reqId: (req as { id?: unknown }).id }, 'database unavailable');
    } else if (problem.status >= 500) {
      this.logger.error({ error: loggableError(exception), reqId: (req as { id?: unknown }).id }, 'unhandled error');
    }
    if (res.headersSent) return;
    if ((problem.status === 429 || problem.status === 503) && typeof problem.retryAfterSeconds === 'number') {
      res.setHeader('Retry-After', String(problem.retryAfterSeconds));
    }
    res.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
  }

  toProblem(exception: unknown): Problem {
    if (exception instanceof DomainError) {
      return this.problem(exception.status, exception.code, exception.message, exception.extra, exception.errors);
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const body = exception.getResponse();
      const detail =
        typeof body === 'string'
          ? body
          : Array.isArray((body as { message?: unknown }).message)
            ? (body as { message: string[] }).message.join('; ')
            : String((body as { message?: string }).message ?? exception.message);
      // The router's URIError for a path that is not percent-encoded UTF-8, as Nest wraps it.
      if (status === 400 && /^Failed to decode param /.test(detail)) {
        return this.problem(400, 'malformed_path', 'The path is not valid percent-encoded UTF-8.', {}, [
          { field: 'path', message: 'path must be valid percent-encoded UTF-8' },
        ]);
      }
      return this.problem(status, codeFor(status), status === 404 ? detail.replace(/^Cannot (\w+) (.*)$/, 'No route for $1 $2.') : detail);
    }
    // Errors thrown by express' body parser carry `type` and `status`.
    const parser = exception as { type?: string; status?: number; message?: string };
    if (parser && typeof parser.type === 'string' && typeof parser.status === 'number') {
      if (parser.type === 'entity.too.large') {
        return this.problem(413, 'payload_too_large', 'The request body is larger than the 1 MiB limit.');
      }
      if (parser.type === 'entity.parse.failed') {
        return this.problem(400, 'malformed_json', 'The request body is not valid JSON.', {}, [
          { field: 'body', message: 'body must be valid JSON (an object or an array)' },
        ]);
      }
      if (parser.status >= 400 && parser.status < 500) {
        return this.problem(parser.status, codeFor(parser.status), parser.message ?? 'The request could not be read.');
      }
    }
    if (exception instanceof QueryFailedError) {
      // A safety net: services translate the constraint errors they expect; these are the rest.
      const code = (exception as QueryFailedError & { code?: string }).code;
      if (code === '23505') return this.problem(409, 'duplicate', 'A record with the same unique value already exists.');
      if (code === '23P01') return this.problem(409, 'conflict', 'The change conflicts with an existing record.');
      if (code === '23503') return this.problem(409, 'reference_conflict', 'The change refers to, or is referred to by, another record.');
      // Class 22, data exceptions (22021 a NUL byte, 22P02 bad syntax, 22001 too long, 22003 out of range,
      // 22007/22008 dates): a value from the request that PostgreSQL cannot take.
      if (typeof code === 'string' && code.startsWith('22')) {
        return this.problem(400, 'invalid_value', 'A value in the request is not valid.');
      }
    }
    if (isDatabaseUnavailable(exception)) {
      return this.problem(503, 'database_unavailable', 'The database does not answer right now. Try again shortly (see Retry-After).', {
        retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS,
      });
    }
    return this.problem(500, 'internal_error', 'Something went wrong on our side. The request id in the X-Request-Id header identifies it in the logs.');
  }

  private problem(status: number, code: string, detail: string, extra: Record<string, unknown> = {}, errors?: FieldError[]): Problem {
    const p: Problem = { type: TYPE_BASE + code, title: TITLES[status] ?? HttpStatus[status] ?? 'Error', status, detail, code, ...extra };
    if (errors) p.errors = errors;
    return p;
  }
}

/** Seconds a client is told to wait when the database is down or restarting. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

/**
 * The database is down, restarting or unreachable (not a bad request): connection refused or reset, a pool
 * that cannot connect in time, a server shutting down or starting up (SQLSTATE 57P01–57P03), a connection
 * exception (class 08), or a connection that ended under a query or under an open transaction.
 */
export function isDatabaseUnavailable(exception: unknown): boolean {
  const e = exception as { code?: unknown; message?: unknown; driverError?: unknown };
  const code = typeof e?.code === 'string' ? e.code : undefined;
  if (code && (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', '57P01', '57P02', '57P03'].includes(code) || code.startsWith('08')))
    return true;
  // The server ended the connection under an open transaction (a restart): TypeORM releases the query runner, and
  // the transaction's next statement fails with this instead of a driver error. Nothing of it was committed.
  const name = (exception as { name?: unknown })?.name;
  if (name === 'QueryRunnerProviderAlreadyReleasedError' || name === 'QueryRunnerAlreadyReleasedError') return true;
  const message = typeof e?.message === 'string' ? e.message : '';
  if (
    /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|the database system is (starting up|shutting down)/i.test(
      message,
    )
  )
    return true;
  return e?.driverError !== undefined && e.driverError !== exception ? isDatabaseUnavailable(e.driverError) : false;
}

function codeFor(status: number): string {
  return (
    {
      400: 'bad_request',
      401: 'unauthorized',
      403: 'forbidden',
      404: 'not_found',
      405: 'method_not_allowed',
      409: 'conflict',
      413: 'payload_too_large',
      415: 'unsupported_media_type',
      422: 'unprocessable',
      429: 'too_many_requests',
      503: 'service_unavailable',
    }[status] ?? 'error'
  );
}

/**
 * What the log may say about an unexpected error: its name, message, code and stack, and for a failed
 * SQL statement the statement text and the PostgreSQL fields that name no value (constraint, table,
 * routine). Never the statement's parameters, nor pg's `detail` (which repeats values): a failed
 * registration's parameters hold the argon2 hash of the password.
 */
export function loggableError(exception: unknown): Record<string, unknown> {
  if (!(exception instanceof Error)) return { type: typeof exception, message: String(exception).slice(0, 500) };
  const e = exception as Error & { code?: unknown; driverError?: Record<string, unknown>; query?: unknown };
  const out: Record<string, unknown> = { type: e.name || e.constructor?.name, message: e.message.slice(0, 500), stack: e.stack };
  if (typeof e.code === 'string' || typeof e.code === 'number') out.code = e.code;
  if (exception instanceof QueryFailedError) {
    if (typeof e.query === 'string') out.query = e.query.slice(0, 2000);
    const d = e.driverError ?? {};
    for (const key of ['constraint', 'table', 'column', 'routine', 'severity'] as const) {
      if (typeof d[key] === 'string') out[key] = d[key];
    }
  }
  return out;
}

/**
 * An Express error middleware for right after the body parser. Nest turns the parser's SyntaxError
 * into a BadRequestException carrying the parser's own text, losing its `type`; this hands the filter
 * an error that keeps `type` and `status`, so malformed JSON answers `malformed_json`.
 */
export function keepBodyParserErrors(err: unknown, _req: unknown, _res: unknown, next: (e: unknown) => void): void {
  const parser = err as { type?: unknown; status?: unknown; message?: string } | null;
  if (err instanceof SyntaxError && parser && typeof parser.type === 'string' && typeof parser.status === 'number') {
    next(Object.assign(new Error('request body could not be parsed'), { type: parser.type, status: parser.status }));
    return;
  }
  next(err);
}
