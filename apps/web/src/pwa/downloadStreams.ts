/**
 * Streamed downloads, the service worker's side: a page that decrypts a
 * large file hands the worker a stream of its plaintext over a
 * MessageChannel, then opens `/__coffre/download/<id>` in a hidden frame;
 * the worker answers that request with the stream as an attachment, so the
 * browser writes the file to disk as it is decrypted and the page never
 * holds it whole. The page's side is `files/saveStream.ts` (which may not
 * import this file: the service worker is built as one script), and the
 * protocol between them is {@link DownloadMessage}.
 *
 * Nothing here reaches the network or a cache: the bytes come from the
 * page, each id serves one request, and an id nobody asked for is answered
 * 404.
 */

/** Where a streamed download is served; `saveStream.ts` writes the same path. */
export const DOWNLOAD_PATH = '/__coffre/download/';

/** An id of a download: 32 hex characters, random. */
const DOWNLOAD_ID = /^[0-9a-f]{32}$/;

/** How long a download offered by a page waits for its request before it is dropped. */
const OFFER_LIFETIME_MS = 60_000;

/**
 * Messages of a download. Page to worker: `offer` (with the channel's port),
 * then `chunk` and `end` or `error`, each in answer to a `pull`. Worker to
 * page: `ready` once it will serve the id, `pull` when it wants the next
 * chunk, `cancel` when the person cancelled the download.
 */
export type DownloadMessage =
  | { type: 'coffre-download-offer'; id: string; name: string; size: number }
  | { type: 'ready' }
  | { type: 'pull' }
  | { type: 'chunk'; bytes: Uint8Array }
  | { type: 'end' }
  | { type: 'error' }
  | { type: 'cancel' };

interface Offer {
  name: string;
  size: number;
  port: MessagePort;
  timer: ReturnType<typeof setTimeout>;
}

const offers = new Map<string, Offer>();

/** Whether a message to the worker offers a download; if so it is taken (true). */
export function takeDownloadOffer(data: unknown, ports: readonly MessagePort[]): boolean {
  if (typeof data !== 'object' || data === null || (data as { type?: unknown }).type !== 'coffre-download-offer') {
    return false;
  }
  const { id, name, size } = data as { id?: unknown; name?: unknown; size?: unknown };
  const port = ports[0];
  if (!port || typeof id !== 'string' || !DOWNLOAD_ID.test(id) || typeof name !== 'string') return true;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0 || offers.has(id)) return true;
  const timer = setTimeout(() => {
    offers.delete(id);
    port.close();
  }, OFFER_LIFETIME_MS);
  offers.set(id, { name, size, port, timer });
  port.postMessage({ type: 'ready' } satisfies DownloadMessage);
  return true;
}

/** The answer to a request of {@link DOWNLOAD_PATH}, or null when the path is another one. */
export function answerDownload(url: URL): Response | null {
  if (!url.pathname.startsWith(DOWNLOAD_PATH)) return null;
  const id = url.pathname.slice(DOWNLOAD_PATH.length);
  const offer = offers.get(id);
  if (!offer) {
    return new Response('This download is no longer available. Download the file again from Coffre.', {
      status: 404,
      headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
    });
  }
  offers.delete(id);
  clearTimeout(offer.timer);
  return new Response(streamFrom(offer.port), {
    headers: {
      // Never shown in the app's origin, whatever the file is: saved, not rendered.
      'content-type': 'application/octet-stream',
      'content-disposition': contentDisposition(offer.name),
      'content-length': String(offer.size),
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'; sandbox",
      'cache-control': 'no-store',
    },
  });
}

/** The plaintext as the page sends it, one chunk per pull, so the page decrypts only as fast as the disk takes it. */
function streamFrom(port: MessagePort): ReadableStream<Uint8Array> {
  let waiting: { resolve: () => void; reject: (error: Error) => void } | null = null;
  let controller: ReadableStreamDefaultController<Uint8Array> | null = null;
  port.onmessage = (event: MessageEvent<DownloadMessage>) => {
    const message = event.data;
    const current = waiting;
    waiting = null;
    if (message.type === 'chunk' && message.bytes instanceof Uint8Array) {
      controller?.enqueue(message.bytes);
      current?.resolve();
    } else if (message.type === 'end') {
      controller?.close();
      port.close();
      current?.resolve();
    } else {
      port.close();
      current?.reject(new Error('the file could not be decrypted'));
    }
  };
  return new ReadableStream<Uint8Array>(
    {
      start(started) {
        controller = started;
      },
      pull() {
        return new Promise<void>((resolve, reject) => {
          waiting = { resolve, reject };
          port.postMessage({ type: 'pull' } satisfies DownloadMessage);
        });
      },
      cancel() {
        port.postMessage({ type: 'cancel' } satisfies DownloadMessage);
        port.close();
      },
    },
    { highWaterMark: 0 },
  );
}

/** `attachment` with the name as UTF-8 (RFC 6266), and a plain fallback for old clients. */
export function contentDisposition(name: string): string {
  const fallback = name.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encodeURIComponent(name).replace(/['()*]/g, (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`)}`;
}
