import { INestApplication, ParseIntPipe, ParseUUIDPipe } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { ModulesContainer } from '@nestjs/core';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type {
  OperationObject,
  ParameterObject,
  ReferenceObject,
  RequestBodyObject,
  ResponseObject,
  SchemaObject,
} from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { ALLOW_PENDING_PASSWORD_CHANGE } from '../../auth/auth.decorators';
import { ALLOWED_ROLES, OPTIONAL_AUTH, PUBLIC_ROUTE } from '../auth/auth.decorators';
import { PROBLEM_DESCRIPTIONS } from './api-problems';
import { applyValidationToSwaggerMetadata } from './validation-schema';

export const PROBLEM_MEDIA_TYPE = 'application/problem+json';
const TAG_DESCRIPTIONS: Record<string, string> = {
  auth: 'Registration, sign-in, token refresh, logout, the caller and its password.',
  users: 'Users (admins manage them; everyone sees themselves).',
  organisations: 'Enterprises, operators and authorities.',
  catalogue: 'Facilities, resources, opening hours and maintenance windows.',
  availability: 'Free windows of resources.',
  bookings: 'Booking requests and their life cycle.',
  calendar: 'iCalendar feeds and private feed tokens.',
  notifications: "The caller's notifications.",
  audit: 'The hash-chained audit trail.',
  health: 'Liveness and readiness.',
};
const UNKNOWN_QUERY = 'Unknown query parameters are refused (400 `validation_failed`).';

/** One handler as Nest routes it: what the document cannot see by itself (pipes, auth metadata). */
interface HandlerFacts {
  pathParams: Map<string, 'uuid' | 'integer' | 'string'>;
  public: boolean;
  optionalAuth: boolean;
  roles: string[];
  allowPendingPasswordChange: boolean;
  hasQueryDto: boolean;
}

/**
 * The OpenAPI document of the app, made to tell the truth: constraints from the validators, problem
 * answers for every status the guard, the pipes and the filter can give, path parameter formats from
 * the pipes, closed request schemas. The contract test (test/helpers/contract.ts) holds every answer
 * of the e2e suite against it.
 */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  applyValidationToSwaggerMetadata();
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('pilot-booking API')
      .setDescription(
        'Booking and utilisation audit for shared innovation facilities (pilot platforms, verification centres, ' +
          'supercomputing and intelligent-computing centres). Errors are RFC 9457 application/problem+json (schema `Problem`). ' +
          'Request bodies with unknown fields and requests with unknown query parameters are refused with 400 `validation_failed`.',
      )
      .setVersion('0.1.0')
      .setLicense('MIT', 'https://opensource.org/licenses/MIT')
      .addServer('/', 'This server')
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
      .build(),
  );
  const handlers = handlerFacts(app);
  addProblemSchema(document);
  for (const pathItem of Object.values(document.paths)) {
    for (const [method, op] of Object.entries(pathItem) as Array<[string, OperationObject]>) {
      if (!['get', 'put', 'post', 'delete', 'patch'].includes(method) || !op?.responses) continue;
      const facts = op.operationId ? handlers.get(op.operationId) : undefined;
      if (facts) applyHandlerFacts(op, facts);
      op.security ??= [];
      op.responses['400'] ??= { description: PROBLEM_DESCRIPTIONS[400] };
      if (op.requestBody) op.responses['413'] ??= { description: PROBLEM_DESCRIPTIONS[413] };
      op.responses['500'] ??= { description: PROBLEM_DESCRIPTIONS[500] };
      // Any operation that reaches the database answers 503 while it is down or restarting.
      op.responses['503'] ??= { description: PROBLEM_DESCRIPTIONS[503] };
      for (const [status, response] of Object.entries(op.responses) as Array<[string, ResponseObject]>) {
        if (Number(status) >= 400) response.content = { [PROBLEM_MEDIA_TYPE]: { schema: { $ref: '#/components/schemas/Problem' } } };
      }
    }
  }
  const schemas = document.components?.schemas ?? {};
  // Request bodies are closed, nested objects too: the validation pipe refuses unknown fields (forbidNonWhitelisted).
  const closed = new Set<unknown>();
  const close = (schema: SchemaObject | ReferenceObject | undefined): void => {
    if (!schema || closed.has(schema)) return;
    closed.add(schema);
    if ('$ref' in schema) return close(schemas[schema.$ref.replace('#/components/schemas/', '')]);
    if (schema.type === 'object' && schema.properties && schema.additionalProperties === undefined) schema.additionalProperties = false;
    for (const s of [...Object.values(schema.properties ?? {}), schema.items, ...(schema.allOf ?? []), ...(schema.oneOf ?? []), ...(schema.anyOf ?? [])])
      close(s);
  };
  for (const pathItem of Object.values(document.paths)) {
    for (const op of Object.values(pathItem) as OperationObject[]) {
      const body = op?.requestBody as RequestBodyObject | undefined;
      for (const media of Object.values(body?.content ?? {})) close(media.schema);
    }
  }
  for (const schema of Object.values(schemas)) fixEnumTypes(schema as SchemaObject);
  for (const pathItem of Object.values(document.paths)) {
    for (const op of Object.values(pathItem) as OperationObject[])
      for (const p of (op?.parameters ?? []) as ParameterObject[]) if (p.schema) fixEnumTypes(p.schema as SchemaObject);
  }
  document.tags = [...new Set(Object.values(document.paths).flatMap((item) => Object.values(item).flatMap((op) => (op as OperationObject)?.tags ?? [])))]
    .sort()
    .map((name) => ({ name, description: TAG_DESCRIPTIONS[name] ?? name }));
  return document;
}

/** Error statuses every operation of a kind can answer, and the formats of its path parameters. */
function applyHandlerFacts(op: OperationObject, f: HandlerFacts) {
  const responses = op.responses as Record<string, ResponseObject>;
  // Who may call it, for generated clients and the contract test (the guard's metadata, not a promise of row access).
  Object.assign(op, { 'x-auth': f.public ? (f.optionalAuth ? 'optional' : 'none') : 'required', ...(f.roles.length ? { 'x-roles': f.roles } : {}) });
  const add = (status: number, description = PROBLEM_DESCRIPTIONS[status]) => (responses[String(status)] ??= { description });
  if (!f.public || f.optionalAuth) add(401);
  if (!f.public && (f.roles.length > 0 || !f.allowPendingPasswordChange)) add(403);
  if (f.pathParams.size > 0) add(404);
  for (const p of (op.parameters ?? []) as ParameterObject[]) {
    if (p.in !== 'path') continue;
    p.required = true;
    const kind = f.pathParams.get(p.name);
    if (kind === 'uuid') p.schema = { type: 'string', format: 'uuid' };
    if (kind === 'integer') p.schema = { type: 'integer', format: 'int64', minimum: 1 };
  }
  if (f.hasQueryDto && (op.parameters ?? []).some((p) => (p as ParameterObject).in === 'query')) {
    op.description = op.description ? `${op.description}\n\n${UNKNOWN_QUERY}` : UNKNOWN_QUERY;
  }
}

/** Walks the controllers: per operationId (Controller_method, the swagger default), what the route enforces. */
function handlerFacts(app: INestApplication): Map<string, HandlerFacts> {
  const facts = new Map<string, HandlerFacts>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as (new (...args: unknown[]) => unknown) | null;
      if (!controller?.prototype) continue;
      for (const key of Object.getOwnPropertyNames(controller.prototype)) {
        const handler = (controller.prototype as Record<string, unknown>)[key];
        if (key === 'constructor' || typeof handler !== 'function') continue;
        const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, key) ?? {}) as Record<string, { data?: unknown; pipes?: unknown[] }>;
        const pathParams = new Map<string, 'uuid' | 'integer' | 'string'>();
        let hasQueryDto = false;
        for (const [argKey, arg] of Object.entries(args)) {
          const type = Number(argKey.split(':')[0]) as RouteParamtypes;
          if (type === RouteParamtypes.QUERY && arg.data === undefined) hasQueryDto = true;
          if (type !== RouteParamtypes.PARAM || typeof arg.data !== 'string') continue;
          const pipes = arg.pipes ?? [];
          const has = (cls: new (...args: never[]) => unknown) => pipes.some((p) => p === cls || p instanceof cls);
          pathParams.set(arg.data, has(ParseUUIDPipe) ? 'uuid' : has(ParseIntPipe) ? 'integer' : 'string');
        }
        const meta = <T>(k: string): T | undefined => (Reflect.getMetadata(k, handler) ?? Reflect.getMetadata(k, controller)) as T | undefined;
        facts.set(`${controller.name}_${key}`, {
          pathParams,
          public: meta<boolean>(PUBLIC_ROUTE) === true,
          optionalAuth: meta<boolean>(OPTIONAL_AUTH) === true,
          roles: meta<string[]>(ALLOWED_ROLES) ?? [],
          allowPendingPasswordChange: meta<boolean>(ALLOW_PENDING_PASSWORD_CHANGE) === true,
          hasQueryDto,
        });
      }
    }
  }
  return facts;
}

/** The plugin publishes an enumeration typed by a union as `type: object`: its values say the type. */
function fixEnumTypes(schema: SchemaObject | undefined): void {
  if (!schema || typeof schema !== 'object') return;
  if (Array.isArray(schema.enum) && (schema.type === 'object' || schema.type === undefined)) {
    const first: unknown = schema.enum[0];
    schema.type = typeof first === 'number' ? 'number' : typeof first === 'boolean' ? 'boolean' : 'string';
  }
  if (schema.items) fixEnumTypes(schema.items as SchemaObject);
  for (const p of Object.values(schema.properties ?? {})) fixEnumTypes(p as SchemaObject);
  for (const s of [...(schema.allOf ?? []), ...(schema.oneOf ?? []), ...(schema.anyOf ?? [])]) fixEnumTypes(s as SchemaObject);
}

function addProblemSchema(document: OpenAPIObject) {
  document.components ??= {};
  document.components.schemas ??= {};
  document.components.schemas.Problem = {
    type: 'object',
    description: 'RFC 9457 problem details. Some codes add members (e.g. `conflicts`, `state`, `retryAfterSeconds`).',
    required: ['type', 'title', 'status', 'detail', 'code'],
    additionalProperties: true,
    properties: {
      type: { type: 'string', format: 'uri' },
      title: { type: 'string' },
      status: { type: 'integer', minimum: 400, maximum: 599 },
      detail: { type: 'string' },
      code: { type: 'string', description: 'Stable machine-readable error code, e.g. validation_failed, slot_taken.' },
      instance: { type: 'string' },
      errors: {
        type: 'array',
        description: 'The fields at fault (validation_failed).',
        items: {
          type: 'object',
          required: ['field', 'message'],
          additionalProperties: false,
          properties: { field: { type: 'string' }, message: { type: 'string' } },
        },
      },
    },
  };
}
