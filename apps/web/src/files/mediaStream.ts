import type { MediaMessage } from '../pwa/mediaStreams.ts';
import { offerId, offerToWorker } from './workerOffer.ts';

/** Where the service worker serves a previewed file (`MEDIA_PATH` of pwa/mediaStreams.ts). */
export const MEDIA_STREAM_PATH = '/__coffre/media/';

/** A file served to a media element by the service worker, until {@link close}. */
export interface MediaFeed {
  url: string;
  close: () => void;
}

/**
 * Serves a file to `<audio>` / `<video>` through the service worker, which
 * answers the element's range requests with bytes `read` decrypts on
 * demand: playback starts after the first chunks and seeking reads only
 * around the new position. Null when no service worker controls the page
 * (the caller reads the file whole into a Blob). `onFailure` is told when
 * a piece cannot be read or checked (the element then stops with an error).
 */
export async function openMediaStream(
  size: number,
  mediaType: string,
  read: (start: number, end: number) => Promise<Uint8Array>,
  onFailure: (error: unknown) => void,
): Promise<MediaFeed | null> {
  const id = offerId();
  const channel = await offerToWorker({ type: 'coffre-media-offer', id, size, mediaType } satisfies MediaMessage);
  if (!channel) return null;
  let open = true;
  channel.onmessage = (event: MessageEvent<MediaMessage>) => {
    const message = event.data;
    if (message.type !== 'read') return;
    read(message.start, message.end).then(
      (bytes) => {
        if (!open) return;
        // A copy given away: what the reader returns may be a view into a chunk it keeps.
        const copy = bytes.slice();
        channel.postMessage({ type: 'bytes', request: message.request, bytes: copy } satisfies MediaMessage, [
          copy.buffer,
        ]);
      },
      (error: unknown) => {
        if (!open) return;
        channel.postMessage({ type: 'failed', request: message.request } satisfies MediaMessage);
        onFailure(error);
      },
    );
  };
  return {
    url: `${MEDIA_STREAM_PATH}${id}`,
    close: () => {
      if (!open) return;
      open = false;
      channel.postMessage({ type: 'revoke' } satisfies MediaMessage);
      channel.close();
    },
  };
}
