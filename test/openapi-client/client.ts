/**
 * A tiny typed fetch wrapper over the types openapi-typescript generates from /docs-json
 * (`npm run check:openapi-client` writes them to ./generated/, git-ignored). No dependency: the
 * types alone say which paths, parameters, bodies and answers exist.
 */
import type { paths } from './generated/openapi';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
type Operation<P extends keyof paths, M extends Method> = NonNullable<paths[P][M]>;
type ParamsOf<O> = O extends { parameters: infer X } ? { [K in keyof X as X[K] extends undefined ? never : K]: X[K] } : never;
type BodyOf<O> = O extends { requestBody: { content: { 'application/json': infer B } } }
  ? B
  : O extends { requestBody?: { content: { 'application/json': infer B } } }
    ? B | undefined
    : undefined;
type JsonOf<R> = R extends { content: { 'application/json': infer J } } ? J : never;
/** The JSON of the 2xx answers (200, 201). */
export type Answer<O> = O extends { responses: infer R } ? JsonOf<R[200 & keyof R]> | JsonOf<R[201 & keyof R]> : never;

export interface Request<O> {
  params?: ParamsOf<O>;
  body?: BodyOf<O>;
  headers?: Record<string, string>;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: { type: string; title: string; status: number; detail: string; code: string; [key: string]: unknown },
  ) {
    super(`${status} ${problem.code}: ${problem.detail}`);
  }
}

export function client(baseUrl: string, token?: string) {
  return async function call<P extends keyof paths, M extends Method>(
    method: M,
    path: P,
    request: Request<Operation<P, M>> = {},
  ): Promise<Answer<Operation<P, M>>> {
    const params = (request.params ?? {}) as { path?: Record<string, string | number>; query?: Record<string, string | number | boolean | undefined> };
    const url = new URL(
      String(path).replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(String(params.path?.[name]))),
      baseUrl,
    );
    for (const [k, v] of Object.entries(params.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const res = await fetch(url, {
      method: method.toUpperCase(),
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(request.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...request.headers,
      },
      body: request.body !== undefined ? JSON.stringify(request.body) : undefined,
    });
    const text = await res.text();
    if (!res.ok) throw new ApiError(res.status, JSON.parse(text));
    return (text ? JSON.parse(text) : undefined) as Answer<Operation<P, M>>;
  };
}
