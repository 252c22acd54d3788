import { INestApplication, RequestMethod } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import { buildOpenApiDocument } from './common/openapi/openapi-document';
import { keepBodyParserErrors, ProblemDetailsFilter } from './common/errors/problem-details.filter';
import { requestId } from './common/logging';
import { AppConfig, APP_CONFIG } from './config/app-config';
import { createValidationPipe } from './common/validation/validation-pipe';
import { configureConsoleHttp, CONSOLE_PREFIX_EXCLUDES, isConsolePath } from './console/console-http';

export const API_PREFIX = 'api/v1';

/**
 * Everything main.ts and the tests both need: body limit, headers, prefix, validation, the
 * problem+json filter and the OpenAPI document. Tests call this too, so they exercise the real stack.
 */
export function configureApp(app: NestExpressApplication): INestApplication {
  app.useLogger(app.get(Logger));
  const config = app.get<AppConfig>(APP_CONFIG);
  // Which proxies may say who the client is (X-Forwarded-For): login throttling counts per client address.
  app.set('trust proxy', config.trustProxy);
  app.disable('x-powered-by');

  // Request id, security headers and CORS come before the body parser, so its errors (400, 413) have them too.
  // pino-http keeps an existing req.id.
  app.use((req: Request & { id?: string }, res: Response, next: NextFunction) => {
    req.id ??= requestId(req, res);
    next();
  });

  const apiHeaders = helmet();
  // Swagger UI needs inline styles and data: images; the rest of the API keeps helmet's strict default.
  const docsHeaders = helmet({
    contentSecurityPolicy: {
      directives: {
        'upgrade-insecure-requests': null,
        'style-src': ["'self'", "'unsafe-inline'"],
        'img-src': ["'self'", 'data:'],
        'script-src': ["'self'", "'unsafe-inline'"],
      },
    },
  });
  // The console's pages: scripts and styles from this origin only, forms only to it; no upgrade to HTTPS
  // (intranet installations often serve plain HTTP, where upgraded asset URLs would not load).
  const consoleHeaders = helmet({
    contentSecurityPolicy: { directives: { 'upgrade-insecure-requests': null, 'form-action': ["'self'"], 'img-src': ["'self'", 'data:'] } },
  });
  app.use((req: Request, res: Response, next: NextFunction) =>
    (req.path.startsWith('/docs') ? docsHeaders : isConsolePath(req.path) ? consoleHeaders : apiHeaders)(req, res, next),
  );

  // CORS only for the configured browser origins (none by default); the API reads no cookie (only the console does, same-origin), so no credentials.
  if (config.corsOrigins.length > 0) {
    app.enableCors({
      origin: config.corsOrigins,
      credentials: false,
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowedHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'X-Request-Id'],
      exposedHeaders: ['X-Request-Id', 'Retry-After', 'Location', 'Content-Disposition'],
      maxAge: 600,
    });
  }

  app.useBodyParser('json', { limit: '1mb' });
  configureConsoleHttp(app, config);
  app.use(keepBodyParserErrors);

  app.setGlobalPrefix(API_PREFIX, { exclude: [{ path: 'health', method: RequestMethod.GET }, ...CONSOLE_PREFIX_EXCLUDES] });
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new ProblemDetailsFilter());

  const document = buildOpenApiDocument(app);
  documents.set(app, document);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json', yamlDocumentUrl: 'docs-yaml' });
  return app;
}

const documents = new WeakMap<INestApplication, OpenAPIObject>();

/** The OpenAPI document configureApp published at /docs-json (for scripts that write it without serving it). */
export const openApiDocumentOf = (app: INestApplication): OpenAPIObject | undefined => documents.get(app);
