/**
 * Streamed audio and video previews, the service worker's side: a page
 * previewing a file offers it here (its size and type, and a
 * MessageChannel), then gives `<video src="/__coffre/media/<id>">`; the
 * worker answers the element's range requests (`206 Partial Content`) with
 * bytes the page decrypts on demand (`DriveSpace.readRange` through the
 * preview's chunk cache), so playback starts after the first chunks and
 * seeking fetches only the chunks around the new position, where a Blob
 * would first need the whole file. The page's side is `files/mediaStream.ts`.
 *
 * As for downloads (downloadStreams.ts): the bytes come only from the page
 * that offered them, nothing is cached, and an id not offered (or revoked
 * when the preview closed) is answered 404.
 */

/** Where a previewed file is served; `mediaStream.ts` writes the same path. */
export const MEDIA_PATH = '/__coffre/media/';

const MEDIA_ID = /^[0-9a-f]{32}$/;

/** Most bytes asked of the page at once: about one chunk, so memory stays small and playback starts early. */
const PIECE_BYTES = 1024 * 1024;

/**
 * Messages of a media stream. Page to worker: `offer` (with the port),
 * `bytes` or `failed` in answer to a `read`, `revoke` when the preview
 * closes. Worker to page: `ready`, then `read` for each piece a request needs.
 */
export type MediaMessage =
  | { type: 'coffre-media-offer'; id: string; size: number; mediaType: string }
  | { type: 'ready' }
  | { type: 'read'; request: number; start: number; end: number }
  | { type: 'bytes'; request: number; bytes: Uint8Array }
  | { type: 'failed'; request: number }
  | { type: 'revoke' };

interface MediaOffer {
  size: number;
  mediaType: string;
  port: MessagePort;
  reads: Map<number, { resolve: (bytes: Uint8Array) => void; reject: (error: Error) => void }>;
  next: number;
}

const offers = new Map<string, MediaOffer>();

/** Whether a message to the worker offers a media stream; if so it is taken (true). */
export function takeMediaOffer(data: unknown, ports: readonly MessagePort[]): boolean {
  if (typeof data !== 'object' || data === null || (data as { type?: unknown }).type !== 'coffre-media-offer') {
    return false;
  }
  const { id, size, mediaType } = data as { id?: unknown; size?: unknown; mediaType?: unknown };
  const port = ports[0];
  if (!port || typeof id !== 'string' || !MEDIA_ID.test(id) || offers.has(id)) return true;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0 || typeof mediaType !== 'string') return true;
  const offer: MediaOffer = { size, mediaType: playableType(mediaType), port, reads: new Map(), next: 0 };
  port.onmessage = (event: MessageEvent<MediaMessage>) => {
    const message = event.data;
    if (message.type === 'revoke') {
      offers.delete(id);
      for (const read of offer.reads.values()) read.reject(new Error('the preview was closed'));
      offer.reads.clear();
      port.close();
      return;
    }
    if (message.type !== 'bytes' && message.type !== 'failed') return;
    const read = offer.reads.get(message.request);
    offer.reads.delete(message.request);
    if (message.type === 'bytes' && message.bytes instanceof Uint8Array) read?.resolve(message.bytes);
    else read?.reject(new Error('the file could not be decrypted'));
  };
  offers.set(id, offer);
  port.postMessage({ type: 'ready' } satisfies MediaMessage);
  return true;
}

/** The answer to a request of {@link MEDIA_PATH}, or null when the path is another one. */
export function answerMedia(url: URL, range: string | null): Response | null {
  if (!url.pathname.startsWith(MEDIA_PATH)) return null;
  const offer = offers.get(url.pathname.slice(MEDIA_PATH.length));
  if (!offer) {
    return new Response('This preview is closed.', {
      status: 404,
      headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
    });
  }
  const asked = parseRange(range, offer.size);
  if (asked === 'unsatisfiable') {
    return new Response(null, {
      status: 416,
      headers: { 'content-range': `bytes */${offer.size}`, 'cache-control': 'no-store' },
    });
  }
  const { start, end } = asked ?? { start: 0, end: offer.size };
  const headers: Record<string, string> = {
    'content-type': offer.mediaType,
    'content-length': String(end - start),
    'accept-ranges': 'bytes',
    'x-content-type-options': 'nosniff',
    'content-security-policy': "default-src 'none'; sandbox",
    'cache-control': 'no-store',
  };
  if (asked) headers['content-range'] = `bytes ${start}-${end - 1}/${offer.size}`;
  return new Response(rangeStream(offer, start, end), { status: asked ? 206 : 200, headers });
}

/** Bytes `start` to `end` of the offer, asked of the page a piece at a time as the element reads them. */
function rangeStream(offer: MediaOffer, start: number, end: number): ReadableStream<Uint8Array> {
  let at = start;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (at >= end) {
          controller.close();
          return;
        }
        const upTo = Math.min(end, at + PIECE_BYTES);
        const request = offer.next++;
        const bytes = await new Promise<Uint8Array>((resolve, reject) => {
          offer.reads.set(request, { resolve, reject });
          offer.port.postMessage({ type: 'read', request, start: at, end: upTo } satisfies MediaMessage);
        });
        if (bytes.length !== upTo - at) throw new Error('the page sent another length than asked');
        at = upTo;
        controller.enqueue(bytes);
      },
    },
    { highWaterMark: 0 },
  );
}

/**
 * A `Range: bytes=a-b` header (one range; `a-`, and `-n` for the last n
 * bytes), as [start, end) within `size`; null for none or a form this does
 * not serve (the whole file is sent), `unsatisfiable` past the end.
 */
export function parseRange(
  header: string | null,
  size: number,
): { start: number; end: number } | null | 'unsatisfiable' {
  const match = header ? /^bytes=(\d*)-(\d*)$/.exec(header.trim()) : null;
  if (!match) return null;
  const [, from = '', to = ''] = match;
  if (from === '' && to === '') return null;
  if (from === '') {
    const last = Math.min(size, Number(to));
    return last === 0 ? 'unsatisfiable' : { start: size - last, end: size };
  }
  const start = Number(from);
  if (start >= size) return 'unsatisfiable';
  const end = to === '' ? size : Math.min(size, Number(to) + 1);
  return end <= start ? 'unsatisfiable' : { start, end };
}

/** Only audio and video types are served as such; anything else as bytes, never rendered. */
function playableType(mediaType: string): string {
  return /^(audio|video)\/[\w.+-]+$/.test(mediaType) ? mediaType : 'application/octet-stream';
}
