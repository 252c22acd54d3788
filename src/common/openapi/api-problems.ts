import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';

/** What each error status means in this API (the body is always RFC 9457 problem+json, schema `Problem`). */
export const PROBLEM_DESCRIPTIONS: Record<number, string> = {
  400: 'Malformed request or invalid fields (`validation_failed` with `errors`, `malformed_json`, …).',
  401: 'Missing, invalid or expired bearer token, or the session has ended.',
  403: 'Not allowed for your role or organisation, or a password change is pending.',
  404: 'Unknown, or not visible to you.',
  409: 'Conflicts with the current state (e.g. `wrong_state`, `slot_taken`).',
  413: 'The request body is larger than 1 MiB.',
  422: 'Refused by a rule of the resource or of the request.',
  429: 'Too many attempts; see the Retry-After header.',
  500: 'Unexpected error (`internal_error`); the body says nothing of the internals, the X-Request-Id header finds it in the log.',
  503: 'The database does not answer (down or restarting): `database_unavailable`, with a Retry-After header; retry a write with the same Idempotency-Key.',
};

/**
 * Declares error answers of an operation, each with the problem+json schema (filled in by
 * app.setup's document post-processing). `@ApiProblems(404, 409)`, or with a description of the
 * codes: `@ApiProblems([409, '`too_many_feed_tokens`: at most 20 active tokens.'])`.
 */
export function ApiProblems(...statuses: Array<number | [number, string]>) {
  return applyDecorators(
    ...statuses.map((s) => {
      const [status, description] = Array.isArray(s) ? s : [s, PROBLEM_DESCRIPTIONS[s] ?? 'Error (problem+json).'];
      return ApiResponse({ status, description });
    }),
  );
}
