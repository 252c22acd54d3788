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
    if (problem.status >= 500) {
      this.logger.error({ err: exception, reqId: (req as { id?: unknown }).id }, 'unhandled error');
    }
    if (res.headersSent) return;
    if (problem.status === 429 && typeof problem.retryAfterSeconds === 'number') {
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
            ? ((body as { message: string[] }).message).join('; ')
            : String((body as { message?: unknown }).message ?? exception.message);
      return this.problem(status, codeFor(status), status === 404 ? detail.replace(/^Cannot (\w+) (.*)$/, 'No route for $1 $2.') : detail);
    }
    // Errors thrown by express' body parser carry `type` and `status`.
    const parser = exception as { type?: string; status?: number; message?: string };
    if (parser && typeof parser.type === 'string' && typeof parser.status === 'number') {
      if (parser.type === 'entity.too.large') {
        return this.problem(413, 'payload_too_large', 'The request body is larger than the 1 MiB limit.');
      }
      if (parser.type === 'entity.parse.failed') {
        return this.problem(400, 'malformed_json', 'The request body is not valid JSON.');
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
      if (code === '22P02' || code === '22007' || code === '22008' || code === '22003') {
        return this.problem(400, 'invalid_value', 'A value in the request is not valid.');
      }
    }
    return this.problem(500, 'internal_error', 'Something went wrong on our side. The request id in the X-Request-Id header identifies it in the logs.');
  }

  private problem(status: number, code: string, detail: string, extra: Record<string, unknown> = {}, errors?: FieldError[]): Problem {
    const p: Problem = { type: TYPE_BASE + code, title: TITLES[status] ?? HttpStatus[status] ?? 'Error', status, detail, code, ...extra };
    if (errors) p.errors = errors;
    return p;
  }
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
    }[status] ?? 'error'
  );
}
