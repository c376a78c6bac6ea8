import type { Context, MiddlewareHandler } from 'hono';

/**
 * An oversized body declared up to this size is read and discarded before
 * the refusal is sent: HTTP/1.1 clients that are still sending when the
 * server answers and closes often report a broken connection instead of the
 * answer. Larger bodies are refused at once.
 */
const MAX_DISCARDED_BYTES = 8 * 1024 * 1024;

/**
 * Refuses request bodies over `maxBytes` before anything reads them: at once
 * from `Content-Length`, else while reading a chunked body (which is then
 * buffered for the validators). Hono's `bodyLimit` re-wraps the request with
 * the global `Request`, which fails on @hono/node-server's lightweight request
 * when the relay does not override the global classes, hence this one.
 * `maxBytes` may depend on the request (e.g. its path). A moderately
 * oversized body is discarded before the refusal, so the client reads it.
 */
export function limitBodySize(
  maxBytes: number | ((c: Context) => number),
  onTooLarge: (c: Context) => Response,
): MiddlewareHandler {
  return async (c, next) => {
    const limit = typeof maxBytes === 'number' ? maxBytes : maxBytes(c);
    const raw = c.req.raw;
    if (!raw.body) return next();
    const declared = raw.headers.get('content-length');
    if (declared !== null && !raw.headers.has('transfer-encoding')) {
      const length = Number(declared);
      if (length <= limit) return next();
      if (length <= MAX_DISCARDED_BYTES) await discard(raw.body);
      return onTooLarge(c);
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    const reader = raw.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        reader.releaseLock();
        await discard(raw.body, MAX_DISCARDED_BYTES - size);
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

/** Reads and drops a body, up to `maxBytes` (then cancels the rest). */
async function discard(body: ReadableStream<Uint8Array>, maxBytes = MAX_DISCARDED_BYTES): Promise<void> {
  const reader = body.getReader();
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      return;
    }
  }
}
