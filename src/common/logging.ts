import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { hostname } from 'node:os';
import { LoggerService, RequestMethod } from '@nestjs/common';
import { Logger as NestPinoLogger, Params, PinoLogger } from 'nestjs-pino';
import pino, { DestinationStream } from 'pino';
import type { AppConfig } from '../config/app-config';

export const SERVICE_NAME = 'pilot-booking';

/** Paths masked wherever they appear in a log line (a second line of defence: bodies are never logged). */
const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  '*.password',
  '*.currentPassword',
  '*.newPassword',
  '*.temporaryPassword',
  '*.passwordHash',
  '*.accessToken',
  '*.refreshToken',
  '*.token',
];

/**
 * The one logger factory: every line the app (and the CLI) writes is one pino JSON line
 * `{ level, time, pid, hostname, service: 'pilot-booking', context?, msg, … }` on stdout. It writes
 * through `process.stdout` (not straight to fd 1), so a test can capture it.
 */
export function createLogger(level: string = 'info', destination: DestinationStream = process.stdout): pino.Logger {
  return pino(
    {
      level,
      base: { pid: process.pid, hostname: hostname(), service: SERVICE_NAME },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    },
    destination,
  );
}

/**
 * A Nest LoggerService on that pino logger, for the lines written before the Nest app exists
 * (database start, migrations) and for the CLI: `Logger.overrideLogger(createNestLogger(level))`.
 * Same formatting as nestjs-pino's Logger inside the app (context, object-first calls, errors).
 */
export function createNestLogger(level: string = 'info', destination?: DestinationStream): LoggerService {
  const params: Params = { pinoHttp: { logger: createLogger(level, destination) } };
  return new NestPinoLogger(new PinoLogger(params), params);
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** A caller's X-Request-Id when it is sane, otherwise a new UUID; echoed in the response. */
export function requestId(req: IncomingMessage, res: ServerResponse): string {
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
  res.setHeader('X-Request-Id', id);
  return id;
}

/**
 * Structured JSON request logs. Only method, path (without the query string, which may carry a
 * feed token), status and timing are logged: never headers or bodies, so never a password or token.
 */
export function loggerOptions(config: Pick<AppConfig, 'logLevel'>): Params {
  return {
    forRoutes: [{ path: '{*path}', method: RequestMethod.ALL }],
    pinoHttp: {
      logger: createLogger(config.logLevel),
      genReqId: requestId,
      serializers: {
        req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, path: redactPath(req.url) }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      // Bodies and headers are never serialised (see the serializers); createLogger's redaction is a second line of defence.
      customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
    },
  };
}

/** Drops the query string and masks path segments that look like secrets (calendar feed tokens). */
export function redactPath(url: string): string {
  const path = url.split('?')[0];
  return path.replace(/\/feeds\/[^/]+/, '/feeds/[redacted]');
}
