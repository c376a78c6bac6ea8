import type { z } from 'zod';
import { type ErrorCode, ERROR_MESSAGES, ErrorBodySchema, isErrorCode } from '@coffre/protocol';
import { AccountError } from './AccountError.ts';

/** The part of `fetch` the client uses; inject a fake one in tests. */
export type FetchFunction = (input: string, init: RequestInit) => Promise<Response>;

export interface RelayApiOptions {
  /** The relay's HTTP address, e.g. http://127.0.0.1:8787. */
  baseUrl: string;
  fetch?: FetchFunction;
  /** Milliseconds before a request counts as unanswered (default 30 s). */
  timeoutMs?: number;
}

export interface RelayRequest<T> {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  body?: unknown;
  /** Bearer access token. */
  token?: string;
  /** Validates a 2xx JSON body; omitted for 204 answers. */
  schema?: z.ZodType<T>;
}

function codeForStatus(status: number): ErrorCode {
  if (status === 400) return 'BAD_REQUEST';
  if (status === 401) return 'UNAUTHENTICATED';
  if (status === 403) return 'FORBIDDEN';
  if (status === 404) return 'NOT_FOUND';
  if (status === 413) return 'PAYLOAD_TOO_LARGE';
  if (status === 422) return 'VALIDATION_FAILED';
  if (status === 429) return 'RATE_LIMITED';
  return 'INTERNAL';
}

function retryAfter(response: Response): number | undefined {
  const header = response.headers.get('retry-after');
  if (header === null) return undefined;
  const seconds = Number(header);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : undefined;
}

/**
 * JSON over HTTP to the relay's `/v1` API: every failure becomes an
 * {@link AccountError} carrying the relay's error code, and every success
 * body is validated against the shared contract before anyone reads it.
 */
export class RelayApi {
  readonly baseUrl: string;
  readonly #fetch: FetchFunction;
  readonly #timeoutMs: number;

  constructor(options: RelayApiOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.#timeoutMs = options.timeoutMs ?? 30_000;
  }

  async request<T>(request: RelayRequest<T>): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (request.body !== undefined) headers['content-type'] = 'application/json';
    if (request.token !== undefined) headers.authorization = `Bearer ${request.token}`;
    let response: Response;
    try {
      response = await this.#fetch(`${this.baseUrl}${request.path}`, {
        method: request.method,
        headers,
        body: request.body === undefined ? undefined : JSON.stringify(request.body),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (error) {
      throw new AccountError('RELAY_UNREACHABLE', {
        detail: `${request.method} ${this.baseUrl}${request.path}: ${error instanceof Error ? error.message : String(error)}`,
        cause: error,
      });
    }
    const text = await this.#readText(response);
    if (!response.ok) throw this.#errorFrom(response, text);
    if (!request.schema) return undefined as T;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new AccountError('INVALID_RESPONSE', { status: response.status, detail: 'the body is not JSON' });
    }
    const parsed = request.schema.safeParse(json);
    if (!parsed.success) {
      throw new AccountError('INVALID_RESPONSE', { status: response.status, detail: parsed.error.message });
    }
    return parsed.data;
  }

  async #readText(response: Response): Promise<string> {
    try {
      return await response.text();
    } catch (error) {
      throw new AccountError('RELAY_UNREACHABLE', {
        status: response.status,
        detail: 'the answer was cut off',
        cause: error,
      });
    }
  }

  #errorFrom(response: Response, text: string): AccountError {
    let body: unknown = null;
    try {
      body = JSON.parse(text);
    } catch {
      // Not JSON (a proxy's error page, say): the status alone has to do.
    }
    const parsed = ErrorBodySchema.safeParse(body);
    const code =
      parsed.success && isErrorCode(parsed.data.error.code) ? parsed.data.error.code : codeForStatus(response.status);
    const said = parsed.success ? parsed.data.error.message : undefined;
    return new AccountError(code, {
      status: response.status,
      // The relay's own words only when they add something to the sentence.
      detail: said !== undefined && said !== ERROR_MESSAGES[code] ? said : undefined,
      retryAfterSeconds: retryAfter(response),
    });
  }
}
