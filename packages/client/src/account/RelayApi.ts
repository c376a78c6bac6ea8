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
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  /** A JSON body. */
  body?: unknown;
  /** A binary body (`application/octet-stream`), instead of {@link body}. */
  bytes?: Uint8Array;
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
  if (status === 507) return 'QUOTA_EXCEEDED';
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
    const response = await this.#send(request, 'application/json');
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

  /** A request answered with bytes (`application/octet-stream`), such as a Drive chunk. */
  async requestBytes(request: Omit<RelayRequest<never>, 'schema'>): Promise<Uint8Array> {
    const response = await this.#send(request, 'application/octet-stream');
    if (!response.ok) throw this.#errorFrom(response, await this.#readText(response));
    try {
      return new Uint8Array(await response.arrayBuffer());
    } catch (error) {
      throw new AccountError('RELAY_UNREACHABLE', {
        status: response.status,
        detail: 'the answer was cut off',
        cause: error,
      });
    }
  }

  async #send(request: Omit<RelayRequest<unknown>, 'schema'>, accept: string): Promise<Response> {
    const headers: Record<string, string> = { accept };
    let body: BodyInit | undefined;
    if (request.bytes !== undefined) {
      headers['content-type'] = 'application/octet-stream';
      body = request.bytes as Uint8Array<ArrayBuffer>;
    } else if (request.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(request.body);
    }
    if (request.token !== undefined) headers.authorization = `Bearer ${request.token}`;
    try {
      return await this.#fetch(`${this.baseUrl}${request.path}`, {
        method: request.method,
        headers,
        body,
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (error) {
      throw new AccountError('RELAY_UNREACHABLE', {
        detail: `${request.method} ${this.baseUrl}${request.path}: ${error instanceof Error ? error.message : String(error)}`,
        cause: error,
      });
    }
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
