import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

/**
 * Holds HTTP answers against an OpenAPI 3.0 document: path template + method → operation →
 * response for the status → content type → JSON schema (Ajv, with the document's components).
 * Response schemas are checked *closed*: an object schema without `additionalProperties` refuses
 * members it does not list, so a field the server adds without the document is a failure.
 */
type Json = Record<string, any>;

interface Route {
  template: string;
  method: string;
  regex: RegExp;
  literal: number;
  operation: Json;
}

export interface ContractResult {
  /** Why the answer does not match, or null. `skipped` when the path is not in the document (e.g. /docs). */
  problem: string | null;
  skipped?: boolean;
  operation?: string;
}

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch'];

/** Deep copy in which every object schema lists all its members (unless it says otherwise). */
function closed(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closed);
  if (!schema || typeof schema !== 'object') return schema;
  const out: Json = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === '$ref' && typeof v === 'string') out[k] = v.replace(/^#\/components\//, 'openapi#/components/');
    else if (k === 'properties' || k === 'patternProperties') out[k] = Object.fromEntries(Object.entries(v as Json).map(([p, s]) => [p, closed(s)]));
    else if (k === 'example' || k === 'examples') out[k] = v;
    else out[k] = closed(v);
  }
  if (out.properties && out.additionalProperties === undefined && !out.allOf && !out.oneOf && !out.anyOf) out.additionalProperties = false;
  // OpenAPI 3.0 `nullable`: the schema, or null (also where the schema is a $ref or allOf, which Ajv's own `nullable` misses).
  if (out.nullable === true) {
    delete out.nullable;
    return { anyOf: [{ type: 'null' }, out] };
  }
  return out;
}

export class ContractChecker {
  private readonly ajv: Ajv;
  private readonly routes: Route[] = [];
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(readonly document: Json) {
    this.ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
    addFormats(this.ajv);
    this.ajv.addSchema({ $id: 'openapi', components: closed(document.components ?? {}) });
    for (const [template, item] of Object.entries(document.paths ?? {})) {
      for (const method of HTTP_METHODS) {
        const operation = (item as Json)[method];
        if (!operation) continue;
        const parts = template.split(/(\{[^}]+\})/);
        const regex = new RegExp(`^${parts.map((p) => (p.startsWith('{') ? '([^/]+?)' : p.replace(/[.*+?^$()|[\]\\]/g, '\\$&'))).join('')}$`);
        const literal = parts.filter((p) => !p.startsWith('{')).join('').length;
        this.routes.push({ template, method, regex, literal, operation });
      }
    }
    // The most literal template first: /bookings/{id}.ics before /bookings/{id}, /audit/verify before /audit/{x}.
    this.routes.sort((a, b) => b.literal - a.literal);
  }

  /** The operation for a request, or undefined when the document has no such route. */
  find(method: string, path: string): Route | undefined {
    return this.routes.find((r) => r.method === method.toLowerCase() && r.regex.test(path));
  }

  check(method: string, path: string, status: number, contentType: string | undefined, body: unknown, text: string | undefined): ContractResult {
    const route = this.find(method, path);
    if (!route) return { problem: null, skipped: true };
    const op = `${method.toUpperCase()} ${route.template} (${route.operation.operationId})`;
    const responses = route.operation.responses ?? {};
    const response = responses[String(status)] ?? responses[`${String(status)[0]}XX`] ?? responses.default;
    if (!response)
      return {
        operation: op,
        problem: `${op} answered ${status}, which the document does not declare (declared: ${Object.keys(responses).join(', ')}). Body: ${(text ?? '').slice(0, 300)}`,
      };
    const content = response.content as Json | undefined;
    const hasBody = (text ?? '').length > 0;
    if (!content) {
      return hasBody
        ? { operation: op, problem: `${op} ${status}: the document declares no body, the server sent ${contentType}: ${(text ?? '').slice(0, 200)}` }
        : { operation: op, problem: null };
    }
    const mediaType = (contentType ?? '').split(';')[0].trim().toLowerCase();
    const media = content[mediaType];
    if (!media)
      return {
        operation: op,
        problem: `${op} ${status}: content type ${contentType || '(none)'} is not declared (declared: ${Object.keys(content).join(', ')})`,
      };
    if (!/json/.test(mediaType) || !media.schema) return { operation: op, problem: null }; // raw (text/calendar, CSV): status and type only
    const key = `${route.method} ${route.template} ${status} ${mediaType}`;
    let validate = this.compiled.get(key);
    if (!validate) {
      validate = this.ajv.compile(closed(media.schema) as object);
      this.compiled.set(key, validate);
    }
    let value = body;
    if (
      mediaType !== 'application/json' ||
      value === undefined ||
      (typeof value === 'object' && value !== null && Object.keys(value).length === 0 && text && text !== '{}')
    ) {
      try {
        value = JSON.parse(text ?? '');
      } catch {
        return { operation: op, problem: `${op} ${status}: the body is not JSON: ${(text ?? '').slice(0, 200)}` };
      }
    }
    if (validate(value)) return { operation: op, problem: null };
    const errors = (validate.errors ?? [])
      .slice(0, 10)
      .map(
        (e) =>
          `  ${e.instancePath || '(body)'} ${e.message}${e.params && 'additionalProperty' in e.params ? `: ${String((e.params as Json).additionalProperty)}` : ''}${e.params && 'allowedValues' in e.params ? ` ${JSON.stringify((e.params as Json).allowedValues)}` : ''}`,
      )
      .join('\n');
    return {
      operation: op,
      problem: `${op} ${status} ${mediaType}: the body does not match the document:\n${errors}\nBody: ${JSON.stringify(value).slice(0, 600)}`,
    };
  }
}
