import type { DriveClient, DriveFile, DriveSpace } from '@coffre/client';
import type { DownloadMessage } from '../pwa/downloadStreams.ts';
import { downloadBlob } from '../workspace/downloadFile.ts';
import { offerId, offerToWorker } from './workerOffer.ts';

/** Where the service worker serves a streamed download (`DOWNLOAD_PATH` of pwa/downloadStreams.ts). */
export const STREAMED_DOWNLOAD_PATH = '/__coffre/download/';

/** How a file was saved: written to disk as it was decrypted, or assembled in memory first. */
export type SaveMode = 'streamed' | 'in-memory';

export interface SaveOptions {
  /** A version of the file (the newest when absent). */
  version?: number;
  /** Bytes saved so far, of all the file's. */
  onProgress?: (saved: number, total: number) => void;
}

/**
 * Saves a version of a file of a space to the person's disk, decrypted and
 * checked chunk by chunk as it is written (see {@link saveStream}).
 */
export function saveDriveFile(
  space: DriveSpace,
  client: DriveClient,
  file: DriveFile,
  { version, onProgress }: SaveOptions = {},
): Promise<SaveMode> {
  const found = space.versions(file.id).findLast((candidate) => candidate.manifest.version === version);
  const manifest = found?.manifest ?? file.latest;
  return saveStream(file.name, manifest.size, () => space.read(client, file.id, version), {
    mediaType: manifest.mediaType,
    ...(onProgress ? { onProgress: (saved) => onProgress(saved, manifest.size) } : {}),
  });
}

/**
 * Saves a file decrypted on the device as it is read: through the service
 * worker when one controls the page (the browser writes each piece to disk
 * as it comes, so a large file is never held whole), else assembled into a
 * Blob. Resolves once every byte was handed over; rejects (and the
 * browser's download fails) when a piece cannot be read or checked.
 * `onProgress` gets the bytes saved so far.
 */
export async function saveStream(
  name: string,
  size: number,
  source: () => AsyncIterable<Uint8Array>,
  options: { mediaType?: string; onProgress?: (bytes: number) => void } = {},
): Promise<SaveMode> {
  const id = offerId();
  const channel = await offerToWorker({ type: 'coffre-download-offer', id, name, size } satisfies DownloadMessage);
  if (!channel) {
    const parts: BlobPart[] = [];
    let saved = 0;
    for await (const part of source()) {
      parts.push(part as Uint8Array<ArrayBuffer>);
      saved += part.length;
      options.onProgress?.(saved);
    }
    downloadBlob(name, new Blob(parts, options.mediaType ? { type: options.mediaType } : {}));
    return 'in-memory';
  }
  const frame = document.createElement('iframe');
  frame.hidden = true;
  frame.title = `Saving ${name}`;
  try {
    await pump(channel, source()[Symbol.asyncIterator](), options.onProgress, () => {
      frame.src = `${STREAMED_DOWNLOAD_PATH}${id}`;
      document.body.append(frame);
    });
  } finally {
    channel.close();
    // The browser keeps the download going without the frame once it has the answer's headers.
    setTimeout(() => frame.remove(), 1_000);
  }
  return 'streamed';
}

/** Answers each pull of the service worker with the next piece, until the end, a failure or a cancel. */
function pump(
  channel: MessagePort,
  pieces: AsyncIterator<Uint8Array>,
  onProgress: ((bytes: number) => void) | undefined,
  start: () => void,
): Promise<void> {
  let saved = 0;
  return new Promise<void>((resolve, reject) => {
    const send = (message: DownloadMessage, transfer: Transferable[] = []) => channel.postMessage(message, transfer);
    channel.onmessage = (event: MessageEvent<DownloadMessage>) => {
      if (event.data.type === 'cancel') {
        void pieces.return?.();
        reject(new DOMException('The download was cancelled.', 'AbortError'));
        return;
      }
      if (event.data.type !== 'pull') return;
      pieces.next().then(
        ({ done, value }) => {
          if (done) {
            send({ type: 'end' });
            resolve();
            return;
          }
          saved += value.length;
          onProgress?.(saved);
          // A copy the page gives away: the decrypted piece may be a view into a larger buffer.
          const bytes = value.slice();
          send({ type: 'chunk', bytes }, [bytes.buffer]);
        },
        (error: unknown) => {
          send({ type: 'error' });
          reject(error instanceof Error ? error : new Error(String(error)));
        },
      );
    };
    start();
  });
}
