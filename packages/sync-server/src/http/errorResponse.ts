import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { z } from 'zod';
import { ERROR_MESSAGES, ErrorBodySchema, type ErrorCode } from '@coffre/protocol';

/** The HTTP status each error code is answered with. */
export const HTTP_STATUS: Record<ErrorCode, ContentfulStatusCode> = {
  BAD_REQUEST: 400,
  MALFORMED_MESSAGE: 400,
  MALFORMED_ENTRY: 400,
  ENTRY_REJECTED: 422,
  INVALID_DOCUMENT_NAME: 400,
  UNAUTHENTICATED: 401,
  TOKEN_EXPIRED: 401,
  FORBIDDEN: 403,
  READ_ONLY: 403,
  MESSAGE_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  AUTHENTICATION_TIMEOUT: 408,
  STORAGE_UNAVAILABLE: 503,
  QUOTA_EXCEEDED: 507,
  SHUTTING_DOWN: 503,
  NOT_FOUND: 404,
  INTERNAL: 500,
  VALIDATION_FAILED: 400,
  PAYLOAD_TOO_LARGE: 413,
  INVALID_CREDENTIALS: 401,
  SECOND_FACTOR_REQUIRED: 401,
  INVALID_SECOND_FACTOR: 401,
  EMAIL_TAKEN: 409,
  UNKNOWN_TENANT: 404,
  TOKEN_REVOKED: 401,
  REFRESH_TOKEN_REUSED: 401,
  DEVICE_REVOKED: 401,
  TWO_FACTOR_ALREADY_ENABLED: 409,
  DOCUMENT_EXISTS: 409,
  EPOCH_CONFLICT: 409,
  MEMBER_EXISTS: 409,
  FOREIGN_WRITER: 422,
  UNCOVERED_DELETION: 422,
  NOT_STORED: 500,
  UNSUPPORTED_MESSAGE: 400,
  UNAUTHENTICATED_QUEUE_FULL: 429,
  IDLE_TIMEOUT: 408,
  CHUNK_MISMATCH: 422,
};

/** One invalid field of a `VALIDATION_FAILED` answer: where, and what is expected there. */
export const FieldProblemSchema = z.object({ path: z.string(), problem: z.string() });
export type FieldProblem = z.infer<typeof FieldProblemSchema>;

/** `{ error: { code, message } }`, plus `fields` on `VALIDATION_FAILED` (extra keys every client may ignore). */
export const ApiErrorBodySchema = z.object({
  error: ErrorBodySchema.shape.error.extend({ fields: z.array(FieldProblemSchema).optional() }),
});

export interface ErrorResponseOptions {
  /** Defaults to {@link HTTP_STATUS} of the code. */
  status?: ContentfulStatusCode;
  /** Defaults to the sentence of ERROR_MESSAGES. */
  message?: string;
  fields?: FieldProblem[];
  retryAfterSeconds?: number;
}

/** The JSON error answer every API failure gets. */
export function errorResponse(c: Context, code: ErrorCode, options: ErrorResponseOptions = {}): Response {
  const error: z.infer<typeof ApiErrorBodySchema>['error'] = { code, message: options.message ?? ERROR_MESSAGES[code] };
  if (options.fields) error.fields = options.fields;
  c.header('cache-control', 'no-store');
  if (options.retryAfterSeconds !== undefined) c.header('retry-after', String(options.retryAfterSeconds));
  return c.json({ error }, options.status ?? HTTP_STATUS[code]);
}
