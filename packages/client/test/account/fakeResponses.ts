import { type ErrorCode, ERROR_MESSAGES } from '@coffre/protocol';

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
}

export function error(status: number, code: ErrorCode, message: string = ERROR_MESSAGES[code]): Response {
  return json(status, { error: { code, message } });
}
