import type { Context, MiddlewareHandler } from 'hono';

/**
 * Refuses request bodies over `maxBytes` before anything reads them: at once
 * from `Content-Length`, else while reading a chunked body (which is then
 * buffered for the validators). Hono's `bodyLimit` re-wraps the request with
 * the global `Request`, which fails on @hono/node-server's lightweight request
 * when the relay does not override the global classes, hence this one.
 */
export function limitBodySize(maxBytes: number, onTooLarge: (c: Context) => Response): MiddlewareHandler {
  return async (c, next) => {
    const raw = c.req.raw;
    if (!raw.body) return next();
    const declared = raw.headers.get('content-length');
    if (declared !== null && !raw.headers.has('transfer-encoding')) {
      return Number(declared) > maxBytes ? onTooLarge(c) : next();
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    const reader = raw.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel();
        return onTooLarge(c);
      }
      chunks.push(value);
    }
    const body = new Uint8Array(size);
    let offset = 0;
    for (const chunk of chunks) {
      body.set(chunk, offset);
      offset += chunk.byteLength;
    }
    c.req.raw = new Request(c.req.url, {
      method: raw.method,
      headers: raw.headers,
      body: size > 0 ? body : null,
    });
    return next();
  };
}
