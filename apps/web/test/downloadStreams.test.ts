import { describe, expect, it } from 'vitest';
import { STREAMED_DOWNLOAD_PATH } from '../src/files/saveStream.ts';
import { DOWNLOAD_PATH, answerDownload, contentDisposition, takeDownloadOffer } from '../src/pwa/downloadStreams.ts';

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
