import { INestApplication, RequestMethod } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import { keepBodyParserErrors, ProblemDetailsFilter } from './common/errors/problem-details.filter';
import { requestId } from './common/logging';
import { AppConfig, APP_CONFIG } from './config/app-config';
import { createValidationPipe } from './common/validation/validation-pipe';

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
      directives: { 'upgrade-insecure-requests': null, 'style-src': ["'self'", "'unsafe-inline'"], 'img-src': ["'self'", 'data:'], 'script-src': ["'self'", "'unsafe-inline'"] },
    },
  });
  app.use((req: Request, res: Response, next: NextFunction) => (req.path.startsWith('/docs') ? docsHeaders : apiHeaders)(req, res, next));

  // CORS only for the configured browser origins (none by default); no cookies are used, so no credentials.
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
  app.use(keepBodyParserErrors);

  app.setGlobalPrefix(API_PREFIX, { exclude: [{ path: 'health', method: RequestMethod.GET }] });
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new ProblemDetailsFilter());

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('pilot-booking API')
      .setDescription(
        'Booking and utilisation audit for shared innovation facilities (pilot platforms, verification centres, ' +
          'supercomputing and intelligent-computing centres). Errors are RFC 9457 application/problem+json.',
      )
      .setVersion('0.1.0')
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
      .build(),
  );
  addProblemResponses(document);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json', yamlDocumentUrl: 'docs-yaml' });
  return app;
}

/** Declares the problem+json schema and the 400 response that every operation can give. */
function addProblemResponses(document: ReturnType<typeof SwaggerModule.createDocument>) {
  document.components ??= {};
  document.components.schemas ??= {};
  document.components.schemas.Problem = {
    type: 'object',
    required: ['type', 'title', 'status', 'detail'],
    properties: {
      type: { type: 'string', format: 'uri' },
      title: { type: 'string' },
      status: { type: 'integer' },
      detail: { type: 'string' },
      code: { type: 'string', description: 'Stable machine-readable error code, e.g. validation_failed, slot_taken.' },
      instance: { type: 'string' },
      errors: {
        type: 'array',
        items: { type: 'object', properties: { field: { type: 'string' }, message: { type: 'string' } } },
      },
    },
  };
  const problem = { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } };
  for (const pathItem of Object.values(document.paths)) {
    for (const op of Object.values(pathItem) as Array<{ responses?: Record<string, { description: string; content?: unknown }> }>) {
      if (!op || typeof op !== 'object' || !op.responses) continue;
      op.responses['400'] ??= { description: 'Malformed request or invalid fields (problem+json with `errors`).' };
      for (const [status, response] of Object.entries(op.responses)) {
        if (Number(status) >= 400) response.content = problem;
      }
    }
  }
}
