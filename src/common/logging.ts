import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { RequestMethod } from '@nestjs/common';
import type { Params } from 'nestjs-pino';
import type { AppConfig } from '../config/app-config';

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
      level: config.logLevel,
      genReqId: requestId,
      customProps: () => ({ service: 'pilot-booking' }),
      serializers: {
        req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, path: redactPath(req.url) }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      // Bodies and headers are never serialised (see the serializers); this is a second line of defence.
      redact: {
        paths: ['req.headers.authorization', 'req.headers.cookie', '*.password', '*.currentPassword', '*.newPassword', '*.accessToken', '*.refreshToken', '*.token'],
        censor: '[redacted]',
      },
      customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
    },
  };
}

/** Drops the query string and masks path segments that look like secrets (calendar feed tokens). */
export function redactPath(url: string): string {
  const path = url.split('?')[0];
  return path.replace(/\/feeds\/[^/]+/, '/feeds/[redacted]');
}
