import { describe, expect, it } from 'vitest';
import { STREAMED_DOWNLOAD_PATH } from '../src/files/saveStream.ts';
import { MEDIA_STREAM_PATH } from '../src/files/mediaStream.ts';
import { offerId } from '../src/files/workerOffer.ts';
import { DOWNLOAD_PATH, answerDownload, contentDisposition, takeDownloadOffer } from '../src/pwa/downloadStreams.ts';
import { MEDIA_PATH, type MediaMessage, answerMedia, parseRange, takeMediaOffer } from '../src/pwa/mediaStreams.ts';

describe('streamed downloads through the service worker', () => {
  it('serves an offered download once, as an attachment that is never rendered, streaming what the page sends', async () => {
    // The page and the worker are built apart (the worker is one script), so the path is written twice.
    expect(STREAMED_DOWNLOAD_PATH).toBe(DOWNLOAD_PATH);
    const { port1: page, port2: worker } = new MessageChannel();
    const id = 'ab'.repeat(16);
    const answered = new Promise((resolve) => (page.onmessage = (event) => resolve(event.data)));
    expect(takeDownloadOffer({ type: 'coffre-download-offer', id, name: 'Relevé été.pdf', size: 6 }, [worker])).toBe(
      true,
    );
    expect(await answered).toEqual({ type: 'ready' });
    const pieces = [new Uint8Array([1, 2, 3]), new Uint8Array([4, 5, 6])];
    page.onmessage = (event: MessageEvent<{ type: string }>) => {
      if (event.data.type !== 'pull') return;
      const next = pieces.shift();
      page.postMessage(next ? { type: 'chunk', bytes: next } : { type: 'end' });
    };
    const response = answerDownload(new URL(`https://coffre.test${DOWNLOAD_PATH}${id}`));
    expect(response?.headers.get('content-type')).toBe('application/octet-stream');
    expect(response?.headers.get('content-disposition')).toBe(
      `attachment; filename="Relev_ _t_.pdf"; filename*=UTF-8''Relev%C3%A9%20%C3%A9t%C3%A9.pdf`,
    );
    expect(response?.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox");
    expect(new Uint8Array(await (response as Response).arrayBuffer())).toEqual(new Uint8Array([1, 2, 3, 4, 5, 6]));
    // One request per offer: asked again, or for an id nobody offered, it is gone.
    expect(answerDownload(new URL(`https://coffre.test${DOWNLOAD_PATH}${id}`))?.status).toBe(404);
    expect(answerDownload(new URL('https://coffre.test/index.html'))).toBeNull();
    page.close();
  });

  it('fails the download when the page cannot decrypt a piece, and ignores malformed offers', async () => {
    const { port1: page, port2: worker } = new MessageChannel();
    const id = 'cd'.repeat(16);
    expect(takeDownloadOffer({ type: 'coffre-download-offer', id: 'not hex', name: 'a', size: 1 }, [worker])).toBe(
      true,
    );
    expect(takeDownloadOffer({ type: 'coffre-download-offer', id, name: 'a', size: -1 }, [worker])).toBe(true);
    expect(answerDownload(new URL(`https://coffre.test${DOWNLOAD_PATH}${id}`))?.status).toBe(404);
    expect(takeDownloadOffer({ type: 'skip-waiting' }, [])).toBe(false);
    takeDownloadOffer({ type: 'coffre-download-offer', id, name: 'a.bin', size: 3 }, [worker]);
    page.onmessage = (event: MessageEvent<{ type: string }>) => {
      if (event.data.type === 'pull') page.postMessage({ type: 'error' });
    };
    const response = answerDownload(new URL(`https://coffre.test${DOWNLOAD_PATH}${id}`)) as Response;
    await expect(response.arrayBuffer()).rejects.toThrow();
    page.close();
  });

  it('writes any name into Content-Disposition without breaking the header', () => {
    expect(contentDisposition('a"b\\c%.txt')).toBe(
      `attachment; filename="a_b_c_.txt"; filename*=UTF-8''a%22b%5Cc%25.txt`,
    );
    expect(contentDisposition("it's (1).txt")).toBe(
      `attachment; filename="it's (1).txt"; filename*=UTF-8''it%27s%20%281%29.txt`,
    );
  });
});

describe('audio and video previews through the service worker', () => {
  /** A page that serves `bytes` to the worker's reads, counting them. */
  function offer(bytes: Uint8Array, mediaType: string) {
    const { port1: page, port2: worker } = new MessageChannel();
    const id = offerId();
    const reads: [number, number][] = [];
    page.onmessage = (event: MessageEvent<MediaMessage>) => {
      const message = event.data;
      if (message.type !== 'read') return;
      reads.push([message.start, message.end]);
      page.postMessage({ type: 'bytes', request: message.request, bytes: bytes.slice(message.start, message.end) });
    };
    expect(takeMediaOffer({ type: 'coffre-media-offer', id, size: bytes.length, mediaType }, [worker])).toBe(true);
    return {
      url: (range?: string) => answerMedia(new URL(`https://coffre.test${MEDIA_PATH}${id}`), range ?? null),
      reads,
      page,
    };
  }

  it('answers range requests with only the bytes asked, read from the page a piece at a time', async () => {
    expect(MEDIA_STREAM_PATH).toBe(MEDIA_PATH);
    const bytes = new Uint8Array(3 * 1024 * 1024 + 5).map((_, index) => index % 251);
    const { url, reads, page } = offer(bytes, 'video/mp4');
    const middle = url('bytes=2000000-2000099') as Response;
    expect(middle.status).toBe(206);
    expect(middle.headers.get('content-range')).toBe(`bytes 2000000-2000099/${bytes.length}`);
    expect(middle.headers.get('content-type')).toBe('video/mp4');
    expect(new Uint8Array(await middle.arrayBuffer())).toEqual(bytes.slice(2_000_000, 2_000_100));
    expect(reads).toEqual([[2_000_000, 2_000_100]]);
    const whole = url() as Response;
    expect(whole.status).toBe(200);
    expect(new Uint8Array(await whole.arrayBuffer())).toEqual(bytes);
    expect(reads.length).toBe(1 + 4); // pieces of at most 1 MiB
    expect((url(`bytes=${bytes.length}-`) as Response).status).toBe(416);
    // Closed with the preview: nothing is served any more.
    page.postMessage({ type: 'revoke' });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(url('bytes=0-10')?.status).toBe(404);
  });

  it('never serves anything but audio or video as such, and fails the response when a piece cannot be read', async () => {
    const { port1: page, port2: worker } = new MessageChannel();
    const id = offerId();
    takeMediaOffer({ type: 'coffre-media-offer', id, size: 10, mediaType: 'text/html' }, [worker]);
    page.onmessage = (event: MessageEvent<MediaMessage>) => {
      if (event.data.type === 'read') page.postMessage({ type: 'failed', request: event.data.request });
    };
    const response = answerMedia(new URL(`https://coffre.test${MEDIA_PATH}${id}`), 'bytes=0-') as Response;
    expect(response.headers.get('content-type')).toBe('application/octet-stream');
    expect(response.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox");
    await expect(response.arrayBuffer()).rejects.toThrow();
    page.close();
  });

  it('reads Range headers as browsers send them', () => {
    expect(parseRange('bytes=0-', 100)).toEqual({ start: 0, end: 100 });
    expect(parseRange('bytes=10-19', 100)).toEqual({ start: 10, end: 20 });
    expect(parseRange('bytes=90-200', 100)).toEqual({ start: 90, end: 100 });
    expect(parseRange('bytes=-10', 100)).toEqual({ start: 90, end: 100 });
    expect(parseRange('bytes=100-', 100)).toBe('unsatisfiable');
    expect(parseRange('bytes=5-1', 100)).toBe('unsatisfiable');
    expect(parseRange('bytes=0-1,5-6', 100)).toBeNull();
    expect(parseRange(null, 100)).toBeNull();
  });
});
